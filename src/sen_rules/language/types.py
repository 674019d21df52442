"""Static types of the condition language, derived from the case model.

Field names and types are read from the Pydantic models at load time, so a rule that
names a field the case does not have, or compares a date with a number, or tests an
enumerated field against a value it can never take, is a load error, not a silent false.
"""

from __future__ import annotations

import types as pytypes
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo as PydanticField

Kind = Literal["bool", "number", "string", "date", "duration", "list", "object", "unknown"]


@dataclass(frozen=True, slots=True)
class Type:
    kind: Kind
    enum: tuple[str, ...] | None = None  # possible values of an enumerated string
    item: Type | None = None  # element type of a list
    obj: ObjectType | None = None  # fields of an object
    integer: bool = False  # a number that is always whole

    def __str__(self) -> str:
        if self.kind == "list" and self.item is not None:
            return f"list of {self.item}"
        if self.kind == "object" and self.obj is not None:
            return self.obj.name
        if self.enum:
            return "text (one of " + ", ".join(repr(v) for v in self.enum) + ")"
        return {
            "bool": "yes/no",
            "number": "number",
            "string": "text",
            "date": "date",
            "duration": "duration",
            "unknown": "unknown",
        }.get(self.kind, self.kind)

    @property
    def is_scalar(self) -> bool:
        return self.kind in ("bool", "number", "string", "date", "duration")


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    type: Type
    optional: bool
    description: str


@dataclass(frozen=True, slots=True, eq=False)
class ObjectType:
    name: str
    fields: Mapping[str, FieldInfo]
    description: str

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectType) and other.name == self.name


BOOL = Type("bool")
NUMBER = Type("number")
INTEGER = Type("number", integer=True)
STRING = Type("string")
DATE = Type("date")
DURATION = Type("duration")
UNKNOWN = Type("unknown")


def list_of(item: Type) -> Type:
    return Type("list", item=item)


def comparable(a: Type, b: Type) -> bool:
    """Whether two values may be tested for equality."""
    if a.kind == "unknown" or b.kind == "unknown":
        return True
    return a.kind == b.kind and a.is_scalar


def ordered(a: Type) -> bool:
    return a.kind in ("number", "date")


def strip_annotation(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """Remove ``Annotated`` and ``Optional``: the bare type, whether None is allowed, and the
    ``Annotated`` metadata met on the way (field constraints)."""
    optional = False
    metadata: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            metadata.extend(args[1:])
            annotation = args[0]
            continue
        if origin in (Union, pytypes.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != len(get_args(annotation)):
                optional = True
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation, optional, metadata


@cache
def model_fields(model: type[BaseModel]) -> tuple[tuple[str, Any, PydanticField], ...]:
    """Each field of a Pydantic model, in order: its name, its annotation (with the
    ``Annotated`` extras) and Pydantic's description of it. The one place that reads the
    models; the language's types, the linter's case model and the explainer's
    counterfactuals all start here."""
    hints = typing.get_type_hints(model, include_extras=True)
    return tuple((name, hints.get(name, info.annotation), info)
                 for name, info in model.model_fields.items())


def type_of_annotation(annotation: object) -> Type:
    annotation, _, _ = strip_annotation(annotation)
    origin = get_origin(annotation)
    if origin is Literal:
        values = get_args(annotation)
        if all(isinstance(v, str) for v in values):
            return Type("string", enum=tuple(str(v) for v in values))
        raise TypeError(f"unsupported literal {annotation!r}")
    if origin is tuple:
        args = get_args(annotation)
        return list_of(type_of_annotation(args[0]))
    if annotation is bool:
        return BOOL
    if annotation is int:
        return INTEGER
    if annotation is float:
        return NUMBER
    if annotation is str:
        return STRING
    if annotation is date:
        return DATE
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Type("object", obj=object_type(annotation))
    raise TypeError(f"unsupported field type {annotation!r}")


@cache
def object_type(model: type[BaseModel]) -> ObjectType:
    """The language's view of a Pydantic model (cached: models do not change at run time)."""
    fields: dict[str, FieldInfo] = {}
    for name, annotation, info in model_fields(model):
        _, optional, _ = strip_annotation(annotation)
        fields[name] = FieldInfo(
            name=name,
            type=type_of_annotation(annotation),
            optional=optional,
            description=(info.description or "").strip(),
        )
    doc = (model.__doc__ or "").strip().splitlines()
    return ObjectType(model.__name__, fields, doc[0] if doc else "")
