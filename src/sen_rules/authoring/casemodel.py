"""A plain description of the case model, read from the Pydantic models.

The linter's reasoning (which fields can be missing, the bounds of a number) and the case
generator (which fields an object needs) both read it, so neither repeats what
``sen_rules.case`` already says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from ..case import EARLIEST_DATE, LATEST_DATE, Case
from ..language.types import model_fields, strip_annotation


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a case model class."""

    name: str
    kind: str  # bool | int | float | str | date | enum | model | list_model | list_enum
    optional: bool  # may be None
    required: bool  # has no default
    model: type[BaseModel] | None = None  # for model and list_model
    choices: tuple[str, ...] = ()  # for enum and list_enum
    ge: float | None = None
    le: float | None = None
    pattern: str | None = None
    max_length: int | None = None


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    pending = list(metadata)
    while pending:
        m = pending.pop()
        inner = getattr(m, "metadata", None)
        if isinstance(inner, list):
            pending.extend(inner)
        for attr, key in (("ge", "ge"), ("le", "le"), ("pattern", "pattern"),
                          ("max_length", "max_length")):
            value = getattr(m, attr, None)
            if value is not None and key not in found:
                found[key] = value
    return found


@cache
def fields_of(model: type[BaseModel]) -> tuple[FieldSpec, ...]:
    out: list[FieldSpec] = []
    for name, annotation, info in model_fields(model):
        bare, optional, metadata = strip_annotation(annotation)
        limits = _constraints(metadata + list(info.metadata))
        origin = get_origin(bare)
        sub: type[BaseModel] | None = None
        choices: tuple[str, ...] = ()
        if origin is Literal:
            kind, choices = "enum", tuple(str(v) for v in get_args(bare))
        elif origin is tuple:
            item, _, _ = strip_annotation(get_args(bare)[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                kind, sub = "list_model", item
            elif get_origin(item) is Literal:
                kind, choices = "list_enum", tuple(str(v) for v in get_args(item))
            else:
                kind = "list_other"
        elif isinstance(bare, type) and issubclass(bare, BaseModel):
            kind, sub = "model", bare
        elif bare is bool:
            kind = "bool"
        elif bare is int:
            kind = "int"
        elif bare is float:
            kind = "float"
        elif bare is date:
            kind = "date"
            limits.setdefault("ge", EARLIEST_DATE.toordinal())
            limits.setdefault("le", LATEST_DATE.toordinal())
        else:
            kind = "str"
        out.append(FieldSpec(name, kind, optional, info.is_required(), sub, choices,
                             limits.get("ge"), limits.get("le"), limits.get("pattern"),
                             limits.get("max_length")))
    return tuple(out)


def field_of(model: type[BaseModel], name: str) -> FieldSpec | None:
    return next((f for f in fields_of(model) if f.name == name), None)


@cache
def models_by_name() -> dict[str, type[BaseModel]]:
    """Every model class reachable from :class:`Case`, by class name."""
    found: dict[str, type[BaseModel]] = {}
    stack: list[type[BaseModel]] = [Case]
    while stack:
        model = stack.pop()
        if model.__name__ in found:
            continue
        found[model.__name__] = model
        stack.extend(f.model for f in fields_of(model) if f.model is not None)
    return found


def walk_path(model: type[BaseModel], path: tuple[str, ...]) -> list[FieldSpec] | None:
    """The field specs along ``path`` from ``model`` (None when the path does not exist)."""
    specs: list[FieldSpec] = []
    current: type[BaseModel] | None = model
    for step in path:
        if current is None:
            return None
        spec = field_of(current, step)
        if spec is None:
            return None
        specs.append(spec)
        current = spec.model
    return specs
