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
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel

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


def _strip(annotation: object) -> tuple[object, bool]:
    """Remove Annotated and Optional; say whether None was allowed."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if origin in (Union, pytypes.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != len(get_args(annotation)):
                optional = True
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation, optional


def type_of_annotation(annotation: object) -> Type:
    annotation, _ = _strip(annotation)
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
    hints = typing.get_type_hints(model, include_extras=True)
    fields: dict[str, FieldInfo] = {}
    for name, info in model.model_fields.items():
        annotation = hints.get(name, info.annotation)
        _, optional = _strip(annotation)
        fields[name] = FieldInfo(
            name=name,
            type=type_of_annotation(annotation),
            optional=optional,
            description=(info.description or "").strip(),
        )
    doc = (model.__doc__ or "").strip().splitlines()
    return ObjectType(model.__name__, fields, doc[0] if doc else "")


def type_of_value(value: object) -> Type:
    """The type of a setting's value."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, date):
        return DATE
    if isinstance(value, (list, tuple)):
        items = [type_of_value(v) for v in value]
        kinds = {t.kind for t in items}
        if len(kinds) > 1:
            raise TypeError("a list setting must hold values of one kind")
        return list_of(items[0] if items else UNKNOWN)
    raise TypeError(f"unsupported setting value {value!r}")
