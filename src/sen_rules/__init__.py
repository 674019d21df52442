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

from .api import evaluate, evaluate_many, timeline
from .audit import Verification, make_record, record_to_json, verify_record
from .case import Case, case_json_schema, parse_case
from .engine.batch import BatchResult
from .engine.result import Decision, Evaluation, Finding, RuleRef
from .engine.service import BACKENDS
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
from .timelines import ChangePoint, Timeline
from .version import __version__ as __version__

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
