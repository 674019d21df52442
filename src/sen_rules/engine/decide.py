"""From what matched to decisions: hit policies, details, flags, notes and ranking.

Both backends report only *what matched* (:class:`Matches`); turning that into decisions
is this one shared step, so the backends cannot differ in how a policy area resolves
several matching rules (DMN-style hit policies, declared per area in the rule files):

``first``     rules are tried in priority order; the first that matches decides.
``any``       every matching rule must give the same outcome; all of them are cited.
``priority``  the outcome listed first among those matched wins; every rule that gave it
              is cited, the others are reported as overridden.

When no rule gives an outcome, the area's ``otherwise`` rule decides (it cites too).
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from ..errors import ConflictingOutcomesError, EvaluationError
from ..language import ir
from ..language.printer import canonical
from ..language.syntax import Duration
from ..rulebase import Area, InForce, Rule
from ..versions import version_reason
from .native import AreaProgram, Env, Fn, Matches, Program
from .ranking import rank
from .result import Decision, Evaluation, Finding, RuleRef, VersionChoice, freeze

_ALWAYS = InForce()


def _ref(rule: Rule, role: str) -> RuleRef:
    return RuleRef(rule.id, rule.version, rule.title, role, rule.citations, rule.in_force)


def _value(v: Any) -> Any:
    """Details are JSON values: dates as ISO text, durations in words."""
    if isinstance(v, Duration):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return tuple(_value(x) for x in v)
    return v


def resolve(area: Area, matched: list[Rule]) -> tuple[list[Rule], list[Rule]]:
    """Apply the area's hit policy to the matching outcome rules: (deciding, overridden)."""
    if not matched:
        return [], []
    if area.hit_policy == "first":
        ordered = sorted(matched, key=lambda r: (r.priority, r.order))
        return ordered[:1], ordered[1:]
    if area.hit_policy == "any":
        outcomes = sorted({r.value for r in matched})
        if len(outcomes) > 1:
            ids = ", ".join(f"{r.id} ({r.value})" for r in matched)
            raise ConflictingOutcomesError(
                f"area {area.id!r} allows only one outcome, but its rules matched with "
                f"different outcomes: {ids}")
        return sorted(matched, key=lambda r: r.order), []
    rank_of = {o.value: i for i, o in enumerate(area.outcomes)}
    best = min(rank_of[r.value] for r in matched)
    winners = sorted((r for r in matched if rank_of[r.value] == best), key=lambda r: r.order)
    others = sorted((r for r in matched if rank_of[r.value] != best), key=lambda r: r.order)
    return winners, others


def _details(ap: AreaProgram, area: Area, winners: list[Rule], env: Env) -> dict[str, Any]:
    collected: dict[str, list[Any]] = {}
    for rule in winners:
        for name, fn in ap.details.get(rule.key, {}).items():
            collected.setdefault(name, []).append(_value(fn(env)))
    details: dict[str, Any] = {}
    for name, values in collected.items():
        how = area.combine.get(name, "first")
        known = [v for v in values if v is not None]
        if how == "earliest":
            details[name] = min(known) if known else None
        elif how == "latest":
            details[name] = max(known) if known else None
        else:
            details[name] = values[0]
    return details


