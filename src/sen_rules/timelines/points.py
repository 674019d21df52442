"""The dates on which a case's decisions can change, found from the compiled rules.

Why this is exact. For one case, a decision is a function of the evaluation date ``d``
only through (1) the epoch (the rule versions and settings in force), which changes only at
epoch boundaries, and (2) the nodes of the typed IR that read ``as_of``. Everything else is
fixed for the case. So the decisions can only change on a day where an epoch starts or
where some node that reads ``as_of`` takes a new value. This module finds a superset of
those days, per epoch, by walking every expression in force (area applicability, rule
conditions with their version guards, details, ranking checks and criteria), through the
definitions they use and under every binding of the quantifiers and rankings that enclose
them (their lists do not read ``as_of``, so the bindings are fixed):

* a comparison of a side that moves with ``d`` against one that does not (or that moves the
  other way) is *monotone*: ``as_of``, ``as_of + 1 month``, ``days_between(as_of, X)``,
  ``age_on(dob, as_of)``, ``latest(as_of, X)`` ... never go back. ``L >= R`` and ``L > R``
  then flip at most once each over the epoch, and every comparison operator is decided by
  those two; the flips are found by bisection on the actual closures, so no function
  needs a hand-written inverse;
* a stepping value (an age, a year group, an academic year) is followed step by step, by
  bisection from each step to the next;
* ``and``/``or``/``not``/``if``/``is known``/membership/quantifiers change only where a
  part changes, so their parts' days are collected;
* a value that changes every day (``days_between(as_of, X)`` as a detail) is never a change
  point itself: it is a count that moves with the date, and is masked when decisions are
  compared (:func:`smooth_details`);
* another area's decision (``decisions.AREA.FIELD``) changes only where that area's
  decision can change: at the days found by walking that area (its applicability, rules
  and details, which include the decisions it reads in turn). Where a decision meets a
  value that moves with the date (``decisions.cessation.cease_from <= as_of``), the epoch
  is cut at those days and the node analysed on each span with the decision held fixed,
  as the value it has there (``Candidates.split`` counts them). A detail that moves every
  day cannot be held fixed: a node comparing it is scanned.

A node the analysis cannot solve (a non-monotone use of ``as_of``) is scanned day by day
over the epoch (or the span), alone (``Candidates.scanned`` counts them); a moving node of
a kind it does not know makes every day of the epoch a candidate
(``Candidates.every_day``). Either way the result stays exact. Every date value produced
for the case by a date-typed node that does not read ``as_of`` is also a candidate, with
the day after it: this finds dates that flow into comparisons through other means at no
extra cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from ..case import Case
from ..engine.native import DecisionValue, Env, Program, match_native
from ..engine.service import compiled
from ..language import ir
from ..rulebase import Area, Epoch, Rulebase
from .moves import MONOTONE, MOVING_EVERY_DAY, STEPPING, VARIADIC_INCREASING
from .smooth import smooth_details

Shape = Literal["const", "inc", "dec"] | None
DAY = timedelta(days=1)
MAX_STEPS = 400  # steps of one stepping value followed before scanning it instead

class Smooth(Exception):  # noqa: N818 - a signal within the analysis, not an error
    """A value that changes every day: its changes are not change points."""


def _flip(s: Shape) -> Shape:
    return {"inc": "dec", "dec": "inc"}.get(s, s) if s else None  # type: ignore[return-value]


def _combine(a: Shape, b: Shape) -> Shape:
    if a is None or b is None:
        return None
    if a == "const":
        return b
    if b == "const" or a == b:
        return a
    return None


@dataclass
class Candidates:
    """Days on which the decisions may change, and what finding them cost."""

    days: set[date] = field(default_factory=set)
    probes: int = 0  # evaluations of single nodes (bisection steps, fixed values)
    scanned: int = 0  # nodes that had to be scanned day by day
    every_day: int = 0  # days made candidates because a node of an unknown kind moves
    split: int = 0  # nodes analysed span by span between the changes of decisions they read


class _Piece:
    """One epoch, clipped to the timeline: ``lo`` to ``hi``, both included; or a span of
    it (``parent``) over which the decisions of the ``fixed`` areas do not change."""

    def __init__(self, rulebase: Rulebase, epoch: Epoch, case: Case, lo: date, hi: date,
                 found: Candidates, fixed: frozenset[str] = frozenset(),
                 parent: _Piece | None = None) -> None:
        self.rb = rulebase
        self.epoch = epoch
        self.case = case
        self.lo, self.hi = lo, hi
        self.program: Program = compiled(rulebase).program(epoch)
        self.found = found
        self.fixed, self.parent = fixed, parent
        self.moving_memo: dict[tuple[int, str | None], bool] = {}
        self.defs_memo: dict[str, set[date] | None] = {}  # case-level; None: smooth
        self.area_memo: dict[str, set[date]] = {}
        self.reads_memo: dict[tuple[int, str | None], frozenset[tuple[str, str]]] = {}
        self.decided: dict[date, dict[str, DecisionValue]] = \
            parent.decided if parent is not None else {}

    # ------------------------------------------------------------------ values
    def value(self, e: ir.Expr, area: str | None, binds: Mapping[str, Any], day: date) -> Any:
        self.found.probes += 1
        env = Env(self.case, day)
        env.vars.update(binds)
        if self.decision_reads(e, area):
            env.decisions = self.decisions_on(day)
        return self.program.function(e, area)(env)

    def decisions_on(self, day: date) -> dict[str, DecisionValue]:
        """The decisions other areas read, made by the engine for the day."""
        found = self.decided.get(day)
        if found is None:
            env = Env(self.case, day)
            match_native(compiled(self.rb).program(self.epoch), env)
            found = self.decided[day] = env.decisions
        return found

    def decision_reads(self, e: ir.Expr, area: str | None) -> frozenset[tuple[str, str]]:
        """The decision fields a node reads (through the definitions it uses)."""
        memo = (id(e), area)
        found = self.reads_memo.get(memo)
        if found is None:
            found = self.reads_memo[memo] = self.rb.reads([(area, e)]).decisions
        return found

    def first_change(self, test: Callable[[date], Any], lo: date, hi: date) -> date | None:
        """The first day after ``lo`` where a monotone ``test`` differs from its value at
        ``lo`` (it changes at most once between ``lo`` and ``hi``)."""
        start = test(lo)
        if lo >= hi or test(hi) == start:
            return None
        a, b = lo.toordinal(), hi.toordinal()  # test(a) == start, test(b) != start
        while b - a > 1:
            mid = (a + b) // 2
            if test(date.fromordinal(mid)) == start:
                a = mid
            else:
                b = mid
        return date.fromordinal(b)

    def add(self, days: Iterable[date]) -> None:
        self.found.days.update(d for d in days if self.lo < d <= self.hi)

    # ------------------------------------------------------------------ analysis
    def definition(self, ref: ir.DefinitionRef, area: str | None) -> tuple[str, Any]:
        key = self.rb.definition_key(ref.name, area)
        return key, self.rb.definitions[key]

    def moving(self, e: ir.Expr, area: str | None) -> bool:
        """Whether a node reads the evaluation date (directly or through definitions)."""
        memo = (id(e), area)
        found = self.moving_memo.get(memo)
        if found is None:
            if isinstance(e, ir.AsOf):
                found = True
            elif isinstance(e, ir.DefinitionRef):
                _, d = self.definition(e, area)
                found = self.moving(d.expr, d.area)
            elif isinstance(e, ir.DecisionRef):  # held fixed over a span, unless smooth
                found = ((e.area not in self.fixed or self.smooth(e.area, e.field))
                         and any(self.moving(r, e.area) for r, _ in self.roots(e.area)))
            else:
                found = any(self.moving(c, area) for c in e.children())
            self.moving_memo[memo] = found
        return found

    def shape(self, e: ir.Expr, area: str | None) -> Shape:
        """How a value moves with the evaluation date, or None if not monotone."""
        if not self.moving(e, area):
            return "const"
        if isinstance(e, ir.AsOf):
            return "inc"
        if isinstance(e, ir.DefinitionRef):
            _, d = self.definition(e, area)
            return self.shape(d.expr, d.area)
        if isinstance(e, ir.Negate):
            return _flip(self.shape(e.operand, area))
        if isinstance(e, ir.Arith):
            left, right = self.shape(e.left, area), self.shape(e.right, area)
            return _combine(left, right if e.op == "+" else _flip(right))
        if isinstance(e, ir.IfThenElse) and not self.moving(e.condition, area):
            return _combine(self.shape(e.then, area), self.shape(e.otherwise, area))
        if isinstance(e, ir.Call):
            if e.function in VARIADIC_INCREASING:
                signs: tuple[int, ...] = (1,) * len(e.args)
            else:
                signs = MONOTONE.get(e.function, ())
                if len(signs) != len(e.args):
                    return None
            result: Shape = "const"
            for sign, arg in zip(signs, e.args, strict=True):
                s = self.shape(arg, area)
                result = _combine(result, s if sign > 0 else _flip(s))
            return result
        return None

    # ------------------------------------------------------------------ change days
    def points(self, e: ir.Expr, area: str | None, binds: Mapping[str, Any]) -> set[date]:
        """Days in (lo, hi] where the node's value may change; raises Smooth for a value
        that changes every day. Also harvests the fixed dates the node's parts produce."""
        if not self.moving(e, area):
            self.harvest(e, area, binds)
            return set()
        if isinstance(e, ir.AsOf):
            raise Smooth
        if isinstance(e, ir.DecisionRef):  # it changes where the area's decision may
            if self.smooth(e.area, e.field):
                raise Smooth
            return set(self.area_days(e.area))
        if isinstance(e, ir.DefinitionRef):
            key, d = self.definition(e, area)
            if d.variable is not None:  # about the item being ranked: depends on it
                return self.points(d.expr, d.area, binds)
            if key not in self.defs_memo:  # case-level: the same days wherever it is used
                try:
                    self.defs_memo[key] = self.points(d.expr, d.area, {})
                except Smooth:
                    self.defs_memo[key] = None
            memo = self.defs_memo[key]
            if memo is None:
                raise Smooth
            return set(memo)
        if isinstance(e, ir.Compare):
            return self.compare(e, area, binds)
        if isinstance(e, ir.Quantifier):
            if self.moving(e.collection, area) or e.condition is None:
                return self.scan(e, area, binds)
            items = self.value(e.collection, area, binds, self.lo) or ()
            days: set[date] = set()
            for item in items:
                days |= self.points(e.condition, area, {**binds, e.variable: item})
            return days
        if isinstance(e, ir.Membership) and not self.moving(e.collection, area):
            members = self.value(e.collection, area, binds, self.lo) or ()
            return self.against(e, e.item, members, area, binds)
        if isinstance(e, ir.Call) and e.function not in MOVING_EVERY_DAY:
            if e.function in STEPPING and self.shape(e, area) in ("inc", "dec"):
                return self.steps(e, area, binds)
            return self.scan(e, area, binds)
        if isinstance(e, ir.Known):
            try:
                return self.points(e.operand, area, binds)
            except Smooth:
                return self.scan(e, area, binds)
        if isinstance(e, (ir.BoolOp, ir.Not, ir.IfThenElse, ir.ListOf, ir.Arith, ir.Negate,
                          ir.Call)):
            days = set()
            for child in e.children():
                days |= self.points(child, area, binds)  # a smooth part makes it smooth
            return days
        if isinstance(e, ir.Membership):  # a list that moves with the date
            return self.scan(e, area, binds)
        return self.every_day()

    def every_day(self) -> set[date]:
        """For a kind of node this analysis does not know (and so cannot evaluate on its
        own): every day of the epoch is a candidate, which is exact, and counted."""
        self.found.every_day += self.hi.toordinal() - self.lo.toordinal()
        return {date.fromordinal(d) for d in range(self.lo.toordinal() + 1,
                                                   self.hi.toordinal() + 1)}

    def compare(self, e: ir.Compare, area: str | None, binds: Mapping[str, Any]) -> set[date]:
        try:
            days = set()
            for side in (e.left, e.right):
                days |= self.points(side, area, binds)
            return days  # both sides step (or are fixed): it changes only where they do
        except Smooth:
            pass
        left, right = self.shape(e.left, area), self.shape(e.right, area)
        if left is None or right is None:
            return self.scan(e, area, binds)
        direction = _combine(left, _flip(right))
        if direction is None:
            return self.scan(e, area, binds)
        if not self.moving(e.right, area):
            fixed = self.value(e.right, area, binds, self.lo)
            return self.against(e, e.left, (fixed,), area, binds)
        if not self.moving(e.left, area):
            fixed = self.value(e.left, area, binds, self.lo)
            return self.against(e, e.right, (fixed,), area, binds)

        def difference(day: date) -> tuple[bool, bool] | None:
            a = self.value(e.left, area, binds, day)
            b = self.value(e.right, area, binds, day)
            return None if a is None or b is None else (a >= b, a > b)

        return self.crossings([difference])

    def against(self, e: ir.Expr, moving: ir.Expr, values: Iterable[Any], area: str | None,
                binds: Mapping[str, Any]) -> set[date]:
        """Days where a monotone ``moving`` value crosses each of ``values``."""
        if self.shape(moving, area) not in ("inc", "dec"):
            return self.scan(e, area, binds)
        tests: list[Callable[[date], tuple[bool, bool] | None]] = []
        for fixed in values:
            if fixed is None:
                continue
            if isinstance(fixed, date):
                self.add((fixed, fixed + DAY))
            tests.append(self.crossing(moving, fixed, area, binds))
        return self.crossings(tests)

    def crossing(self, moving: ir.Expr, fixed: Any, area: str | None,
                 binds: Mapping[str, Any]) -> Callable[[date], tuple[bool, bool] | None]:
        def test(day: date) -> tuple[bool, bool] | None:
            v = self.value(moving, area, binds, day)
            return None if v is None else (v >= fixed, v > fixed)

        return test

    def crossings(self, tests: list[Callable[[date], tuple[bool, bool] | None]]
                  ) -> set[date]:
        days: set[date] = set()
        for test in tests:
            for part in (0, 1):
                def one(day: date, t: Callable[[date], Any] = test, p: int = part) -> Any:
                    found = t(day)
                    return None if found is None else found[p]

                flip = self.first_change(one, self.lo, self.hi)
                if flip is not None:
                    days.add(flip)
        return days

    def steps(self, e: ir.Expr, area: str | None, binds: Mapping[str, Any]) -> set[date]:
        """Every day a monotone stepping value (an age, a year group) takes a new value."""
        days: set[date] = set()
        here = self.lo
        while len(days) <= MAX_STEPS:
            now = self.value(e, area, binds, here)

            def moved(day: date, v: Any = now) -> bool:
                return bool(self.value(e, area, binds, day) != v)

            nxt = self.first_change(moved, here, self.hi)
            if nxt is None:
                return days
            days.add(nxt)
            here = nxt
        return self.scan(e, area, binds)

    def scan(self, e: ir.Expr, area: str | None, binds: Mapping[str, Any]) -> set[date]:
        """Day by day, for a node the analysis cannot solve: exact, and counted. A node
        that cannot be solved because it reads decisions that change is split instead."""
        reads = self.decision_reads(e, area)
        if not any(self.smooth(a, f) for a, f in reads):
            areas = frozenset(a for a, f in reads if a not in self.fixed)
            if areas:
                return self.split(e, area, binds, areas)
        self.found.scanned += 1
        days: set[date] = set()
        before = self.value(e, area, binds, self.lo)
        day = self.lo + DAY
        while day <= self.hi:
            now = self.value(e, area, binds, day)
            if now != before:
                days.add(day)
            before, day = now, day + DAY
        return days

    def split(self, e: ir.Expr, area: str | None, binds: Mapping[str, Any],
              areas: frozenset[str]) -> set[date]:
        """The node on each span between the days where the decisions of ``areas`` may
        change, with those decisions held fixed (they are, there), and those days."""
        self.found.split += 1
        cuts = sorted(set().union(*(self.area_days(a) for a in areas)))
        days = set(cuts)
        for lo, hi in zip([self.lo, *cuts], [c - DAY for c in cuts] + [self.hi], strict=True):
            span = _Piece(self.rb, self.epoch, self.case, lo, hi, self.found,
                          self.fixed | areas, self)
            try:
                days |= span.points(e, area, binds)
            except Smooth:
                days |= span.scan(e, area, binds)
        return days

    def harvest(self, e: ir.Expr, area: str | None, binds: Mapping[str, Any]) -> None:
        """The fixed dates a node produces for the case, and the day after each."""
        if e.type.kind == "date" and not isinstance(e, ir.Const):
            value = self.value(e, area, binds, self.lo)
            if isinstance(value, date):
                self.add((value, value + DAY))

    # ------------------------------------------------------------------ areas
    def _area(self, aid: str) -> Area:
        found = self.rb.area(aid)
        assert found is not None  # the loader checks every area a rule reads (SR130)
        return found

    def roots(self, aid: str) -> list[tuple[ir.Expr, bool]]:
        """Every expression an area's decision rests on in the epoch (True: a check or
        criterion of its ranking, evaluated for each item ranked)."""
        area = self._area(aid)
        roots = [] if area.applies_when is None else [(area.applies_when, False)]
        for rule in area.all_rules:
            if rule.key in self.epoch.rule_keys:
                roots.append((rule.when_in_force, False))
                roots.extend((d, False) for d in rule.details.values())
        if area.ranking is not None:
            roots.append((area.ranking.collection, False))
            roots.extend((x, True) for c in area.ranking.checks + area.ranking.criteria
                         for x in (c.prefer, c.over))
        return roots

    def area_days(self, aid: str) -> set[date]:
        """The days in the piece where the area's decision may change."""
        found = self.area_memo.get(aid)
        if found is None:
            if self.parent is not None:
                found = {d for d in self.parent.area_days(aid) if self.lo < d <= self.hi}
            else:
                found = set()
                ranking = self._area(aid).ranking
                items = [] if ranking is None else \
                    self.value(ranking.collection, aid, {}, self.lo) or []
                for root, ranked in self.roots(aid):
                    for binds in ([{ranking.variable: i} for i in items]
                                  if ranked and ranking is not None else [{}]):
                        found |= self.collect(root, aid, binds)
            self.area_memo[aid] = found
        return found

    def smooth(self, aid: str, name: str) -> bool:
        """Whether a field of an area's decision is a detail that moves every day."""
        return name in smooth_details(self.rb, self.epoch).get(aid, frozenset())

    def collect(self, e: ir.Expr, area: str | None, binds: Mapping[str, Any]) -> set[date]:
        try:
            return self.points(e, area, binds)
        except Smooth:  # a count that moves with the date: its parts still matter
            days: set[date] = set()
            for child in e.children():
                days |= self.collect(child, area, binds)
            return days


def candidate_days(rulebase: Rulebase, case: Case, start: date, end: date) -> Candidates:
    """Every day from ``start`` to ``end`` on which some decision may differ from the day
    before, and ``start`` itself."""
    found = Candidates(days={start})
    day = start
    while day <= end:
        epoch = rulebase.epoch(day)
        hi = min(epoch.end, end)
        found.days.add(day)
        piece = _Piece(rulebase, epoch, case, day, hi, found)
        for area in rulebase.areas:
            piece.add(piece.area_days(area.id))
        if hi >= end:
            break
        day = hi + DAY
    return found
