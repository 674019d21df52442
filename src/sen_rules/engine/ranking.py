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
from types import MappingProxyType
from typing import Any

from .. import codes
from ..errors import EvaluationError
from ..rulebase import Criterion, Ranking
from .kept import Kept

PREFERRED, UNKNOWN, LESS = 0, 1, 2
PLACE_WORDS = {PREFERRED: "preferred", UNKNOWN: "not known", LESS: "less preferred"}
CHECK_WORDS = {PREFERRED: "met", UNKNOWN: "to be assessed", LESS: "not met"}
_TIER_VALUE = {"met": PREFERRED, "not_known": UNKNOWN, "not_met": LESS}
CHECKS = "seek-to-ensure"  # the name of the checks' tier among the ordering criteria
_TIER_SENTENCE = {PREFERRED: "meets every check", LESS: "has a check not met",
                  UNKNOWN: "has a check to be assessed"}


Standing = tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]  # checks, scores, row


class RankedCandidate:
    """A candidate with its places, used only inside :func:`rank` (a plain class with
    slots: one is built for every candidate of every case)."""

    __slots__ = ("checks", "id", "index", "name", "scores")

    def __init__(self, index: int, id: str, name: str, checks: tuple[int, ...],
                 scores: tuple[int, ...]) -> None:
        self.index = index
        self.id = id
        self.name = name
        self.checks = checks
        self.scores = scores  # per ordering criterion, starting with the checks' tier


def _places(crits: tuple[tuple[Criterion, str, str], ...], index: int,
            elements: frozenset[tuple[str, int]]) -> tuple[int, ...]:
    """Where a candidate stands on each criterion: which of its two conditions held."""
    out = []
    for crit, prefer_name, over_name in crits:
        prefer = (prefer_name, index) in elements
        over = (over_name, index) in elements
        if prefer and over:
            raise EvaluationError(
                f"{crit.kind} {crit.id!r} says both '{crit.prefer_label}' and "
                f"'{crit.over_label}' for candidate {index + 1}: its two conditions overlap",
                code=codes.SR304)
        out.append(PREFERRED if prefer else LESS if over else UNKNOWN)
    return tuple(out)


class Ranker:
    """A ranking's criteria by id and by the words outputs use, and the parts of its output
    that depend only on a candidate's places (worked out once per pattern of places: a
    candidate's checks and scores take few values, so these are few)."""

    def __init__(self, ranking: Ranking) -> None:
        self.ranking = ranking
        self.tiers = [_TIER_VALUE[t] for t in ranking.checks_tiers]  # check value by tier
        self.ids = ([CHECKS] if ranking.checks else []) + [c.id for c in ranking.criteria]
        self.words = {c.id: c.words or c.title for c in ranking.checks + ranking.criteria}
        if ranking.checks:
            self.words[CHECKS] = ranking.checks_words or "the checks"
        self.has_tier = bool(ranking.checks)
        self.criteria_in_words = tuple(MappingProxyType({"id": n, "words": self.words[n]})
                                       for n in self.ids)
        # a candidate's checks, scores and row, by the names of its conditions that held
        self.patterns: Kept[frozenset[str], Standing] = Kept(MAX_PATTERNS)
        self.layers: Kept[tuple[tuple[int, ...], ...], dict[int, int]] = Kept(MAX_PATTERNS)
        self.step_forms: Kept[tuple[Any, ...], StepForm] = Kept(MAX_PATTERNS)  # see _step
        # each check and criterion with the names its two conditions are matched under
        self.checks = tuple((c, f"{c.id}:prefer", f"{c.id}:over") for c in ranking.checks)
        self.criteria = tuple((c, f"{c.id}:prefer", f"{c.id}:over") for c in ranking.criteria)

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

    def held(self, held: frozenset[str], index: int) -> Standing:
        """The checks, scores and row of a candidate whose conditions named ``held`` held
        (``index`` only words an error). Kept per set of names: the answer is the same for
        every candidate and case with that set."""
        found = self.patterns.get(held)
        if found is None:
            elements = frozenset((name, index) for name in held)
            checks = _places(self.checks, index, elements)
            scores = ((self.tier(checks),) if self.has_tier else ()) + _places(
                self.criteria, index, elements)
            found = self.patterns.keep(held, (checks, scores, self.row(checks, scores)))
        return found

    def row(self, checks: tuple[int, ...], scores: tuple[int, ...]) -> dict[str, Any]:
        """A candidate's row of the ranking table, but for its rank, id and name."""
        pairs = list(zip(self.ranking.checks, checks, strict=True))
        return {
            "checks": MappingProxyType({c.id: CHECK_WORDS[v] for c, v in pairs}),
            "shortfalls": tuple(c.id for c, v in pairs if v == LESS),
            "not_known": tuple(c.id for c, v in pairs if v == UNKNOWN),
            "shortfalls_in_words": tuple(self.words[c.id] for c, v in pairs if v == LESS),
            "to_be_assessed": tuple(self.words[c.id] for c, v in pairs if v == UNKNOWN),
            "criteria": MappingProxyType({n: self.place(n, v) for n, v in
                                          zip(self.ids, scores, strict=True)}),
        }

    def pareto_layers(self, ranked: list[RankedCandidate]) -> dict[int, int]:
        """:func:`_pareto_layers`, kept per sequence of scores (they take few values)."""
        key = tuple([r.scores for r in ranked])
        found = self.layers.get(key)
        if found is None:  # read only
            found = self.layers.keep(key, _pareto_layers(ranked, 1 if self.has_tier else 0))
        return found


