"""The search: every candidate change applied to the case, validated and evaluated once.

Every candidate is applied to the case, validated like any case (an impossible case is
dropped) and evaluated; one that changes an area's outcome (or its recommendation, or
whether it applies at all) is a counterfactual. One change is preferred; pairs of the
changes that moved a rule of the area are tried only if no single change works, within a
fixed budget. The ones reported are evaluated once more on the backend of the decision.
Versions of the case are cached by their changes, so a change tried for one decision is
not evaluated again for another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_json

from .. import codes
from ..case import Case
from ..engine.decide import decide_area
from ..engine.native import DecisionValue, Env, Matches, Program, match_native
from ..engine.result import Evaluation
from ..engine.service import compiled, evaluate_case
from ..errors import CaseError, EvaluationError
from ..language import ir
from ..rulebase import Area, Rule, Rulebase
from .cf_candidates import Candidates
from .cf_change import Change
from .cf_reads import area_uses
from .cf_results import (
    Counterfactual,
    Outcome,
    SearchSummary,
    best,
    outcome_from,
    outcome_of,
    overlap,
    score,
)

MAX_SINGLES = 600  # single changes tried per decision
MAX_EVALUATIONS = 2500  # versions of one case evaluated in all (the search stops there)
MAX_PAIRS = 150  # pairs evaluated per decision when no single change works
MAX_PAIR_BASE = 20  # the most promising single changes combined into pairs
MAX_REPORTED = 6  # counterfactuals reported per decision
MAX_PAIRS_REPORTED = 3  # pairs reported per decision
MAX_GONE_REPORTED = 2  # changes reported that would take the area out of play
MAX_FLAG_REPORTED = 3  # changes reported per flag raised

class _Tried:
    """A version of the case with some changes, matched once; decided per area on demand."""

    def __init__(self, search: _Search, changes: tuple[Change, ...], case: Case | None,
                 matches: Matches | None, decisions: dict[str, DecisionValue] | None = None
                 ) -> None:
        self.search = search
        self.changes = changes
        self.case = case
        self.matches = matches
        # the decisions that other areas use, made while matching (the rest of the state
        # of that evaluation is not kept: it is large, and not needed again)
        self.decisions = decisions
        self.outcomes: dict[str, Outcome | None] = {}

        self.released = False

    def release(self) -> None:
        """Let the changed case and its matches go (a case at the list limits holds a
        fifth of a megabyte); the outcomes already decided are kept, and the case is
        evaluated again if another area's outcome is asked for."""
        if self.matches is not None:
            self.case, self.matches, self.decisions = None, None, None
            self.released = True

    def outcome(self, topic: str) -> Outcome | None:
        """The decision of one area for this version (None: no complete answer)."""
        if topic in self.outcomes:
            return self.outcomes[topic]
        if self.released:
            self.search.match_again(self)
        found: Outcome | None = None
        if self.case is not None and self.matches is not None:
            if topic not in self.matches.areas:
                found = Outcome(False, None, None, (), frozenset())
            else:
                s = self.search
                try:
                    env = Env(self.case, s.as_of)
                    if self.decisions is not None:
                        env.decisions = self.decisions
                    decision = decide_area(s.program, s.area_programs[topic], env,
                                           self.matches)
                    found = outcome_from(decision)
                except EvaluationError:
                    found = None
        self.outcomes[topic] = found
        return found


class _Search:
    def __init__(self, rulebase: Rulebase, case: Case, as_of: date) -> None:
        self.rulebase = rulebase
        self.as_of = as_of
        self.case = case
        self.data = case.model_dump(mode="json")
        self.epoch = rulebase.epoch(as_of)
        self.program = compiled(rulebase).program(self.epoch)
        self.area_programs = {ap.area.id: ap for ap in self.program.areas}
        self.cache: dict[tuple[Any, ...], _Tried] = {}
        self.evaluations = 0
        self.exhausted = False

    def case_with(self, changes: Sequence[Change]) -> dict[str, Any] | None:
        data = self.data
        try:
            for ch in changes:
                data = ch.apply(data)
        except (KeyError, IndexError, TypeError):
            return None
        return data

    def release(self) -> None:
        """Let the cases of the versions tried so far go (see :meth:`_Tried.release`)."""
        for tried in self.cache.values():
            tried.release()

    def match_again(self, tried: _Tried) -> None:
        """The case and matches of a released version, made again (the same, since the
        version was valid before)."""
        data = self.case_with(tried.changes)
        assert data is not None
        case = _validated(data)
        env = Env(case, self.as_of)
        tried.case, tried.matches = case, match_native(self.program, env)
        tried.decisions, tried.released = env.decisions, False

    def evaluate(self, changes: tuple[Change, ...]) -> _Tried:
        key = tuple(sorted(c.key() for c in changes))
        found = self.cache.get(key)
        if found is not None:
            return found
        tried = _Tried(self, changes, None, None)
        if self.evaluations >= MAX_EVALUATIONS:
            self.exhausted = True
            return tried  # not cached: it was not tried
        data = self.case_with(changes)
        if data is not None:
            self.evaluations += 1
            try:
                if _dated_after(changes, self.as_of):
                    raise CaseError([("", "a changed date is after the evaluation date")])
                case = _validated(data)  # every other date was checked with the case
                env = Env(case, self.as_of)
                tried = _Tried(self, changes, case, match_native(self.program, env),
                               env.decisions)
            except (CaseError, EvaluationError, ValidationError):
                pass
        self.cache[key] = tried
        return tried


