"""The one plain description of the case model, read from the Pydantic models.

Every part that reasons about what a case can hold reads it here, so none repeats what
``sen_rules.case`` already says: the linter's reasoning (which fields can be missing, the
bounds of a number), the witness search and the case generators (which fields an object
needs, the values an enumeration allows), and the counterfactual search (what a field at a
path can hold, a minimal record to add).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from .case import EARLIEST_DATE, LATEST_DATE, Case
from .language.types import model_fields, strip_annotation


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a case model class."""

    name: str
    kind: str  # bool|int|float|str|date|enum|model|list_model|list_enum|list_other
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


def choices_of(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The values an enumerated field (or the items of a list of them) allows, in order."""
    spec = field_of(model, name)
    if spec is None or not spec.choices:
        raise KeyError(f"{model.__name__}.{name} is not an enumeration")
    return spec.choices


LISTS = ("list_model", "list_enum", "list_other")
CASE = FieldSpec("case", "model", False, True, Case)


def item_of(spec: FieldSpec) -> FieldSpec | None:
    """What one item of a list field holds (None for a field that is not a list)."""
    if spec.kind == "list_model":
        return FieldSpec(spec.name, "model", False, True, spec.model)
    if spec.kind == "list_enum":
        return FieldSpec(spec.name, "enum", False, True, choices=spec.choices)
    if spec.kind == "list_other":
        return FieldSpec(spec.name, "str", False, True)
    return None


def spec_at(path: tuple[str, ...]) -> FieldSpec | None:
    """The field at ``path`` from the case ("[]" steps into the items of a list)."""
    spec: FieldSpec | None = CASE
    for step in path:
        if spec is None:
            return None
        if step == "[]":
            spec = item_of(spec)
        elif spec.kind == "model" and spec.model is not None:
            spec = field_of(spec.model, step)
        else:
            return None
    return spec


def synthesize(model: type[BaseModel], overrides: Mapping[str, Any],
               anchor: date) -> dict[str, Any]:
    """A minimal record of ``model``: required fields filled in, ``overrides`` applied."""
    out: dict[str, Any] = {}
    for spec in fields_of(model):
        if spec.name in overrides:
            out[spec.name] = overrides[spec.name]
        elif spec.required:
            out[spec.name] = _default(spec, anchor)
    return out


def _default(spec: FieldSpec, anchor: date) -> Any:
    if spec.kind == "model" and spec.model is not None:
        return synthesize(spec.model, {}, anchor)
    if spec.kind in LISTS:
        return []
    return {"bool": False, "int": 1, "float": 0.0, "date": anchor.isoformat(),
            "str": "hypothetical", "enum": spec.choices[0] if spec.choices else ""}[spec.kind]
