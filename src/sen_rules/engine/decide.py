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
from types import MappingProxyType
from typing import Any

from .. import codes
from ..errors import ConflictingOutcomesError, EvaluationError
from ..language.printer import canonical, words
from ..language.syntax import Duration
from ..rulebase import Area, Epoch, InForce, Rule, Rulebase
from ..versions import version_reason
from .compiler import NOT_APPLYING, Compiler, DecisionValue, Env
from .kept import Kept
from .observing import Fn
from .program import AreaProgram, Matches, Program
from .ranking import Ranker, rank
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
    read_only,
)

_ALWAYS = InForce()
MAX_OUTLINES = 4096  # kept per area; a set of fired rules past them is worked out each time


def _ref(rule: Rule, role: str) -> RuleRef:
    return RuleRef(rule.id, rule.version, rule.title, role, rule.citations, rule.in_force)


_AS_IS = frozenset({str, int, float, bool, type(None)})  # JSON values already


def _value(v: Any) -> Any:
    """Details are JSON values: dates as ISO text, durations in words (the commonest
    kinds told by their exact type first)."""
    kind = type(v)
    if kind in _AS_IS:
        return v
    if kind is date:
        return v.isoformat()
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
    if len(winners) == 1:  # one value per name: each way of combining keeps it
        return {name: _value(fn(env)) for name, fn in ap.details.get(winners[0].key, {}).items()}
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
        "condition",
        "dating",
        "finding_rules",
        "groups",
        "in_force",
        "keys",
        "labels",
        "not_applying",
        "otherwise",
        "otherwise_ref",
        "outcome_rules",
        "outlines",
        "ranker",
        "ranking_refs",
        "refs",
        "rule_decisions",
        "rule_settings",
        "rulebase",
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
        self.ranker = Ranker(area.ranking) if area.ranking is not None else None
        self.rulebase = rulebase
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
        self.keys = frozenset(key for key, _ in ap.rules)
        # what a decision is, given which of the area's rules fired (see Outline)
        self.outlines: Kept[frozenset[str], Outline] = Kept(MAX_OUTLINES)
        self.groups: Kept[frozenset[tuple[str, str]], Reads] = Kept(MAX_OUTLINES)  # grouped()
        self.condition = (("", "") if area.applies_when is None  # in words, as written
                          else (words(area.applies_when), canonical(area.applies_when)))
        # why the area does not apply, when that is the same for every case (its
        # condition reads no decision)
        self.not_applying = (
            NotApplicable(area.id, area.title, *self.condition, ())
            if area.applies_when is not None and not self.applies_reads.decisions else None)

    def grouped(self, reads: frozenset[tuple[str, str]]) -> Reads:
        """:func:`_grouped`, kept per set of fields read (there are few)."""
        found = self.groups.get(reads)
        if found is None:
            found = self.groups.keep(reads, _grouped(self.rulebase, reads))
        return found

    def outline(self, fired: frozenset[str]) -> Outline:
        """The parts of the decision that follow from which of the area's rules fired.

        Worked out once per set of fired rules (there are few: they are sets of the
        area's rules, not of cases) and kept, up to :data:`MAX_OUTLINES` per area."""
        own = fired & self.keys
        found = self.outlines.get(own)
        if found is None:
            found = self.outlines.keep(own, Outline(self, own))
        return found

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


def _basis(topic: str, title: str, value: DecisionValue,
           fields: frozenset[str]) -> DecisionBasis:
    """A decision as read by another area: the fields read (its details among them)."""
    decision = value.decision
    if decision is None or not value.applies:
        return DecisionBasis(topic, title, False, None, None, _EMPTY, ())
    details = {k: v for k, v in value.details.items() if k in fields}
    return DecisionBasis(topic, title, True, value.outcome, decision.outcome_label,
                         read_only(details) if details else _EMPTY, decision.deciding)


Reads = tuple[tuple[str, str, frozenset[str]], ...]  # (area, its title, the fields read)


def _grouped(rulebase: Rulebase, reads: frozenset[tuple[str, str]]) -> Reads:
    """Decision fields read, by area in manifest order."""
    fields: dict[str, set[str]] = {}
    for topic, name in reads:
        fields.setdefault(topic, set()).add(name)
    order = [a.id for a in rulebase.areas]
    titles = {a.id: a.title for a in rulebase.areas}
    return tuple((topic, titles.get(topic, topic), frozenset(fields[topic]))
                 for topic in sorted(fields, key=order.index))