class AreaPlan:
    """What does not change between evaluations of an area in one epoch, worked out once."""

    __slots__ = (
        "area",
        "dating",
        "finding_rules",
        "labels",
        "otherwise",
        "otherwise_ref",
        "outcome_rules",
        "ranking_refs",
        "refs",
    )

    def __init__(self, ap: AreaProgram, program: Program) -> None:
        in_force = program.epoch.rule_keys
        area = ap.area
        active = [r for r in area.rules if r.key in in_force]
        # rules with versions: the date that chooses each (None: the evaluation date)
        self.dating: dict[str, tuple[Rule, Fn | None]] = {}
        for r in active:
            if r.versioned:
                self.dating[r.key] = (r, None if r.dated_by is None
                                      else _compile(program, r.dated_by, area.id))
        self.area = area
        self.outcome_rules = tuple(r for r in active if r.effect == "outcome")
        self.finding_rules = tuple(r for r in active if r.effect != "outcome")
        self.refs = {r.key: _ref(r, r.effect) for r in active}
        otherwise = area.otherwise
        self.otherwise = otherwise if otherwise is not None and otherwise.key in in_force else None
        self.otherwise_ref = (_ref(self.otherwise, "otherwise") if self.otherwise is not None
                              else None)
        self.ranking_refs = tuple(
            RuleRef(c.id, "1", c.title, c.kind, c.citations, _ALWAYS)
            for c in ((area.ranking.checks + area.ranking.criteria) if area.ranking else ()))
        self.labels = {o.value: o.label for o in area.outcomes}


    def ref(self, key: str, env: Env) -> RuleRef:
        """The rule's reference; for a rule with versions, with the date that chose it."""
        ref = self.refs[key]
        dating = self.dating.get(key)
        if dating is None:
            return ref
        rule, fn = dating
        day = env.as_of if fn is None else fn(env)
        choice = VersionChoice("as_of" if rule.dated_by is None else canonical(rule.dated_by),
                               day, version_reason(rule, day))
        return RuleRef(ref.id, ref.version, ref.title, ref.role, ref.citations, ref.in_force,
                       choice)


_COMPILING = threading.Lock()


def _compile(program: Program, expr: ir.Expr, area: str) -> Fn:
    """An expression compiled by the program's compiler in an area's scope (once per plan)."""
    with _COMPILING:
        compiler = program.compiler
        saved = compiler.area
        compiler.area = area
        try:
            return compiler.compile(expr)
        finally:
            compiler.area = saved


def plan_for(program: Program, ap: AreaProgram) -> AreaPlan:
    plan = program.plans.get(ap.area.id)
    if plan is None:
        plan = AreaPlan(ap, program)
        program.plans[ap.area.id] = plan
    return plan


_EMPTY: Any = freeze({})


def decide_area(program: Program, ap: AreaProgram, env: Env, matches: Matches) -> Decision:
    plan = plan_for(program, ap)
    area = ap.area
    fired = matches.rules
    matched_outcomes = [r for r in plan.outcome_rules if r.key in fired]
    winners, overridden = resolve(area, matched_outcomes)
    if winners:
        refs = [plan.ref(r.key, env) for r in winners]
    else:
        if plan.otherwise is None:
            raise EvaluationError(f"no rule of area {area.id!r} gave an outcome and it has no "
                                  "'otherwise' rule in force", code="SR305")
        assert plan.otherwise_ref is not None
        winners = [plan.otherwise]
        refs = [plan.otherwise_ref]
    outcome = winners[0].value
    details = _details(ap, area, winners, env) if any(r.details for r in winners) else {}
    flags: list[Finding] = []
    notes: list[Finding] = []
    for rule in plan.finding_rules:
        if rule.key not in fired:
            continue
        if rule.when_outcome is not None and rule.when_outcome != outcome:
            continue
        extra = (freeze({k: _value(fn(env)) for k, fn in ap.details[rule.key].items()})
                 if rule.details else _EMPTY)
        found = Finding(rule.value, rule.id, rule.message or rule.title, extra)
        (flags if rule.effect == "flag" else notes).append(found)
        refs.append(plan.ref(rule.key, env))
    if area.ranking is not None and ap.collection is not None:
        policy = str(program.epoch.settings.get(area.ranking.conflict_policy, "ordered"))
        candidates = ap.collection(env) or ()
        details.update(rank(area.ranking, candidates, matches.elements, policy))
        refs.extend(plan.ranking_refs)
    return Decision(
        topic=area.id,
        title=area.title,
        outcome=outcome,
        outcome_label=plan.labels.get(outcome, outcome),
        details=freeze(details) if details else _EMPTY,
        rules=tuple(refs),
        flags=tuple(flags),
        notes=tuple(notes),
        overridden=tuple(r.id for r in overridden),
    )


def decide(program: Program, env: Env, matches: Matches) -> Evaluation:
    decisions = tuple(
        decide_area(program, ap, env, matches)
        for ap in program.areas
        if ap.area.id in matches.areas
    )
    return Evaluation(
        rulebase=program.identity,
        as_of=env.as_of,
        case_id=env.case.child.id,
        decisions=decisions,
    )
