"""Placement ranking: the mechanism that orders candidates by declared checks and criteria.

The checks, the criteria, the order of the checks' tiers, the words outputs name them by
and the conflict policy are declared in the rule files; this module only applies them.

Each candidate gets, for each check, one of met / not met / to be assessed (not recorded),
and its tier is its worst check in the order the ranking declares (``checks_tiers``). For
each criterion it gets one of preferred / not known / less preferred. The tier comes first
under every conflict policy. Under ``ordered`` candidates are then sorted by the criteria
one after the other (the first that separates two candidates decides, and any later one
that pulls the other way is reported as a conflict for the panel). Under ``pareto``, within
a tier, a candidate ranks above another only if it is at least as good on every criterion
and better on one; candidates the criteria pull in opposite directions share a rank and the
panel is told which criterion favours which. Both orders are free of cycles, ties are
symmetric, and a candidate at least as good everywhere and better somewhere ranks higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import codes
from ..errors import EvaluationError
from ..rulebase import Criterion, Ranking

PREFERRED, UNKNOWN, LESS = 0, 1, 2
PLACE_WORDS = {PREFERRED: "preferred", UNKNOWN: "not known", LESS: "less preferred"}
CHECK_WORDS = {PREFERRED: "met", UNKNOWN: "to be assessed", LESS: "not met"}
_TIER_VALUE = {"met": PREFERRED, "not_known": UNKNOWN, "not_met": LESS}
CHECKS = "seek-to-ensure"  # the name of the checks' tier among the ordering criteria
_TIER_SENTENCE = {PREFERRED: "meets every check", LESS: "has a check not met",
                  UNKNOWN: "has a check to be assessed"}


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    index: int
    id: str
    name: str
    checks: tuple[int, ...]
    scores: tuple[int, ...]  # per ordering criterion, starting with the checks' tier


def _place(crit: Criterion, index: int, elements: frozenset[tuple[str, int]]) -> int:
    prefer = (f"{crit.id}:prefer", index) in elements
    over = (f"{crit.id}:over", index) in elements
    if prefer and over:
        raise EvaluationError(
            f"{crit.kind} {crit.id!r} says both '{crit.prefer_label}' and '{crit.over_label}' "
            f"for candidate {index + 1}: its two conditions overlap", code=codes.SR304)
    return PREFERRED if prefer else LESS if over else UNKNOWN


class _Names:
    """The ordering criteria of a ranking, by id and by the words outputs use."""

    def __init__(self, ranking: Ranking) -> None:
        self.tiers = [_TIER_VALUE[t] for t in ranking.checks_tiers]  # check value by tier
        self.ids = ([CHECKS] if ranking.checks else []) + [c.id for c in ranking.criteria]
        self.words = {c.id: c.words or c.title for c in ranking.checks + ranking.criteria}
        if ranking.checks:
            self.words[CHECKS] = ranking.checks_words or "the checks"
        self.has_tier = bool(ranking.checks)

    def tier(self, checks: tuple[int, ...]) -> int:
        """The candidate's tier: the position of its worst check in the declared order."""
        return max(self.tiers.index(c) for c in checks) if checks else 0

    def place(self, name: str, value: int) -> str:
        if name == CHECKS:
            return CHECK_WORDS[self.tiers[value]]
        return PLACE_WORDS[value]

    def standing(self, name: str, value: int) -> str:
        """A candidate's place on a criterion, as said in a sentence."""
        if name == CHECKS:
            return _TIER_SENTENCE[self.tiers[value]]
        return PLACE_WORDS[value]

    def say(self, names: Sequence[str]) -> str:
        return "; ".join(f"“{self.words[n]}”" for n in names)