def _bases(grouped: Reads, env: Env) -> tuple[DecisionBasis, ...]:
    return tuple(_basis(topic, title, env.decisions.get(topic, NOT_APPLYING), fields)
                 for topic, title, fields in grouped)


_EMPTY: Any = freeze({})


def decide_area(program: Program, ap: AreaProgram, env: Env, matches: Matches) -> Decision:
    plan = program.plans[ap.area.id]
    ap = plan.code
    area = ap.area
    outline = plan.outline(matches.rules)
    if env.observer is not None:
        env.observer.decided(area.id, outline.outcome, outline.winner_keys,
                             outline.overridden_keys, outline.roles(plan))
    if outline.decision is not None:
        return outline.decision
    details = _details(ap, area, outline.winners, env) if outline.has_details else {}
    refs = [plan.ref(key, env) if ref is None else ref for key, ref in outline.deciding]
    flags: list[Finding] = []
    notes: list[Finding] = []
    for rule, found, ref in outline.findings:
        if found is None:
            found = Finding(rule.value, rule.id, rule.message or rule.title,
                            read_only({k: _value(fn(env))
                                       for k, fn in ap.details[rule.key].items()}))
        (flags if rule.effect == "flag" else notes).append(found)
        refs.append(plan.ref(rule.key, env) if ref is None else ref)
    frozen = read_only(details) if details else _EMPTY
    if plan.ranker is not None and ap.collection is not None:
        policy = str(program.epoch.settings.get(plan.ranker.ranking.conflict_policy,
                                                "ordered"))
        candidates = ap.collection(env) or ()
        # the ranking's details are built read-only, after the rules' own
        frozen = MappingProxyType({**frozen, **rank(plan.ranker, candidates,
                                                    matches.elements, policy)})
        refs.extend(plan.ranking_refs)
    return Decision(  # by position (cheaper than by name): topic, title, outcome, label,
        # details, rules, flags, notes, overridden, settings, uses
        area.id, area.title, outline.outcome, outline.label, frozen, tuple(refs), tuple(flags),
        tuple(notes), outline.overridden, outline.settings,
        _bases(outline.reads, env) if outline.reads else ())


class Outline:
    """What a decision is, given which of its area's rules fired: the hit policy's result,
    the rules it cites, the flags and notes it raises, the settings and the decision fields
    it rests on. None of it depends on the case beyond that set, so it is worked out once
    per set (:meth:`AreaPlan.outline`); details, versions chosen by a date, the ranking and
    the decisions read are the evaluation's own (:func:`decide_area`)."""

    __slots__ = (
        "deciding",
        "decision",
        "findings",
        "fired",
        "has_details",
        "label",
        "outcome",
        "overridden",
        "overridden_keys",
        "reads",
        "settings",
        "winner_keys",
        "winners",
    )

    def __init__(self, plan: AreaPlan, fired: frozenset[str]) -> None:
        area = plan.area
        winners, overridden = resolve(area, [r for r in plan.outcome_rules if r.key in fired])
        static = plan.refs
        if winners:
            self.deciding = tuple((r.key, None if r.key in plan.dating else static[r.key])
                                  for r in winners)
        else:
            if plan.otherwise is None:
                raise EvaluationError(f"no rule of area {area.id!r} gave an outcome and it "
                                      "has no 'otherwise' rule in force", code=codes.SR305)
            winners = [plan.otherwise]
            self.deciding = ((plan.otherwise.key, plan.otherwise_ref),)
        outcome = winners[0].value
        decided_by = {r.id for r in winners}
        self.fired, self.winners, self.outcome = fired, winners, outcome
        self.label = plan.labels.get(outcome, outcome)
        self.winner_keys = tuple(r.key for r in winners)
        self.overridden_keys = tuple(r.key for r in overridden)
        self.overridden = tuple(r.id for r in overridden)
        self.has_details = any(r.details for r in winners)
        raised = [rule for rule in plan.finding_rules
                  if rule.key in fired and _raised(rule, outcome, decided_by)]
        self.findings = tuple(
            (rule, None if rule.details else Finding(rule.value, rule.id,
                                                     rule.message or rule.title, _EMPTY),
             None if rule.key in plan.dating else static[rule.key])
            for rule in raised)
        names, reads = _reads(plan, winners + raised)
        self.settings = tuple(plan.setting_info[n] for n in sorted(names))
        self.reads = plan.grouped(frozenset(reads))
        # the whole decision, when nothing in it comes from the case: no details, no
        # version chosen by a date, no ranking, no other decision read
        self.decision: Decision | None = None
        if (not self.has_details and plan.ranker is None and not self.reads
                and all(ref is not None for _, ref in self.deciding)
                and all(f is not None and ref is not None for _, f, ref in self.findings)):
            self.decision = Decision(
                topic=area.id, title=area.title, outcome=outcome, outcome_label=self.label,
                details=_EMPTY, rules=tuple(r for _, r in self.deciding if r is not None)
                + tuple(r for _, _, r in self.findings if r is not None),
                flags=tuple(f for r, f, _ in self.findings if f is not None
                            and r.effect == "flag"),
                notes=tuple(f for r, f, _ in self.findings if f is not None
                            and r.effect != "flag"),
                overridden=self.overridden, settings=self.settings)

    def roles(self, plan: AreaPlan) -> dict[str, str]:
        """The part each rule in force played (for explanations)."""
        return rule_roles(plan, self.fired, self.winners, self.outcome)


