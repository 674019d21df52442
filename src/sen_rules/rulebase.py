"""The loaded rulebase: immutable, versioned, hashed.

Everything the engine, explainer, linter and renderer need is here, already checked:
rules with their compiled conditions and citations, settings with the dates they are in
force, definitions, areas with their hit policies, the placement ranking, and the source
texts. The sha256 covers the canonical content (rules, settings, sources), so the same
files give the same hash in every process, and reformatting a file does not change it.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

from .dates import DateConventions, parse_day, parse_month_day
from .decision_graph import decision_order
from .errors import SourceLocation
from .language import ir
from .language.functions import FUNCTIONS
from .language.printer import canonical
from .sources import Source

HitPolicy = Literal["first", "any", "priority"]
Effect = Literal["outcome", "flag", "note"]
FOREVER_FROM = date(1, 1, 1)
FOREVER_UNTIL = date(9999, 12, 31)


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters (for reprs)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
        """Unique per version: ``id`` or ``id@version``."""
        return self.id if self.version == "1" else f"{self.id}@{self.version}"

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


@dataclass(frozen=True, slots=True)
class Reads:
    """What some expressions read, directly or through the definitions they use."""

    settings: frozenset[str]  # named in them (``settings.NAME``)
    function_settings: frozenset[str]  # read by the functions they call (date conventions)
    definitions: frozenset[str]  # keys of the definitions they use
    decisions: frozenset[tuple[str, str]] = frozenset()  # (area, field) of decisions read


@dataclass(frozen=True)
class Epoch:
    """A span of dates over which the same rule versions and setting values are in force."""

    start: date
    end: date
    rules: tuple[Rule, ...]
    settings: Mapping[str, Any]

    @cached_property
    def conventions(self) -> DateConventions:
        return conventions_from(self.settings)

    @cached_property
    def rule_keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.rules)


def conventions_from(settings: Mapping[str, Any]) -> DateConventions:
    defaults = DateConventions()
    return DateConventions(
        leap_day_birthday=settings.get("leap_day_birthday", defaults.leap_day_birthday),
        academic_year_start=parse_month_day(settings["academic_year_start"])
        if "academic_year_start" in settings else defaults.academic_year_start,
        prescribed_days=tuple(parse_month_day(d) for d in settings["prescribed_days"])
        if "prescribed_days" in settings else defaults.prescribed_days,
        compulsory_school_age_lower=settings.get(
            "compulsory_school_age_lower", defaults.compulsory_school_age_lower),
        compulsory_school_age_upper=settings.get(
            "compulsory_school_age_upper", defaults.compulsory_school_age_upper),
        school_leaving_month=settings.get("school_leaving_month", defaults.school_leaving_month),
        school_leaving_weekday=settings.get(
            "school_leaving_weekday", defaults.school_leaving_weekday),
    )


@dataclass(frozen=True, eq=False)
class Rulebase:
    """A loaded, checked rulebase. Build one with :func:`sen_rules.load_rulebase`."""

    name: str
    version: str
    title: str
    description: str
    directory: str
    sources: Mapping[str, Source]
    settings: Mapping[str, Setting]
    definitions: Mapping[str, Definition]
    areas: tuple[Area, ...]
    register: tuple[RegisterEntry, ...]
    fixed_facts: tuple[str, ...]
    scenario_paths: tuple[str, ...]
    warnings: tuple[Any, ...] = field(default=())

    def __repr__(self) -> str:
        rules = sum(len(a.all_rules) for a in self.areas)
        return (f"Rulebase({self.name} {self.version}, sha256 {self.sha256[:12]}…, "
                f"{len(self.areas)} areas, {rules} rules, from {self.directory})")

    # ------------------------------------------------------------------ identity
    @cached_property
    def canonical(self) -> dict[str, Any]:
        """The content the hash covers: meaning, not formatting."""
        return canonical_content(self)

    @cached_property
    def sha256(self) -> str:
        text = json.dumps(self.canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    def identity(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256}

    # ------------------------------------------------------------------ lookups
    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule version, including each area's ``otherwise`` rule."""
        return tuple(rule for area in self.areas for rule in area.all_rules)

    @cached_property
    def rules_by_key(self) -> Mapping[str, Rule]:
        return {r.key: r for r in self.rules}

    def rule(self, rule_id: str) -> Rule | None:
        return self.rules_by_key.get(rule_id) or next(
            (r for r in self.rules if r.id == rule_id), None)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def definition_key(self, name: str, area: str | None) -> str:
        """The key of the definition that ``name`` means in ``area``: the area's own
        definition of that name, else the shared one (a key not in ``definitions`` when
        there is neither)."""
        if area is not None and f"{area}:{name}" in self.definitions:
            return f"{area}:{name}"
        return name

    def reads(self, roots: Iterable[tuple[str | None, ir.Expr]]) -> Reads:
        """What the expressions read, each given with the area it is read in (None: outside
        any area), following the definitions they use as the compiler resolves them."""
        settings: set[str] = set()
        by_functions: set[str] = set()
        used: set[str] = set()
        decisions: set[tuple[str, str]] = set()
        pending = list(roots)
        while pending:
            area, expr = pending.pop()
            for node in ir.walk(expr):
                if isinstance(node, ir.SettingRef):
                    settings.add(node.name)
                elif isinstance(node, ir.DecisionRef):
                    decisions.add((node.area, node.field))
                elif isinstance(node, ir.Call):
                    by_functions.update(FUNCTIONS[node.function].settings)
                elif isinstance(node, ir.DefinitionRef):
                    key = self.definition_key(node.name, area)
                    definition = self.definitions.get(key)
                    if definition is not None and key not in used:
                        used.add(key)
                        pending.append((definition.area, definition.expr))
        return Reads(frozenset(settings), frozenset(by_functions), frozenset(used),
                     frozenset(decisions))

    # ------------------------------------------------------------------ decision graph
    @cached_property
    def decision_order(self) -> tuple[Area, ...]:
        """The areas in the order they are decided: each after the areas whose decisions it
        uses, otherwise in manifest order (:mod:`sen_rules.decision_graph`)."""
        order = decision_order([a.id for a in self.areas], {a.id: a.uses for a in self.areas})
        by_id = {a.id: a for a in self.areas}
        return tuple(by_id[a] for a in order)

    @cached_property
    def used_decisions(self) -> frozenset[str]:
        """The areas whose decision some other area reads."""
        return frozenset(u for a in self.areas for u in a.uses)

    def area_reads(self, area: Area) -> Reads:
        """What an area's applies_when, rules (conditions and details) and ranking read."""
        roots: list[tuple[str | None, ir.Expr]] = []
        if area.applies_when is not None:
            roots.append((area.id, area.applies_when))
        for rule in area.all_rules:
            roots.append((area.id, rule.condition))
            roots.extend((area.id, e) for e in rule.details.values())
        if area.ranking is not None:
            roots.append((area.id, area.ranking.collection))
            for c in area.ranking.checks + area.ranking.criteria:
                roots.extend(((area.id, c.prefer), (area.id, c.over)))
        return self.reads(roots)

    # ------------------------------------------------------------------ effective dates
    @cached_property
    def _boundaries(self) -> list[date]:
        points = {FOREVER_FROM}
        spans = [r.in_force for r in self.rules if r.dated_by is None]
        spans += [v.in_force for s in self.settings.values() for v in s.versions]
        for span in spans:
            points.add(span.start)
            if span.end < FOREVER_UNTIL:
                points.add(date.fromordinal(span.end.toordinal() + 1))
        return sorted(points)

    @cached_property
    def _epochs(self) -> dict[date, Epoch]:
        return {}

    def epoch(self, day: date) -> Epoch:
        """The rules and settings in force on ``day`` (cached per span of dates)."""
        bounds = self._boundaries
        i = bisect.bisect_right(bounds, day) - 1
        start = bounds[i]
        cached = self._epochs.get(start)
        if cached is not None:
            return cached
        end = (date.fromordinal(bounds[i + 1].toordinal() - 1)
               if i + 1 < len(bounds) else FOREVER_UNTIL)
        epoch = Epoch(
            start=start,
            end=end,
            # a rule dated by an event of the case is in every epoch; its guard chooses
            rules=tuple(r for r in self.rules
                        if r.dated_by is not None or r.in_force.covers(day)),
            settings={name: value for name, s in self.settings.items()
                      if (value := s.value_on(day)) is not None},
        )
        self._epochs[start] = epoch
        return epoch


