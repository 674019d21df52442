"""One table of how a value is written: as JSON, in words for people, as a durable fact.

Every output form reads this module, so a value is said the same way everywhere:

* JSON (traces, records, decisions): dates as ISO text, durations as text (``12 months``),
  a record of the case as ``{"object": "Statement"}``, nothing as ``null``;
* words for people: ``12 January 2009``, ``yes``, ``"parent"``. Nothing is said two ways,
  for two different reasons: a fact the case does not hold is :data:`NOT_RECORDED`; a value
  the rules compute (a definition, a decision or one of its details) that cannot be worked
  out is :data:`NOT_KNOWN`;
* a durable-rules fact: dates as day ordinals, nothing as a missing key.

The runtime :class:`Duration` lives here too: it is a value, not a piece of syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

NOT_RECORDED = "not recorded"  # a fact of the case that is not there
NOT_KNOWN = "not known"  # a computed value that cannot be worked out


@dataclass(frozen=True, slots=True)
class Duration:
    """A calendar duration such as ``12 months``; adds to a date with month-end clipping."""

    amount: int
    unit: str  # days | weeks | months | years

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


# ------------------------------------------------------------------------------ JSON


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
        return [to_json(v) for v in _in_order(value)]
    if isinstance(value, BaseModel):
        return {"object": type(value).__name__}
    return str(value)


def _in_order(value: tuple[Any, ...] | list[Any] | frozenset[Any] | set[Any]) -> list[Any]:
    """The items of a collection, sets sorted so that the text is deterministic."""
    if isinstance(value, (frozenset, set)):
        return sorted(value, key=repr)
    return list(value)


# ------------------------------------------------------------------------------ words


def day_words(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def say(value: Any) -> str:
    """A fact in words: ``12 January 2009``, ``yes``, ``"parent"``, ``not recorded``."""
    if value is None:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return day_words(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (int, Duration)):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, BaseModel):
        return "recorded"
    if isinstance(value, (tuple, list, frozenset, set)):
        items = _in_order(value)
        if not items:
            return "none"
        if all(isinstance(v, BaseModel) for v in items):
            return _entries(len(items))
        return ", ".join(say(v) for v in items)
    return str(value)


def say_computed(value: Any) -> str:
    """A value the rules compute, in words: as :func:`say`, but ``not known`` for nothing."""
    return NOT_KNOWN if value is None else say(value)


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
            return _entries(len(value))
        return ", ".join(say_json(v) for v in value)
    return say(value)


def detail_words(value: Any, dates: str = "words") -> str:
    """A detail of a decision for people: text as it is (a detail's values are codes the
    reader knows), a list joined, ``not known`` for nothing; dates in words, or as ISO text
    (``dates="iso"``) where the output lists dates the way the JSON has them."""
    if isinstance(value, date):
        return day_words(value) if dates == "words" else value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(detail_words(v, dates) for v in value) or "none"
    if value is None:
        return NOT_KNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) or dates == "iso":
        return str(value)
    return say(value)


# ------------------------------------------------------------------------------ the language


def literal(value: object) -> str:
    """A constant as the condition language writes it (``"parent"``, ``12 months``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"' if '"' not in value else "'" + value + "'"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


# ------------------------------------------------------------------------------ durable facts


def fact_value(v: Any) -> Any:
    """How a value is written into a durable-rules fact: dates as ordinals, nothing for
    unknown (the caller leaves the key out)."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, date):
        return v.toordinal()
    if isinstance(v, (int, float, str)):
        return v
    raise TypeError(f"cannot put {type(v).__name__} in a fact")