def _validated(data: dict[str, Any]) -> Case:
    """The changed case, validated like any case. The data is the case's own (it passed
    the strict reader when the case was read) with generated values, so only the case
    model's validation is left to do (not ``parse_case``'s walk of the whole data first)."""
    return Case.model_validate_json(to_json(data))


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _dated_after(changes: Sequence[Change], as_of: date) -> bool:
    """Whether a change brings in a date after the evaluation date (a case states what is
    known on that date; the other dates of the case were checked when it was read)."""
    limit = as_of.isoformat()

    def late(value: Any) -> bool:
        if isinstance(value, str):
            return bool(_ISO.match(value)) and value > limit
        if isinstance(value, dict):
            return any(late(v) for v in value.values())
        if isinstance(value, list):
            return any(late(v) for v in value)
        return False

    return any(late(c.value) for c in changes)



def find_counterfactuals(rulebase: Rulebase, case: Case, as_of: date, evaluation: Evaluation,
                         backend: str) -> tuple[list[Counterfactual], list[SearchSummary]]:
    """Counterfactuals for every decision of ``evaluation`` (see the module docstring)."""
    search = _Search(rulebase, case, as_of)
    fns = compiled(rulebase).program(search.epoch)
    env = Env(case, as_of)
    results: list[Counterfactual] = []
    summaries: list[SearchSummary] = []
    for decision in evaluation.decisions:
        topic = decision.topic
        candidates = _candidates(search, fns, env, topic)
        singles = candidates.all()[:MAX_SINGLES]
        before = outcome_from(decision)
        chosen, pairs_tried = _chosen(search, topic, before, singles)
        for t, kind in chosen:
            after = _verify(search, t, topic, backend)
            flag = kind.partition(":")[2] or None
            results.append(Counterfactual(topic, decision.title,
                                          "flag" if flag else "outcome",
                                          t.changes, before, after, backend, flag))
        summaries.append(SearchSummary(topic, len(singles), pairs_tried, len(chosen),
                                       not search.exhausted,
                                       tuple(candidates.untried.items())))
        search.release()
    for na in evaluation.not_applicable:
        if na.because:  # kept out by another decision: what would bring it back in play
            results.extend(_bring_back(search, fns, env, na.topic, na.title, backend))
            search.release()
    return results, summaries


def _candidates(search: _Search, fns: Program, env: Env, topic: str) -> Candidates:
    area = search.area_programs[topic].area
    uses = area_uses(search.rulebase, search.program, area)
    return Candidates(search.rulebase, fns, env, search.data, uses, search.as_of)


def _chosen(search: _Search, topic: str, before: Outcome, singles: list[Change]
            ) -> tuple[list[tuple[_Tried, str]], int]:
    """The versions to report for one decision, each with its kind ("outcome", or
    "flag:CODE" for a change that clears a flag), and the number of pairs tried."""
    valid = [t for t in (search.evaluate((ch,)) for ch in singles)
             if t.outcome(topic) is not None]
    changers = [t for t in valid if _sig(t, topic) != before.signature]
    # another outcome (or recommendation) first; "the area would not apply" after it
    real = [t for t in changers if _applies(t, topic)]
    gone = [t for t in changers if not _applies(t, topic)]
    chosen = [(t, "outcome") for t in best(real, topic, MAX_REPORTED)]
    pairs_tried = 0
    if not real:
        area = search.area_programs[topic].area
        pairs, pairs_tried = _pairs(search, area, topic, before, valid)
        chosen += [(t, "outcome") for t in best(pairs, topic, MAX_PAIRS_REPORTED)]
    chosen += [(t, "outcome") for t in best(gone, topic, MAX_GONE_REPORTED)]
    listed = {tuple(c.key() for c in t.changes) for t, _ in chosen}
    for code in sorted(before.flags):
        clearing = [t for t in valid if code not in _flags(t, topic)
                    and tuple(c.key() for c in t.changes) not in listed]
        # changes that leave the outcome as it is come first
        same = [t for t in clearing if _sig(t, topic) == before.signature]
        picked = best(same, topic, MAX_FLAG_REPORTED) or best(clearing, topic,
                                                              MAX_FLAG_REPORTED)
        chosen.extend((t, f"flag:{code}") for t in picked)
        listed |= {tuple(c.key() for c in t.changes) for t in picked}
    return chosen, pairs_tried


