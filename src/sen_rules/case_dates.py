"""The dates of a case: every date a case records, found by walking only the fields whose
type can hold one (with their paths, or fast without)."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, get_args

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