def _raised(rule: Rule, outcome: str, decided_by: set[str]) -> bool:
    """Whether a flag or note that fired goes with this decision: its outcome, and the
    rules the decision rests on, are the ones it names (if it names any)."""
    return ((rule.when_outcome is None or rule.when_outcome == outcome)
            and (not rule.when_decided_by or not decided_by.isdisjoint(rule.when_decided_by)))


def _reads(plan: AreaPlan, used: list[Rule]) -> tuple[set[str], set[tuple[str, str]]]:
    """The settings and the decision fields a decision rests on: those of its area and of
    the rules it used (the rules that decided it and the findings it raised)."""
    names = set(plan.area_settings)
    reads: set[tuple[str, str]] = set(plan.applies_reads.decisions)
    for rule in used:
        names |= plan.rule_settings[rule.key]
        reads |= plan.rule_decisions[rule.key]
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
    if plan.not_applying is not None:  # a condition that reads no decision
        return plan.not_applying
    ap = plan.code
    area = ap.area
    condition = area.applies_when
    assert condition is not None and ap.applies is not None  # else it always applies
    # the decisions the condition actually went through (``and``/``or`` stop early):
    # computed again from scratch, noting each decision field read
    again = Env(env.case, env.as_of)
    again.decisions = env.decisions
    again.reads = set()
    ap.applies(again)
    return NotApplicable(area.id, area.title, *plan.condition,
                         _bases(plan.grouped(frozenset(again.reads)), env))


def decide(program: Program, env: Env, matches: Matches) -> Evaluation:
    """Every area in decision order (each after the decisions it uses), listed in manifest
    order: the decisions of the areas that apply, and why each other area does not.

    Without an observer, ``env`` keeps only the decisions other areas read."""
    made: dict[str, Decision] = {}
    skipped: dict[str, NotApplicable] = {}
    decisions = env.decisions
    fresh = env.observer is not None  # an observer sees every area decided again
    used, applying = program.used, matches.areas
    for ap in program.order:
        topic = ap.area.id
        # an area other areas read was decided while matching: that decision is the one
        kept = None if fresh else decisions.get(topic)
        if kept is not None and kept.decision is not None:
            decision = kept.decision
        elif fresh or topic in used:
            decision = record_decision(program, ap, env, matches)
        else:  # no area reads it: nothing to keep in ``env``
            decision = decide_area(program, ap, env, matches) if topic in applying else None
        if decision is not None:
            made[topic] = decision
        else:
            skipped[topic] = not_applicable(program, ap, env)
    topics = [ap.area.id for ap in program.areas]
    return Evaluation(program.identity, env.as_of, env.case.child.id,  # by position
                      tuple([made[t] for t in topics if t in made]),
                      tuple([skipped[t] for t in topics if t in skipped]))
