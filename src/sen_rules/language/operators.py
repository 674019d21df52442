"""One table of the comparison operators: what each computes, its negation, its mirror
image, the relations between two values it allows, its durable-rules test, and its words.

The native closures, the durable-rules lowering, the linter's logic and the plain-words
printer all read this table, so they cannot disagree about what ``<=`` means.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class Comparison:
    symbol: str
    function: Callable[[Any, Any], bool]
    negation: str  # ``not (a op b)`` for two known values is ``a negation b``
    flip: str  # ``a op b`` is ``b flip a``
    relations: frozenset[str]  # which of ``<``, ``=``, ``>`` between a and b make it true
    durable: str | None  # the durable-rules test (None: equality is a plain value match)
    number_words: str
    date_words: str


_TABLE = (
    Comparison("=", operator.eq, "!=", "=", frozenset("="), None, "is", "is"),
    Comparison("!=", operator.ne, "=", "!=", frozenset("<>"), "$neq", "is not", "is not"),
    Comparison("<", operator.lt, ">=", ">", frozenset("<"), "$lt", "is less than", "is before"),
    Comparison("<=", operator.le, ">", ">=", frozenset("<="), "$lte", "is at most",
               "is on or before"),
    Comparison(">", operator.gt, "<=", "<", frozenset(">"), "$gt", "is more than", "is after"),
    Comparison(">=", operator.ge, "<", "<=", frozenset(">="), "$gte", "is at least",
               "is on or after"),
)

COMPARISONS: Mapping[str, Comparison] = MappingProxyType({c.symbol: c for c in _TABLE})
COMPARE: Mapping[str, Callable[[Any, Any], bool]] = MappingProxyType(
    {c.symbol: c.function for c in _TABLE})
NEGATION: Mapping[str, str] = MappingProxyType({c.symbol: c.negation for c in _TABLE})
FLIP: Mapping[str, str] = MappingProxyType({c.symbol: c.flip for c in _TABLE})
RELATIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {c.symbol: c.relations for c in _TABLE})
ALL_RELATIONS = frozenset("<=>")


def compare_words(op: str, kind: str) -> str:
    """The operator read aloud for values of ``kind`` (dates: "is before"; else numbers)."""
    c = COMPARISONS[op]
    return c.date_words if kind == "date" else c.number_words