def _bring_back(search: _Search, fns: Program, env: Env, topic: str, title: str,
                backend: str) -> list[Counterfactual]:
    """Single changes that would make an area apply that does not (through the decisions
    its condition reads as well as the facts it reads itself)."""
    singles = _candidates(search, fns, env, topic).all()[:MAX_SINGLES]
    before = Outcome(False, None, None, (), frozenset())
    valid = [t for t in (search.evaluate((ch,)) for ch in singles)
             if t.outcome(topic) is not None]
    back = sorted((t for t in valid if _applies(t, topic)), key=lambda t: score(t.changes))
    chosen: dict[tuple[Any, ...], _Tried] = {}
    for t in back:  # per field: the closest other value, and removing it
        key = tuple((c.path, c.op, c.value is None) for c in t.changes)
        chosen.setdefault(key, t)
    return [Counterfactual(topic, title, "outcome", t.changes, before,
                           _verify(search, t, topic, backend), backend)
            for t in list(chosen.values())[:MAX_REPORTED]]


def _sig(t: _Tried, topic: str) -> tuple[Any, ...]:
    found = t.outcome(topic)
    return found.signature if found is not None else ()


def _applies(t: _Tried, topic: str) -> bool:
    found = t.outcome(topic)
    return found is not None and found.applies


def _flags(t: _Tried, topic: str) -> frozenset[str]:
    found = t.outcome(topic)
    return found.flags if found is not None else frozenset()


def _pairs(search: _Search, area: Area, topic: str, before: Outcome,
           valid: list[_Tried]) -> tuple[list[_Tried], int]:
    """Pairs of promising single changes, within a budget.

    A single change is promising when it moves a rule of the area (it fires where it did
    not, or the other way round) or brings a rule with another outcome closer to firing
    (more of its ``and``-ed conditions hold)."""
    in_force = search.program.epoch.rule_keys
    rule_keys = {r.key for r in area.rules} | ({area.otherwise.key} if area.otherwise else set())
    base_matches = match_native(search.program, Env(search.case, search.as_of))
    base_rules = base_matches.rules & rule_keys
    others = [r for r in area.rules if r.key in in_force and r.effect == "outcome"
              and r.value != before.outcome]
    fns = compiled(search.rulebase).program(search.epoch)

    def parts_met(rule: Rule, case: Case) -> int:
        cond = rule.when_in_force
        parts = cond.items if isinstance(cond, ir.BoolOp) and cond.op == "and" else (cond,)
        env = Env(case, search.as_of)
        met = 0
        for part in parts:
            try:
                met += bool(fns.function(part, area.id)(env))
            except EvaluationError:
                continue
        return met

    base_met = {r.key: parts_met(r, search.case) for r in others}

    def promising(t: _Tried) -> bool:
        if t.released:
            search.match_again(t)
        if t.matches is None or t.case is None:
            return False
        if (t.matches.rules & rule_keys) != base_rules:
            return True
        return any(parts_met(r, t.case) > base_met[r.key] for r in others)

    moving = sorted((t for t in valid if promising(t)), key=lambda t: score(t.changes))
    moving = moving[:MAX_PAIR_BASE]
    found: list[_Tried] = []
    count = 0
    for i, a in enumerate(moving):
        for b in moving[i + 1:]:
            if count >= MAX_PAIRS:
                return found, count
            if overlap(a.changes[0], b.changes[0]):
                continue
            count += 1
            t = search.evaluate((a.changes[0], b.changes[0]))
            if _applies(t, topic) and _sig(t, topic) != before.signature:
                found.append(t)
    return found, count


def _verify(search: _Search, t: _Tried, topic: str, backend: str) -> Outcome:
    """Evaluate the changed case once more, on the backend of the decision."""
    data = search.case_with(t.changes)
    again = evaluate_case(search.rulebase, data or {}, search.as_of, backend)
    claimed, verified = t.outcome(topic), outcome_of(again, topic)
    if claimed != verified:
        raise EvaluationError(
            f"the {backend} backend does not confirm a counterfactual for {topic!r} "
            f"({' and '.join(c.path_text for c in t.changes)}); this is a defect of "
            "sen-rules, please report it", code=codes.SR307)
    return verified
