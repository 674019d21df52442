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

from datetime import date
from typing import Any

from .. import codes
from ..errors import ConflictingOutcomesError, EvaluationError
from ..language.printer import canonical, words
from ..language.syntax import Duration
from ..rulebase import Area, Epoch, InForce, Rule, Rulebase
from ..versions import version_reason
from .compiler import NOT_APPLYING, Compiler, DecisionValue, Env, Fn
from .program import AreaProgram, Matches, Program
from .ranking import rank
from .result import (
    Decision,
    DecisionBasis,
    Evaluation,
    Finding,
    NotApplicable,
    RuleRef,
    SettingUsed,
    VersionChoice,
    freeze,
)

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
        "applies_reads",
        "area",
        "area_settings",
        "code",
        "dating",
        "finding_rules",
        "in_force",
        "labels",
        "otherwise",
        "otherwise_ref",
        "outcome_rules",
        "ranking_refs",
        "refs",
        "rule_decisions",
        "rule_settings",
        "setting_info",
    )

    def __init__(self, ap: AreaProgram, rulebase: Rulebase, epoch: Epoch,
                 compiler: Compiler) -> None:
        in_force = epoch.rule_keys
        settings = epoch.settings
        area = ap.area
        self.code = ap  # the plain closures of the area (details, ranking, applies_when)
        self.in_force = tuple(rulebase.rules_by_key[key] for key, _ in ap.rules)
        active = [r for r in area.rules if r.key in in_force]
        # rules with versions: the date that chooses each (None: the evaluation date)
        self.dating: dict[str, tuple[Rule, Fn | None]] = {}
        for r in active:
            if r.versioned:
                self.dating[r.key] = (r, None if r.dated_by is None
                                      else compiler.compile(r.dated_by, area.id))
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
        # what each rule (condition and details) and the area's applies_when read: the
        # settings (conventions read by date functions included) and other decisions
        self.rule_settings: dict[str, frozenset[str]] = {}
        self.rule_decisions: dict[str, frozenset[tuple[str, str]]] = {}
        for rule in area.all_rules:
            reads = rulebase.reads([(area.id, rule.condition)]
                                   + [(area.id, e) for e in rule.details.values()])
            self.rule_settings[rule.key] = reads.settings | reads.function_settings
            self.rule_decisions[rule.key] = reads.decisions
        self.applies_reads = rulebase.reads(
            [(area.id, area.applies_when)] if area.applies_when is not None else [])
        extra = set(self.applies_reads.settings | self.applies_reads.function_settings)
        if area.ranking is not None:
            ranking = area.ranking
            extra.add(ranking.conflict_policy)
            for c in ranking.checks + ranking.criteria:
                reads = rulebase.reads([(area.id, c.prefer), (area.id, c.over)])
                extra |= reads.settings | reads.function_settings
        self.area_settings = frozenset(extra)
        self.setting_info = {name: SettingUsed(name, s.title, freeze(settings.get(name)))
                             for name, s in rulebase.settings.items()}


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


def _basis(rulebase: Rulebase, topic: str, value: DecisionValue,
           fields: set[str]) -> DecisionBasis:
    """A decision as read by another area: the fields read (its details among them)."""
    area = rulebase.area(topic)
    title = area.title if area is not None else topic
    decision = value.decision
    if decision is None or not value.applies:
        return DecisionBasis(topic, title, False, None, None, _EMPTY, ())
    details = {k: v for k, v in value.details.items() if k in fields}
    return DecisionBasis(topic, title, True, value.outcome, decision.outcome_label,
                         freeze(details) if details else _EMPTY, decision.deciding)


def _bases(rulebase: Rulebase, reads: frozenset[tuple[str, str]],
           env: Env) -> tuple[DecisionBasis, ...]:
    fields: dict[str, set[str]] = {}
    for topic, name in reads:
        fields.setdefault(topic, set()).add(name)
    order = [a.id for a in rulebase.areas]
    return tuple(_basis(rulebase, topic, env.decisions.get(topic, NOT_APPLYING), fields[topic])
                 for topic in sorted(fields, key=order.index))


_EMPTY: Any = freeze({})