def _expr(e: ir.Expr | None) -> str | None:
    return None if e is None else canonical(e)


def _rule_content(r: Rule) -> dict[str, Any]:
    in_force: dict[str, str | None] = r.in_force.as_dict()
    if r.dated_by is not None:
        in_force["dated_by"] = canonical(r.dated_by)
        in_force["date_of"] = r.date_of
    content: dict[str, Any] = {
        "id": r.id, "version": r.version, "title": r.title, "area": r.area,
        "when": canonical(r.condition), "effect": r.effect, "value": r.value,
        "message": r.message, "details": {k: canonical(v) for k, v in r.details.items()},
        "priority": r.priority, "in_force": in_force, "when_outcome": r.when_outcome,
        "cites": [c.as_dict() for c in r.citations], "register": list(r.register),
    }
    if r.when_decided_by:
        content["when_decided_by"] = list(r.when_decided_by)
    return content


def _criterion_content(c: Criterion) -> dict[str, Any]:
    content = {"id": c.id, "kind": c.kind, "title": c.title, "prefer": canonical(c.prefer),
               "over": canonical(c.over), "labels": [c.prefer_label, c.over_label],
               "cites": [x.as_dict() for x in c.citations]}
    if c.words is not None:
        content["words"] = c.words
    return content


def canonical_content(rb: Rulebase) -> dict[str, Any]:
    def value(v: Any) -> Any:
        return v.isoformat() if isinstance(v, date) else v

    return {
        "name": rb.name,
        "version": rb.version,
        "sources": {
            sid: {"sha256": s.sha256, "clauses": {c.id: [c.kind, c.line, c.normative]
                                                   for c in s.clauses.values()}}
            for sid, s in sorted(rb.sources.items())
        },
        "settings": {
            name: {"type": s.type, "choices": s.choices,
                   "versions": [[value(v.value) if not isinstance(v.value, (list, tuple))
                                 else [value(x) for x in v.value], v.in_force.as_dict()]
                                for v in s.versions]}
            for name, s in sorted(rb.settings.items())
        },
        "definitions": {n: [d.area, d.variable, canonical(d.expr)]
                        for n, d in sorted(rb.definitions.items())},
        "areas": [
            {
                "id": a.id, "uses": list(a.uses), "hit_policy": a.hit_policy,
                "applies_when": _expr(a.applies_when),
                "outcomes": [[o.value, o.label, list(o.notes)] for o in a.outcomes],
                "combine": dict(sorted(a.combine.items())),
                "otherwise": _rule_content(a.otherwise) if a.otherwise else None,
                "rules": [_rule_content(r) for r in a.rules],
                "ranking": None if a.ranking is None else {
                    "variable": a.ranking.variable,
                    "collection": canonical(a.ranking.collection),
                    "checks": [_criterion_content(c) for c in a.ranking.checks],
                    "criteria": [_criterion_content(c) for c in a.ranking.criteria],
                    "conflict_policy": a.ranking.conflict_policy,
                    "checks_tiers": list(a.ranking.checks_tiers),
                    "checks_words": a.ranking.checks_words,
                },
            }
            for a in rb.areas
        ],
        "fixed_facts": list(rb.fixed_facts),
    }
