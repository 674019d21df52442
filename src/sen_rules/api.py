"""The three calls of the stable API that are not in a subpackage of their own:
:func:`evaluate`, :func:`evaluate_many` and :func:`timeline` (the package top re-exports
them; modules inside the package import them from here, never from the top)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from .case import Case
from .engine.batch import BatchResult
from .engine.batch import evaluate_many as _evaluate_many
from .engine.result import Evaluation
from .engine.service import evaluate_case
from .loading.bundled import bundled_rulebase
from .rulebase import Rulebase
from .timelines import Timeline, build_timeline


def evaluate(
    case: Case | Mapping[str, Any] | str | bytes,
    *,
    as_of: date | str,
    rulebase: Rulebase | None = None,
    backend: str = "native",
) -> Evaluation:
    """Evaluate a case on a date: the decisions of every policy area that applies.

    ``case`` is a :class:`Case`, a JSON-like mapping or JSON text; ``as_of`` a ``date`` or
    ``YYYY-MM-DD`` text (evaluation never reads the clock). Raises :class:`CaseError` for a
    malformed or impossible case, :class:`EvaluationError` when no complete answer can be
    given, :class:`BackendUnavailableError` when the backend cannot run here.
    """
    return evaluate_case(rulebase or bundled_rulebase(), case, as_of, backend)


def evaluate_many(
    items: Iterable[Any],
    *,
    as_of: date | str | None = None,
    rulebase: Rulebase | None = None,
    backend: str = "native",
    workers: int = 1,
) -> Iterator[BatchResult]:
    """Evaluate many cases, lazily and in order; one bad case never stops the rest.

    Each item is a case (as for :func:`evaluate`), a ``(case, as_of)`` pair, or a mapping
    ``{"case": ..., "as_of": ...}``; ``as_of`` here is the date for items that carry none.
    Yields a :class:`BatchResult` per item (``.evaluation`` or ``.error``). With
    ``workers > 1`` (at most 32) the work is spread over that many processes; a worker that
    dies stops the batch with :class:`BatchError` after every earlier result.
    """
    return _evaluate_many(items, rulebase=rulebase or bundled_rulebase(), as_of=as_of,
                          backend=backend, workers=workers)


def timeline(
    case: Case | Mapping[str, Any] | str | bytes,
    start: date | str,
    end: date | str,
    *,
    rulebase: Rulebase | None = None,
    backend: str = "native",
) -> Timeline:
    """The decisions for a case on ``start`` and on every date up to ``end`` where any of
    them changes (birthdays that matter, compulsory school age, review due dates, law
    changes, the case's own dates), each change naming what changed and the rules that made
    it change. The dates come from the compiled rules and the case, not from evaluating
    every day. Raises :class:`SenRulesError` (SR203) when ``start`` is after ``end`` or
    before the latest date the case records.
    """
    return build_timeline(rulebase or bundled_rulebase(), case, start, end, backend)
