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

from typing import Any

from ..errors import ConflictingOutcomesError, EvaluationError
from ..language.syntax import Duration
from ..rulebase import Area, InForce, Rule, Rulebase
from .native import AreaProgram, Env, Matches, Program
from .ranking import rank
from .result import Decision, Evaluation, Finding, RuleRef, freeze

_ALWAYS = InForce()


def _ref(rule: Rule, role: str) -> RuleRef:
    return RuleRef(rule.id, rule.version, rule.title, role, rule.citations, rule.in_force)


def _value(v: Any) -> Any:
    if isinstance(v, Duration):
        return str(v)
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


def decide_area(rulebase: Rulebase, program: Program, ap: AreaProgram, env: Env,
                matches: Matches) -> Decision:
    area = ap.area
    in_force = program.epoch.rule_keys
    active = [r for r in area.rules if r.key in in_force]
    matched_outcomes = [r for r in active if r.effect == "outcome" and r.key in matches.rules]
    winners, overridden = resolve(area, matched_outcomes)
    role = "outcome"
    if not winners:
        otherwise = area.otherwise
        if otherwise is None or otherwise.key not in in_force:
            raise EvaluationError(f"no rule of area {area.id!r} gave an outcome and it has no "
                                  "'otherwise' rule in force", code="SR305")
        winners, role = [otherwise], "otherwise"
    outcome = winners[0].value
    spec = area.outcome(outcome)
    details = _details(ap, area, winners, env)
    refs = [_ref(r, role) for r in winners]
    flags: list[Finding] = []
    notes: list[Finding] = []
    for rule in active:
        if rule.effect == "outcome" or rule.key not in matches.rules:
            continue
        if rule.when_outcome is not None and rule.when_outcome != outcome:
            continue
        found = Finding(rule.value, rule.id, rule.message or rule.title,
                        freeze({k: _value(fn(env)) for k, fn in ap.details[rule.key].items()}))
        (flags if rule.effect == "flag" else notes).append(found)
        refs.append(_ref(rule, rule.effect))
    if area.ranking is not None and ap.collection is not None:
        policy = str(program.epoch.settings.get(area.ranking.conflict_policy, "ordered"))
        candidates = ap.collection(env) or ()
        details.update(rank(area.ranking, candidates, matches.elements, policy))
        for c in area.ranking.checks + area.ranking.criteria:
            refs.append(RuleRef(c.id, "1", c.title, c.kind, c.citations, _ALWAYS))
    return Decision(
        topic=area.id,
        title=area.title,
        outcome=outcome,
        outcome_label=spec.label if spec else outcome,
        details=freeze(details),
        rules=tuple(refs),
        flags=tuple(flags),
        notes=tuple(notes),
        overridden=tuple(r.id for r in overridden),
    )


def decide(rulebase: Rulebase, program: Program, env: Env, matches: Matches) -> Evaluation:
    decisions = tuple(
        decide_area(rulebase, program, ap, env, matches)
        for ap in program.areas
        if ap.area.id in matches.areas
    )
    return Evaluation(
        rulebase=freeze(rulebase.identity()),
        as_of=env.as_of,
        case_id=env.case.child.id,
        decisions=decisions,
    )
