"""sen-rules: The Learning Trust (Hackney) SEN policy as an executable, auditable rulebase.

The stable API::

    import sen_rules
    rulebase = sen_rules.load_rulebase()              # the bundled rules, or a directory
    result = sen_rules.evaluate(case, as_of="2026-11-28")          # native backend
    result = sen_rules.evaluate(case, as_of=..., backend="durable")
    result.to_json()                                  # deterministic JSON with citations
    sen_rules.evaluate_many(cases, as_of=..., workers=2)           # batches, in order
    sen_rules.explain_case(case, as_of=...)           # trace, why not, counterfactuals
    record = sen_rules.make_record(case, as_of=...)   # a replayable decision record
    sen_rules.verify_record(record)                   # holds / differs / rulebase changed
    sen_rules.timeline(case, "2010-01-01", "2020-01-01")  # every date a decision changes

Every error raised on purpose is a :class:`SenRulesError` with a code and a location.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from .audit import Verification, make_record, record_to_json, verify_record
from .case import Case, case_json_schema, parse_case
from .engine.batch import BatchResult
from .engine.batch import evaluate_many as _evaluate_many
from .engine.result import Decision, Evaluation, Finding, RuleRef
from .engine.service import BACKENDS, evaluate_case
from .errors import (
    BackendUnavailableError,
    BatchError,
    CaseError,
    ConflictingOutcomesError,
    Diagnostic,
    EvaluationError,
    RecordError,
    RulebaseError,
    SenRulesError,
    SourceLocation,
)
from .explain import Explanation
from .explain import explain as explain_case
from .loading.bundled import bundled_rulebase
from .loading.loader import bundled_rules_dir, load_rulebase
from .reports.html import html_report
from .reports.markdown import markdown_report
from .rulebase import Rulebase
from .timelines import ChangePoint, Timeline, build_timeline
from .version import __version__ as __version__


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


__all__ = [
    "BACKENDS",
    "BackendUnavailableError",
    "BatchError",
    "BatchResult",
    "Case",
    "CaseError",
    "ChangePoint",
    "ConflictingOutcomesError",
    "Decision",
    "Diagnostic",
    "Evaluation",
    "EvaluationError",
    "Explanation",
    "Finding",
    "RecordError",
    "RuleRef",
    "Rulebase",
    "RulebaseError",
    "SenRulesError",
    "SourceLocation",
    "Timeline",
    "Verification",
    "bundled_rulebase",
    "bundled_rules_dir",
    "case_json_schema",
    "evaluate",
    "evaluate_many",
    "explain_case",
    "html_report",
    "load_rulebase",
    "make_record",
    "markdown_report",
    "parse_case",
    "record_to_json",
    "timeline",
    "verify_record",
]
