"""The scenario file format: what a scenario file may hold, and a scenario once read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...errors import SourceLocation

SCENARIO_DIR = "scenarios"
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ExpectedDecision(_Strict):
    outcome: Name | None = None  # not checked when left out
    details: dict[str, Any] = {}
    flags: list[str] | None = None
    notes: list[str] | None = None
    rules: list[str] | None = None


class ScenarioEntry(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    as_of: date
    case: dict[str, Any] | Annotated[str, Field(min_length=1, max_length=500)]
    backend: Literal["native", "durable", "both"] | None = None
    settings: dict[Name, Any] = {}
    expect: dict[Name, Any]  # each value: an outcome, null, or an ExpectedDecision


class ScenarioFile(_Strict):
    description: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    scenarios: list[dict[str, Any]]


@dataclass(frozen=True)
class Expectation:
    topic: str
    applies: bool  # False: the area must not apply (``topic: null``)
    outcome: str | None  # None: not checked
    details: Mapping[str, Any]
    flags: tuple[str, ...] | None
    notes: tuple[str, ...] | None
    rules: tuple[str, ...] | None
    location: SourceLocation


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    location: SourceLocation
    case: Mapping[str, Any]
    case_source: str  # "inline" or the JSON file
    as_of: date
    backend: str | None
    expectations: tuple[Expectation, ...]
    description: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # values that replace settings

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"