def decide_area(program: Program, ap: AreaProgram, env: Env, matches: Matches) -> Decision:
    plan = program.plans[ap.area.id]
    ap = plan.code
    area = ap.area
    fired = matches.rules
    matched_outcomes = [r for r in plan.outcome_rules if r.key in fired]
    winners, overridden = resolve(area, matched_outcomes)
    if winners:
        refs = [plan.ref(r.key, env) for r in winners]
    else:
        if plan.otherwise is None:
            raise EvaluationError(f"no rule of area {area.id!r} gave an outcome and it has no "
                                  "'otherwise' rule in force", code=codes.SR305)
        assert plan.otherwise_ref is not None
        winners = [plan.otherwise]
        refs = [plan.otherwise_ref]
    outcome = winners[0].value
    decided_by = {r.id for r in winners}
    if env.observer is not None:
        env.observer.decided(area.id, outcome, tuple(r.key for r in winners),
                             tuple(r.key for r in overridden),
                             rule_roles(plan, fired, winners, outcome))
    details = _details(ap, area, winners, env) if any(r.details for r in winners) else {}
    flags: list[Finding] = []
    notes: list[Finding] = []
    for rule in plan.finding_rules:
        if rule.key not in fired:
            continue
        if rule.when_outcome is not None and rule.when_outcome != outcome:
            continue
        if rule.when_decided_by and not decided_by.intersection(rule.when_decided_by):
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
    names, reads = _reads(plan, winners, fired, outcome)
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
        settings=tuple(plan.setting_info[n] for n in sorted(names)),
        uses=_bases(program.rulebase, frozenset(reads), env) if reads else (),
    )


def _reads(plan: AreaPlan, winners: list[Rule], fired: frozenset[str], outcome: str
           ) -> tuple[set[str], set[tuple[str, str]]]:
    """The settings and the decision fields a decision rests on (its rules that were used)."""
    used = [r.key for r in winners] + [r.key for r in plan.finding_rules
                                       if r.key in fired and (r.when_outcome is None
                                                              or r.when_outcome == outcome)]
    names = set(plan.area_settings)
    reads: set[tuple[str, str]] = set(plan.applies_reads.decisions)
    for key in used:
        names |= plan.rule_settings[key]
        reads |= plan.rule_decisions[key]
    return names, reads


def rule_roles(plan: AreaPlan, fired: frozenset[str], winners: list[Rule],
               outcome: str) -> dict[str, str]:
    """The part each rule in force played in a decision, in words (for explanations)."""
    area = plan.area
    winning = {r.key for r in winners}
    decided_by = {r.id for r in winners}
    roles: dict[str, str] = {}
    for r in plan.in_force:
        if r.key in winning:
            role = "decided" if r is not area.otherwise else "decided (otherwise)"
        elif r is area.otherwise:
            role = "not needed"
        elif r.key not in fired:
            role = "did not fire"
        elif r.effect == "outcome":
            role = "overridden"
        elif r.when_outcome is not None and r.when_outcome != outcome:
            role = f"not raised: only with outcome {r.when_outcome}"
        elif r.when_decided_by and not decided_by.intersection(r.when_decided_by):
            role = "not raised: only when decided by " + ", ".join(r.when_decided_by)
        else:
            role = f"{r.effect} raised"
        roles[r.key] = role
    return roles


def record_decision(program: Program, ap: AreaProgram, env: Env,
                    matches: Matches) -> Decision | None:
    """Decide one area (None: it does not apply) and keep the decision in ``env`` for the
    areas that use it."""
    if ap.area.id not in matches.areas:
        env.decisions[ap.area.id] = NOT_APPLYING
        return None
    decision = decide_area(program, ap, env, matches)
    env.decisions[ap.area.id] = DecisionValue(True, decision.outcome, decision.details,
                                              decision)
    return decision


def not_applicable(program: Program, ap: AreaProgram, env: Env) -> NotApplicable:
    """Why an area does not apply: its condition in words and the decisions it read."""
    plan = program.plans[ap.area.id]
    ap = plan.code
    area = ap.area
    condition = area.applies_when
    assert condition is not None and ap.applies is not None  # else it always applies
    read: frozenset[tuple[str, str]] = frozenset()
    if plan.applies_reads.decisions:
        # the decisions the condition actually went through (``and``/``or`` stop early):
        # computed again from scratch, noting each decision field read
        again = Env(env.case, env.as_of)
        again.decisions = env.decisions
        again.reads = set()
        ap.applies(again)
        read = frozenset(again.reads)
    return NotApplicable(area.id, area.title, words(condition), canonical(condition),
                         _bases(program.rulebase, read, env))


def decide(program: Program, env: Env, matches: Matches) -> Evaluation:
    """Every area in decision order (each after the decisions it uses), listed in manifest
    order: the decisions of the areas that apply, and why each other area does not."""
    made: dict[str, Decision] = {}
    skipped: dict[str, NotApplicable] = {}
    for ap in program.order:
        decision = record_decision(program, ap, env, matches)
        if decision is not None:
            made[ap.area.id] = decision
        else:
            skipped[ap.area.id] = not_applicable(program, ap, env)
    return Evaluation(
        rulebase=program.identity,
        as_of=env.as_of,
        case_id=env.case.child.id,
        decisions=tuple(made[ap.area.id] for ap in program.areas if ap.area.id in made),
        not_applicable=tuple(skipped[ap.area.id] for ap in program.areas
                             if ap.area.id in skipped),
    )
