"""The dates of a case: every date a case records, found by walking only the fields whose
type can hold one (with their paths, or fast without); and the colons a JSON text of the case
holds, which is how the fast read in :mod:`.case` knows that no key was repeated."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel


def iter_dates(model: BaseModel, prefix: str = "") -> list[tuple[str, date]]:
    """Every date in a model with its field path (``statement.reviews[0].held_on``)."""
    found: list[tuple[str, date]] = []
    for name in _fields_with_dates(type(model)):
        value = getattr(model, name)
        path = f"{prefix}{name}"
        _collect_dates(value, path, found)
    return found


@cache
def _fields_with_dates(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model whose type can hold a date (the walk skips text, flags, numbers)."""
    return tuple(name for name, f in model.model_fields.items() if _may_hold_date(f.annotation))


def _may_hold_date(annotation: Any) -> bool:
    if isinstance(annotation, type):
        if issubclass(annotation, date):
            return True
        if issubclass(annotation, BaseModel):
            return bool(_fields_with_dates(annotation))
    return any(_may_hold_date(arg) for arg in get_args(annotation))


def gather_dates(model: BaseModel, found: list[date]) -> None:
    """Every date in a model, in no particular order (what ``iter_dates`` finds, minus paths)."""
    for name in _fields_with_dates(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        if type(value) is date:
            found.append(value)
        elif type(value) is tuple:
            for item in value:
                if type(item) is date:
                    found.append(item)
                else:
                    gather_dates(item, found)
        else:
            gather_dates(value, found)


def _collect_dates(value: object, path: str, found: list[tuple[str, date]]) -> None:
    if isinstance(value, date):
        found.append((path, value))
    elif isinstance(value, BaseModel):
        found.extend(iter_dates(value, path + "."))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            _collect_dates(item, f"{path}[{i}]", found)


# What a field holds, for the colon count: text, a date, a model, a tuple of models.
_TEXT, _DATE, _MODEL, _MODELS = range(4)
_Plan = tuple[tuple[str, int], ...]
ColonPlans = dict[type[BaseModel], _Plan]
"""For each model class under a root, the fields the colon count looks at, with what they hold."""


class _UnknownFieldError(Exception):
    """A field of a type the colon count does not know (the fast read is then not used)."""


def colon_plans(root: type[BaseModel]) -> ColonPlans | None:
    """For the root model and every model under it, the fields the colon count looks at.

    None when a field's type is one the count cannot account for (a text in a tuple, a
    ``Literal`` naming a colon, a default model that holds a date, ...): a changed model then
    costs speed, never correctness.
    """
    plans: ColonPlans = {}
    try:
        _plan_of(root, plans)
    except _UnknownFieldError:
        return None
    return plans


def _plan_of(model: type[BaseModel], plans: ColonPlans) -> None:
    if model in plans:
        return
    plans[model] = ()  # a model that holds itself ends here
    plan: list[tuple[str, int]] = []
    for name, field in model.model_fields.items():
        kind = _kind_of(field.annotation, plans)
        if kind == _MODEL and isinstance(field.default, BaseModel) and iter_dates(field.default):
            raise _UnknownFieldError(name)  # a default the count skips must hold no date
        if kind is not None:
            plan.append((name, kind))
    plans[model] = tuple(plan)


def _kind_of(annotation: Any, plans: ColonPlans) -> int | None:
    """What a field of this type holds, for the count (None: nothing it counts)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kind_of(get_args(annotation)[0], plans)
    if origin is Literal:
        if any(not isinstance(v, (str, int)) or ":" in str(v) for v in get_args(annotation)):
            raise _UnknownFieldError(annotation)
        return None
    if origin is tuple:
        items = [a for a in get_args(annotation) if a is not Ellipsis]
        kinds = {_kind_of(a, plans) for a in items}
        if kinds == {_MODEL}:
            return _MODELS
        if kinds <= {None}:
            return None
        raise _UnknownFieldError(annotation)
    if origin is not None:  # a union: of one kind and None
        kinds = {_kind_of(a, plans) for a in get_args(annotation)} - {None}
        if len(kinds) > 1:
            raise _UnknownFieldError(annotation)
        return kinds.pop() if kinds else None
    if annotation is type(None) or annotation in (bool, int, float):
        return None
    if annotation is str:
        return _TEXT
    if annotation is date:
        return _DATE
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        _plan_of(annotation, plans)
        return _MODEL
    raise _UnknownFieldError(annotation)


def count_colons(case: BaseModel, plans: ColonPlans, dates: list[date]) -> int:
    """The colons in a JSON text of ``case`` that repeats no key: one after each key it was
    given, plus those in its text values; gathers every date of the case on the way.

    A text with more colons than this (and no ``\\u003a`` escape) repeated a key.
    """
    colons = 0
    stack = [case]
    while stack:
        model = stack.pop()
        values = model.__dict__
        given = model.__pydantic_fields_set__
        colons += len(given)
        for name, kind in plans[type(model)]:
            value = values[name]
            if value is None:
                continue
            if kind == _TEXT:
                colons += value.count(":")
            elif kind == _DATE:
                dates.append(value)
            elif kind == _MODEL:
                if name in given:  # a default model is not in the text
                    stack.append(value)
            else:
                stack.extend(value)
    return colons
