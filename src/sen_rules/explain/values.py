"""Values as the explainer shows them: JSON for programs, plain words for people."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel

from ..language.printer import humanise
from ..language.syntax import Duration


def to_json(value: Any) -> Any:
    """A JSON-ready copy of a value read or computed during an evaluation.

    Dates become ISO text, durations their text (``12 months``), lists stay lists, and a
    record of the case (an object such as the Statement) becomes ``{"object": "Statement"}``
    so that a trace never copies large parts of the case.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, (tuple, list, frozenset, set)):
        items = list(value)
        if isinstance(value, (frozenset, set)):
            items = sorted(items, key=repr)
        return [to_json(v) for v in items]
    if isinstance(value, BaseModel):
        return {"object": type(value).__name__}
    return str(value)


def day_words(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def say(value: Any) -> str:
    """A value in words: ``12 January 2009``, ``yes``, ``"parent"``, ``not recorded``."""
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return day_words(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, BaseModel):
        return "recorded"
    if isinstance(value, (tuple, list, frozenset, set)):
        items = list(value)
        if not items:
            return "none"
        if all(isinstance(v, BaseModel) for v in items):
            return f"{len(items)} {'entry' if len(items) == 1 else 'entries'}"
        if isinstance(value, (frozenset, set)):
            items = sorted(items, key=repr)
        return ", ".join(say(v) for v in items)
    return str(value)


def say_json(value: Any) -> str:
    """Words for a value already in JSON form (as stored in a trace or a record)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return day_words(date.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, dict) and set(value) == {"object"}:
        return "recorded"
    if isinstance(value, list):
        if not value:
            return "none"
        if all(isinstance(v, dict) and set(v) == {"object"} for v in value):
            return f"{len(value)} {'entry' if len(value) == 1 else 'entries'}"
        return ", ".join(say_json(v) for v in value)
    return say(value)


def path_words(path: str) -> str:
    """A field path in words: ``sen_support[1].started`` → ``sen support (entry 2) › started``."""
    out = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        text = humanise(name)
        while rest:
            index, _, rest = rest.partition("]")
            text += f" (entry {int(index) + 1})" if index.isdigit() else f" [{index}]"
            rest = rest[1:] if rest.startswith("[") else rest
        out.append(text)
    return " › ".join(out)


def checks_in_words(row: Mapping[str, Any], which: str) -> str:
    """A ranking row's shortfalls or checks to be assessed, in the policy's words."""
    ids = {"shortfalls": "shortfalls", "to_be_assessed": "not_known"}[which]
    words = row.get("shortfalls_in_words" if which == "shortfalls" else which)
    items = [f"“{w}”" for w in words] if words is not None else list(row[ids])
    return ", ".join(items) or "—"


_PLACES = {"check": {"prefer": "met", "over": "not met", "unknown": "to be assessed"},
           "criterion": {"prefer": "preferred", "over": "less preferred",
                         "unknown": "not known"}}


def place_in_words(kind: str, place: str) -> str:
    """A candidate's place on a ranking check or criterion, as the reports say it."""
    return _PLACES.get(kind, {}).get(place, place)