MAX_PATTERNS = 4096  # standings and layers kept per ranking
_NONE_HELD: frozenset[str] = frozenset()


def rank(names: Ranker, candidates: Sequence[Any], elements: frozenset[tuple[str, int]],
         policy: str) -> dict[str, Any]:
    """Rank candidates; returns the placement decision's details, already read-only."""
    held: dict[int, set[str]] = {}
    for name, index in elements:
        held.setdefault(index, set()).add(name)
    ranked: list[RankedCandidate] = []
    rows: list[dict[str, Any]] = []
    for i, cand in enumerate(candidates):
        names_held = held.get(i)
        checks, scores, row = names.held(
            frozenset(names_held) if names_held else _NONE_HELD, i)
        ranked.append(RankedCandidate(i, str(cand.id), str(cand.name), checks, scores))
        rows.append(row)

    if policy == "pareto":
        layers = names.pareto_layers(ranked)
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

    # lists built, then made tuples: cheaper than ``tuple()`` of a generator
    table = tuple([MappingProxyType({"rank": rank_of[r.index], "candidate": r.id,
                                     "name": r.name, **rows[r.index]}) for r in order])
    steps = tuple([MappingProxyType(_step(a, b, names, rank_of, policy, order))
                   for a, b in zip(order, order[1:], strict=False)])
    return {
        "conflict_policy": policy,
        "criteria_in_words": names.criteria_in_words,
        "recommended": tuple([r.id for r in order if rank_of[r.index] == 1]),
        "ranking": table,
        "steps": steps,
    }


def _dominates(a: RankedCandidate, b: RankedCandidate, start: int) -> bool:
    """``a`` is at least as good as ``b`` on every criterion from ``start`` on, and better
    on one (lower is better)."""
    sa, sb = a.scores, b.scores
    better = False
    for i in range(start, len(sa)):
        x, y = sa[i], sb[i]
        if x > y:
            return False
        if x < y:
            better = True
    return better


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


StepForm = tuple[str | None, str, tuple[str, ...], tuple[str, ...], bool]


def _step(a: RankedCandidate, b: RankedCandidate, names: Ranker, rank_of: dict[int, int],
          policy: str, order: list[RankedCandidate]) -> dict[str, Any]:
    """Why ``a`` is listed above ``b``: what decides, and what favours each of them. All but
    the candidates' ids follows from their scores (:func:`_step_form`, kept per pair of
    scores)."""
    tie = rank_of[a.index] == rank_of[b.index]
    key = (a.scores, b.scores, tie, policy)
    form = names.step_forms.get(key)
    if form is None:
        form = names.step_forms.keep(key, _step_form(a.scores, b.scores, tie, policy, names))
    decided_by, reason, favours_a, favours_b, needs_above = form
    above = ""
    if needs_above:  # the first listed above ``b`` that is at least as good everywhere
        above = next(o for o in order if rank_of[o.index] < rank_of[b.index]
                     and _dominates(o, b, 1 if names.has_tier else 0)).id
    return {"higher": a.id, "lower": b.id, "tie": tie, "decided_by": decided_by,
            "reason": reason.format(a=a.id, b=b.id, above=above),
            "favours_higher": favours_a,
            "conflicts": tuple(MappingProxyType({"criterion": n, "words": names.words[n],
                                                 "favours": b.id}) for n in favours_b)}


def _lit(text: str) -> str:
    """Text put in a :meth:`str.format` template as it is."""
    return text.replace("{", "{{").replace("}", "}}")


def _step_form(sa: tuple[int, ...], sb: tuple[int, ...], tie: bool, policy: str,
               names: Ranker) -> StepForm:
    """A step for candidates scored ``sa`` above ``sb``: what decides, the reason as a
    template of the ids ``{a}``, ``{b}`` and ``{above}``, the criteria favouring each, and
    whether the reason names the candidate above ``b`` that is at least as good everywhere."""
    ids = names.ids
    favours_a = tuple(n for n, x, y in zip(ids, sa, sb, strict=True) if x < y)
    favours_b = tuple(n for n, x, y in zip(ids, sa, sb, strict=True) if y < x)
    s_a = "s" if len(favours_a) == 1 else ""
    if tie:
        if favours_a or favours_b:
            s_b = "s" if len(favours_b) == 1 else ""
            reason = (f"neither ranks above the other: {_lit(names.say(favours_a))} "
                      f"favour{s_a} {{a}}, {_lit(names.say(favours_b))} favour{s_b}"
                      " {b}; the panel weighs them")
        else:
            reason = "nothing separates them (listed by id)"
        return None, reason, favours_a, favours_b, False
    if policy == "pareto" and not (names.has_tier and sa[0] != sb[0]):
        if not favours_b:
            return (None, "{a} is at least as good on every priority and better on "
                    + _lit(names.say(favours_a)), favours_a, favours_b, False)
        return (None, "{b} ranks lower because {above} is at least as good on every "
                f"priority and better on one; against {{a}}, {_lit(names.say(favours_a))} "
                f"favour{s_a} {{a}}", favours_a, favours_b, True)
    decided_by = favours_a[0]
    i = ids.index(decided_by)
    verb = "" if decided_by == CHECKS else "is "
    reason = (f"“{_lit(names.words[decided_by])}”: {{a}} {verb}"
              f"{_lit(names.standing(decided_by, sa[i]))}, {{b}} {verb}"
              f"{_lit(names.standing(decided_by, sb[i]))}")
    return decided_by, reason, favours_a, favours_b, False
