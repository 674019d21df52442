"""The shapes of requests and answers, for the OpenAPI document.

Requests are read by :mod:`.limits` (strictly: duplicate keys, depth, size) and the case
by :func:`sen_rules.parse_case`; these models only describe them. The ``case`` of every
request is the library's own :class:`sen_rules.Case`, so the OpenAPI document and
``sen-rules schema`` are generated from the same Pydantic model.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..case import Case


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class EvaluateRequest(BaseModel):
    """A case and the date to decide it on."""

    model_config = ConfigDict(extra="forbid")
    case: Case
    as_of: date | None = Field(None, description="evaluation date YYYY-MM-DD "
                               "(default: today on the server's clock)")
    backend: Literal["native", "durable"] = "native"


class BatchLine(BaseModel):
    """One line of a batch: a case, or ``{"case": ..., "as_of": ...}``."""

    model_config = ConfigDict(extra="forbid")
    case: Case
    as_of: date | None = None


class RulebaseIdentity(BaseModel):
    name: str
    version: str
    sha256: str


class Citation(BaseModel):
    source: str
    clause: str
    quote: str
    reference: str | None = None


class RuleRef(BaseModel):
    id: str
    version: str
    title: str
    role: str
    citations: list[Citation]
    in_force: dict[str, str | None] | None = None


class Finding(BaseModel):
    code: str
    rule: str
    message: str
    details: dict[str, Any] | None = None


class Decision(BaseModel):
    topic: str
    title: str
    outcome: str
    outcome_label: str
    details: dict[str, Any]
    rules: list[RuleRef]
    flags: list[Finding]
    notes: list[Finding]
    overridden: list[str]


class Evaluation(BaseModel):
    """The decisions of every policy area that applies, with the rules and clauses cited.
    Byte for byte what ``sen-rules evaluate --format json`` prints."""

    rulebase: RulebaseIdentity
    as_of: str
    case_id: str
    decisions: list[Decision]


class BatchError(BaseModel):
    code: str
    message: str


class BatchResultLine(BaseModel):
    """One line of a batch answer (as ``sen-rules evaluate --jsonl`` writes it)."""

    line: int
    ok: bool
    evaluation: Evaluation | None = None
    error: BatchError | None = None


class Explanation(_Open):
    """The decision, its full trace, and what would change it (``sen-rules explain``)."""

    rulebase: RulebaseIdentity
    as_of: str
    case_id: str
    backend: str
    evaluation: Evaluation
    trace: dict[str, Any]
    counterfactuals: list[dict[str, Any]]


class CompactExplanation(_Open):
    """The same explanation without what the rulebase holds (``sen-rules explain --format
    json --compact``): rules, definitions and nodes named by id, version and key under the
    rulebase's sha256 (docs/auditing.md, "The compact JSON form")."""

    form: Literal["compact"]
    rulebase: RulebaseIdentity
    as_of: str
    case_id: str
    backend: str
    evaluation: dict[str, Any]
    trace: dict[str, Any]
    counterfactuals: list[dict[str, Any]]


class DecisionRecord(_Open):
    """A sealed decision record (``sen-rules record``)."""

    record: dict[str, Any]
    package: dict[str, str]
    rulebase: RulebaseIdentity
    backend: str
    as_of: str
    case: dict[str, Any]
    case_sha256: str
    evaluation: Evaluation
    trace: dict[str, Any]
    seal: dict[str, str]


class Difference(BaseModel):
    topic: str
    what: str
    recorded: Any
    now: Any
    text: str


class Verification(BaseModel):
    """The answer of replaying a record (``sen-rules verify --format json``)."""

    status: Literal["holds", "differs", "rulebase-changed"]
    exit_code: int
    case_id: str
    case_sha256: str
    as_of: str
    backend: str
    recorded_rulebase: RulebaseIdentity
    current_rulebase: RulebaseIdentity
    recorded_package: str
    current_package: str
    decisions_differ: bool
    differences: list[Difference]
    trace_matches: bool


class Area(BaseModel):
    id: str
    title: str
    rules: int


class Span(BaseModel):
    from_: str | None = Field(alias="from")
    until: str | None
    rules: int


class RulebaseInfo(BaseModel):
    """The rulebase serving now."""

    name: str
    version: str
    sha256: str
    title: str
    areas: list[Area]
    in_force: list[Span]
    loaded_at: str


class ReloadAnswer(BaseModel):
    changed: bool
    rulebase: RulebaseInfo


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready", "not ready"]
    rulebase: RulebaseIdentity
    decision_log: Literal["ok", "unavailable", "not configured"]


class StoredDecision(BaseModel):
    id: str
    seq: int
    recorded_at: str
    case_id: str
    as_of: str
    rulebase: RulebaseIdentity
    package_version: str
    backend: str
    outcomes: dict[str, str | None]


class DecisionList(BaseModel):
    decisions: list[StoredDecision]
    next_before: int | None = Field(description="pass as `before` for the next page")


class ReverifyCounts(BaseModel):
    holds: int
    differs: int
    rulebase_changed_same: int = Field(alias="rulebase-changed-same")
    rulebase_changed_differs: int = Field(alias="rulebase-changed-differs")
    altered: int
    needs_key: int = Field(alias="needs-key")


class ReverifyAnswer(BaseModel):
    rulebase: RulebaseIdentity
    total: int
    counts: ReverifyCounts
    differing: list[dict[str, Any]]


class ProblemDetail(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    code: str = Field(description="the SRnnn code (docs/service.md lists them)")
    detail: str
    instance: str | None = None
    errors: list[dict[str, str]] | None = None