def rank(ranking: Ranking, candidates: Sequence[Any], elements: frozenset[tuple[str, int]],
         policy: str) -> dict[str, Any]:
    """Rank candidates; returns JSON-ready details for the placement decision."""
    names = _Names(ranking)
    ranked: list[RankedCandidate] = []
    for i, cand in enumerate(candidates):
        checks = tuple(_place(c, i, elements) for c in ranking.checks)
        scores = ((names.tier(checks),) if names.has_tier else ()) + tuple(
            _place(c, i, elements) for c in ranking.criteria)
        ranked.append(RankedCandidate(i, str(cand.id), str(cand.name), checks, scores))

    if policy == "pareto":
        layers = _pareto_layers(ranked, 1 if names.has_tier else 0)
        order = sorted(ranked, key=lambda r: (layers[r.index], r.scores, r.id))
        rank_of = {r.index: layers[r.index] + 1 for r in ranked}
    else:
        order = sorted(ranked, key=lambda r: (r.scores, r.id))
        rank_of = {}
        current, previous = 0, None
        for position, r in enumerate(order):
            if r.scores != previous:
                current, previous = position + 1, r.scores
            rank_of[r.index] = current

    table = []
    for r in order:
        pairs = list(zip(ranking.checks, r.checks, strict=True))
        table.append({
            "rank": rank_of[r.index],
            "candidate": r.id,
            "name": r.name,
            "checks": {c.id: CHECK_WORDS[v] for c, v in pairs},
            "shortfalls": [c.id for c, v in pairs if v == LESS],
            "not_known": [c.id for c, v in pairs if v == UNKNOWN],
            "shortfalls_in_words": [names.words[c.id] for c, v in pairs if v == LESS],
            "to_be_assessed": [names.words[c.id] for c, v in pairs if v == UNKNOWN],
            "criteria": {n: names.place(n, v) for n, v in zip(names.ids, r.scores, strict=True)},
        })
    steps = [_step(a, b, names, rank_of, policy, order)
             for a, b in zip(order, order[1:], strict=False)]
    top = [r.id for r in order if rank_of[r.index] == 1]
    return {
        "conflict_policy": policy,
        "criteria_in_words": [{"id": n, "words": names.words[n]} for n in names.ids],
        "recommended": top,
        "ranking": table,
        "steps": steps,
    }


def _dominates(a: RankedCandidate, b: RankedCandidate, start: int) -> bool:
    sa, sb = a.scores[start:], b.scores[start:]
    return all(x <= y for x, y in zip(sa, sb, strict=True)) and sa != sb


def _pareto_layers(ranked: list[RankedCandidate], start: int) -> dict[int, int]:
    """Layers of non-dominated candidates, tier by tier (the tier is ``scores[:start]``)."""
    layers: dict[int, int] = {}
    layer = 0
    for tier in sorted({r.scores[:start] for r in ranked}):
        remaining = [r for r in ranked if r.scores[:start] == tier]
        while remaining:
            front = [r for r in remaining
                     if not any(_dominates(o, r, start) for o in remaining)]
            for r in front:
                layers[r.index] = layer
            remaining = [r for r in remaining if r not in front]
            layer += 1
    return layers


def _step(a: RankedCandidate, b: RankedCandidate, names: _Names, rank_of: dict[int, int],
          policy: str, order: list[RankedCandidate]) -> dict[str, Any]:
    """Why ``a`` is listed above ``b``: what decides, and what favours each of them."""
    ids = names.ids
    favours_a = [n for n, x, y in zip(ids, a.scores, b.scores, strict=True) if x < y]
    favours_b = [n for n, x, y in zip(ids, a.scores, b.scores, strict=True) if y < x]
    tie = rank_of[a.index] == rank_of[b.index]
    step: dict[str, Any] = {"higher": a.id, "lower": b.id, "tie": tie}
    if tie:
        step["decided_by"] = None
        if favours_a or favours_b:
            step["reason"] = (f"neither ranks above the other: {names.say(favours_a)} "
                              f"favour{'s' if len(favours_a) == 1 else ''} {a.id}, "
                              f"{names.say(favours_b)} favour{'s' if len(favours_b) == 1 else ''}"
                              f" {b.id}; the panel weighs them")
        else:
            step["reason"] = "nothing separates them (listed by id)"
    elif policy == "pareto" and not (names.has_tier and a.scores[0] != b.scores[0]):
        step["decided_by"] = None
        if not favours_b:
            step["reason"] = (f"{a.id} is at least as good on every priority and better on "
                              + names.say(favours_a))
        else:
            above = next(o for o in order if rank_of[o.index] < rank_of[b.index]
                         and _dominates(o, b, 1 if names.has_tier else 0))
            step["reason"] = (f"{b.id} ranks lower because {above.id} is at least as good on "
                              "every priority and better on one; against "
                              f"{a.id}, {names.say(favours_a)} favour"
                              f"{'s' if len(favours_a) == 1 else ''} {a.id}")
    else:
        decided_by = favours_a[0]
        i = ids.index(decided_by)
        step["decided_by"] = decided_by
        verb = "" if decided_by == CHECKS else "is "
        step["reason"] = (f"“{names.words[decided_by]}”: {a.id} {verb}"
                          f"{names.standing(decided_by, a.scores[i])}, {b.id} {verb}"
                          f"{names.standing(decided_by, b.scores[i])}")
    step["favours_higher"] = favours_a
    step["conflicts"] = [{"criterion": n, "words": names.words[n], "favours": b.id}
                         for n in favours_b]
    return step
