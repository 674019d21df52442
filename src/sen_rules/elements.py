"""The elements of a rulebase: citations, spans in force, rules, definitions, settings,
outcomes, the ranking's checks and criteria, areas and the entries of the ambiguity
register. Each is immutable and already checked by the loader (:mod:`sen_rules.loading`);
:class:`sen_rules.rulebase.Rulebase` holds them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .dates import parse_day
from .errors import SourceLocation
from .language import ir

HitPolicy = Literal["first", "any", "priority"]
Effect = Literal["outcome", "flag", "note"]
FOREVER_FROM = date(1, 1, 1)
FOREVER_UNTIL = date(9999, 12, 31)


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters (for reprs)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def rule_key(rule_id: str, version: str) -> str:
    """The key of one version of a rule, unique in a rulebase: ``id`` for the first
    version, ``id@version`` for any other."""
    return rule_id if version == "1" else f"{rule_id}@{version}"


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote from a clause of a source (and, optionally, a statute reference)."""

    source: str
    clause: str
    quote: str
    reference: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "clause": self.clause, "quote": self.quote}
        if self.reference:
            d["reference"] = self.reference
        return d

    def __repr__(self) -> str:
        return f"Citation({self.source} § {self.clause}: {short(self.quote, 60)!r})"


@dataclass(frozen=True, slots=True)
class InForce:
    """The dates a rule or setting is in force: from ``start`` to ``end``, both included."""

    start: date = FOREVER_FROM
    end: date = FOREVER_UNTIL

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def always(self) -> bool:
        return self.start == FOREVER_FROM and self.end == FOREVER_UNTIL

    def describe(self) -> str:
        if self.always:
            return "always"
        parts = []
        if self.start != FOREVER_FROM:
            parts.append(f"from {self.start.isoformat()}")
        if self.end != FOREVER_UNTIL:
            parts.append(f"until {self.end.isoformat()}")
        return " ".join(parts)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "from": None if self.start == FOREVER_FROM else self.start.isoformat(),
            "until": None if self.end == FOREVER_UNTIL else self.end.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, str | None] | None) -> InForce:
        """The inverse of :meth:`as_dict` (no mapping: always in force)."""
        if not d:
            return cls()
        start, end = d.get("from"), d.get("until")
        return cls(parse_day(start) if start else FOREVER_FROM,
                   parse_day(end) if end else FOREVER_UNTIL)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: when its condition holds, it gives an outcome, a flag or a note."""

    id: str
    version: str  # "1" unless the file says otherwise; two versions of an id may coexist
    title: str
    area: str
    condition: ir.Expr
    effect: Effect
    value: str  # the outcome, or the flag/note code
    message: str | None
    details: Mapping[str, ir.Expr]
    priority: int
    order: int  # position in the rulebase, for stable ordering
    in_force: InForce
    citations: tuple[Citation, ...]
    register: tuple[str, ...]
    location: SourceLocation
    when_outcome: str | None = None  # a flag or note that accompanies this outcome of its area
    # a flag or note that accompanies a decision only when one of these outcome rules (ids,
    # any version) is among the rules that decided it
    when_decided_by: tuple[str, ...] = ()
    # The date of the case that chooses the version (None: the evaluation date), the event
    # it dates in words, and the condition the engines test for such a rule: the date is
    # within ``in_force``, and ``condition`` holds (see :func:`versions.version_guard`).
    dated_by: ir.Expr | None = None
    date_of: str | None = None
    guarded: ir.Expr | None = None

    @property
    def key(self) -> str:
        """Unique per version: ``id`` or ``id@version`` (:func:`rule_key`)."""
        return rule_key(self.id, self.version)

    def __repr__(self) -> str:
        return f"Rule({self.key}: {self.effect} {self.value}, {self.location})"

    @property
    def when_in_force(self) -> ir.Expr:
        """The condition the engines test: for a rule dated by an event of the case, the
        version guard and the condition; otherwise the condition as written."""
        return self.guarded if self.guarded is not None else self.condition

    @property
    def versioned(self) -> bool:
        """Whether a date chooses this version: it has dates, or is dated by the case."""
        return self.dated_by is not None or not self.in_force.always


@dataclass(frozen=True, slots=True)
class Definition:
    """A named value or condition that rules can use (a derived fact)."""

    name: str
    title: str
    expr: ir.Expr
    area: str | None  # None: visible to every area
    variable: str | None  # set for definitions about each candidate
    location: SourceLocation
    citations: tuple[Citation, ...] = ()

    def __repr__(self) -> str:
        return f"Definition({self.name}, {self.location})"


@dataclass(frozen=True, slots=True)
class SettingVersion:
    value: Any
    in_force: InForce


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    title: str
    type: str
    choices: tuple[str, ...] | None
    versions: tuple[SettingVersion, ...]
    citations: tuple[Citation, ...]
    register: tuple[str, ...]
    location: SourceLocation

    def value_on(self, day: date) -> Any:
        for version in self.versions:
            if version.in_force.covers(day):
                return version.value
        return None

    def __repr__(self) -> str:
        values = ", ".join(repr(v.value) for v in self.versions)
        return f"Setting({self.name} = {short(values, 60)})"


@dataclass(frozen=True, slots=True)
class OutcomeSpec:
    value: str
    label: str
    notes: tuple[str, ...] = ()  # ids of note rules that always accompany this outcome


@dataclass(frozen=True, slots=True)
class Criterion:
    """A placement preference: candidates where ``prefer`` holds rank above those where
    ``over`` holds. A check (``kind == "check"``) is something the policy seeks to ensure."""

    id: str
    kind: Literal["check", "criterion"]
    title: str
    prefer: ir.Expr  # for a check: met
    over: ir.Expr  # for a check: not met
    prefer_label: str
    over_label: str
    order: int
    citations: tuple[Citation, ...]
    register: tuple[str, ...]
    location: SourceLocation
    words: str | None = None  # how outputs name it: words quoted from one of its citations


# A candidate's place on the checks is its worst check, worst meaning last in this order.
DEFAULT_CHECKS_TIERS = ("met", "not_known", "not_met")


@dataclass(frozen=True, slots=True)
class Ranking:
    variable: str
    collection: ir.FieldRef
    checks: tuple[Criterion, ...]
    criteria: tuple[Criterion, ...]
    conflict_policy: str  # name of the setting that holds the policy
    citations: tuple[Citation, ...]
    location: SourceLocation
    checks_tiers: tuple[str, ...] = DEFAULT_CHECKS_TIERS
    checks_words: str | None = None  # how outputs name the checks taken together


@dataclass(frozen=True, slots=True)
class Area:
    """A policy area: one decision topic, decided by its rules under a hit policy."""

    id: str
    title: str
    summary: str
    file: str
    applies_when: ir.Expr | None
    applies_citations: tuple[Citation, ...]
    hit_policy: HitPolicy
    outcomes: tuple[OutcomeSpec, ...]
    otherwise: Rule | None
    combine: Mapping[str, str]  # detail name -> earliest | latest | first
    rules: tuple[Rule, ...]
    ranking: Ranking | None
    order: int
    uses: tuple[str, ...] = ()  # areas whose decisions this one reads, in the file's order

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """The area's rules, then its ``otherwise`` rule if it has one."""
        return self.rules if self.otherwise is None else (*self.rules, self.otherwise)

    def outcome(self, value: str) -> OutcomeSpec | None:
        for spec in self.outcomes:
            if spec.value == value:
                return spec
        return None

    def __repr__(self) -> str:
        return (f"Area({self.id}: {len(self.all_rules)} rules, hit policy {self.hit_policy}, "
                f"{self.file})")


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """An ambiguity: where the text can be read two ways, the reading chosen and why."""

    id: str
    title: str
    question: str
    readings: tuple[str, ...]
    chosen: str
    why: str
    settings: tuple[str, ...]
    clauses: tuple[tuple[str, str], ...]  # (source, clause) pairs it concerns
    not_implemented: bool  # the clause is deliberately not turned into a rule
    location: SourceLocation


