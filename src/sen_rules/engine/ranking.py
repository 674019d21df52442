"""Placement ranking: the mechanism that orders candidates by declared criteria.

The criteria, their order and the conflict policy are declared in the rule files; this
module only applies them. Each candidate gets, for each criterion, one of three places:
preferred, not known, less preferred. Under the ``ordered`` policy candidates are sorted
by those places criterion by criterion (the first criterion that separates two candidates
decides, and any later criterion that pulls the other way is reported as a conflict for
the panel). Under ``pareto`` a candidate ranks above another only if it is at least as
good on every criterion and better on one; candidates that pull in opposite directions
share a rank and the conflict is reported. Both orders are free of cycles, ties are
symmetric, and a candidate better on every criterion always ranks higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EvaluationError
from ..rulebase import Criterion, Ranking

PREFERRED, UNKNOWN, LESS = 0, 1, 2
PLACE_WORDS = {PREFERRED: "preferred", UNKNOWN: "not known", LESS: "less preferred"}
CHECK_WORDS = {PREFERRED: "met", UNKNOWN: "not known", LESS: "not met"}


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    index: int
    id: str
    name: str
    checks: tuple[int, ...]
    scores: tuple[int, ...]  # per ordering criterion, starting with the checks tier


def _place(crit: Criterion, index: int, elements: frozenset[tuple[str, int]]) -> int:
    prefer = (f"{crit.id}:prefer", index) in elements
    over = (f"{crit.id}:over", index) in elements
    if prefer and over:
        raise EvaluationError(
            f"{crit.kind} {crit.id!r} says both '{crit.prefer_label}' and '{crit.over_label}' "
            f"for candidate {index + 1}: its two conditions overlap", code="SR304")
    return PREFERRED if prefer else LESS if over else UNKNOWN


def _checks_tier(checks: tuple[int, ...]) -> int:
    if any(c == LESS for c in checks):
        return LESS
    if any(c == UNKNOWN for c in checks):
        return UNKNOWN
    return PREFERRED


def rank(ranking: Ranking, candidates: Sequence[Any], elements: frozenset[tuple[str, int]],
         policy: str) -> dict[str, Any]:
    """Rank candidates; returns JSON-ready details for the placement decision."""
    ranked: list[RankedCandidate] = []
    for i, cand in enumerate(candidates):
        checks = tuple(_place(c, i, elements) for c in ranking.checks)
        scores = ((_checks_tier(checks),) if ranking.checks else ()) + tuple(
            _place(c, i, elements) for c in ranking.criteria)
        ranked.append(RankedCandidate(i, str(cand.id), str(cand.name), checks, scores))
    names = (["seek-to-ensure"] if ranking.checks else []) + [c.id for c in ranking.criteria]

    if policy == "pareto":
        layers = _pareto_layers(ranked)
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
        table.append({
            "rank": rank_of[r.index],
            "candidate": r.id,
            "name": r.name,
            "checks": {c.id: CHECK_WORDS[v] for c, v in zip(ranking.checks, r.checks,
                                                            strict=True)},
            "shortfalls": [c.id for c, v in zip(ranking.checks, r.checks, strict=True)
                           if v == LESS],
            "not_known": [c.id for c, v in zip(ranking.checks, r.checks, strict=True)
                          if v == UNKNOWN],
            "criteria": {name: PLACE_WORDS[v] for name, v in zip(names, r.scores, strict=True)},
        })
    steps = [_step(a, b, names, rank_of, policy) for a, b in zip(order, order[1:], strict=False)]
    top = [r.id for r in order if rank_of[r.index] == 1]
    return {
        "conflict_policy": policy,
        "order_of_criteria": names,
        "recommended": top,
        "ranking": table,
        "steps": steps,
    }


def _dominates(a: RankedCandidate, b: RankedCandidate) -> bool:
    return all(x <= y for x, y in zip(a.scores, b.scores, strict=True)) and a.scores != b.scores


def _pareto_layers(ranked: list[RankedCandidate]) -> dict[int, int]:
    remaining = list(ranked)
    layers: dict[int, int] = {}
    layer = 0
    while remaining:
        front = [r for r in remaining if not any(_dominates(o, r) for o in remaining)]
        for r in front:
            layers[r.index] = layer
        remaining = [r for r in remaining if r not in front]
        layer += 1
    return layers


def _step(a: RankedCandidate, b: RankedCandidate, names: list[str], rank_of: dict[int, int],
          policy: str) -> dict[str, Any]:
    """Why ``a`` is listed above ``b``: the deciding criterion and any that pull the other way."""
    favours_a = [n for n, x, y in zip(names, a.scores, b.scores, strict=True) if x < y]
    favours_b = [n for n, x, y in zip(names, a.scores, b.scores, strict=True) if y < x]
    tie = rank_of[a.index] == rank_of[b.index]
    step: dict[str, Any] = {"higher": a.id, "lower": b.id, "tie": tie}
    if tie:
        step["decided_by"] = None
        if favours_a or favours_b:
            step["reason"] = ("the criteria pull in opposite directions and the conflict "
                              "policy ranks them together: the panel weighs them")
        else:
            step["reason"] = "no criterion separates them (listed by id)"
    elif policy == "pareto":
        step["decided_by"] = None
        step["reason"] = (f"{a.id} is at least as good on every criterion and better on "
                          + ", ".join(favours_a))
    else:
        decided_by = favours_a[0]
        i = names.index(decided_by)
        step["decided_by"] = decided_by
        step["reason"] = (f"{decided_by}: {a.id} is {PLACE_WORDS[a.scores[i]]}, {b.id} is "
                          f"{PLACE_WORDS[b.scores[i]]}")
    step["favours_higher"] = favours_a
    step["conflicts"] = [{"criterion": n, "favours": b.id} for n in favours_b]
    return step
