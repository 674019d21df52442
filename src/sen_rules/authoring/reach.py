"""Which areas can never apply because of the decisions they depend on (lint SR160).

An area whose ``applies_when`` reads other areas' decisions applies only in some of the
worlds those decisions can make: each used area either does not apply (its outcome and
details then unknown) or applies with one of the outcomes it can actually give (an outcome
rule that is not proven dead, or its ``otherwise``). The condition is analysed once per
world with :mod:`.logic`; if it is proven false in every world, the area can never apply.
The answer is "never" only when proven; anything not understood counts as "possibly".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..language import ir
from ..language.types import BOOL, Type
from ..rulebase import Area, Rulebase
from .logic import Analyzer

MAX_WORLDS = 256


@dataclass(frozen=True)
class Unreachable:
    area: Area
    reason: str


def _ref(area: str, name: str, typ: Type) -> ir.DecisionRef:
    return ir.DecisionRef(type=typ, loc=None, source=f"decisions.{area}.{name}", area=area,
                          field=name)


def _const(value: object, typ: Type) -> ir.Const:
    return ir.Const(type=typ, loc=None, source=repr(value), value=value)


def _eq(ref: ir.Expr, value: object) -> ir.Expr:
    return ir.Compare(type=BOOL, loc=None, source="", op="=", left=ref,
                      right=_const(value, ref.type))


class Reach:
    """Whether areas can apply and which outcomes they can give, worked out once each."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.rb = rulebase
        self.applies: dict[str, bool] = {}
        self.outcomes: dict[str, tuple[str, ...]] = {}

    def can_give(self, area: Area) -> tuple[str, ...]:
        """The outcomes an area can give when it applies (in its declared order)."""
        found = self.outcomes.get(area.id)
        if found is None:
            analyzer = Analyzer(self.rb, area.id)
            live = {r.value for r in area.rules if r.effect == "outcome"
                    and analyzer.analyse([area.applies_when, r.condition]).status != "unsat"}
            if area.otherwise is not None:
                live.add(area.otherwise.value)
            found = tuple(o.value for o in area.outcomes if o.value in live)
            self.outcomes[area.id] = found
        return found

    def worlds(self, area: Area, reads: set[tuple[str, str]]
               ) -> list[tuple[str, list[ir.Expr]]] | None:
        """Each combination of what the used areas can decide, as constraints (None: too
        many to try)."""
        per_area: list[list[tuple[str, list[ir.Expr]]]] = []
        for used_id in area.uses:
            used = self.rb.area(used_id)
            if used is None:
                continue
            fields = sorted(f for a, f in reads if a == used_id and f not in ("applies",
                                                                              "outcome"))
            outcome_type = Type("string", enum=tuple(o.value for o in used.outcomes))
            absent: list[ir.Expr] = [_eq(_ref(used_id, "applies", BOOL), False),
                                     ir.Known(type=BOOL, loc=None, source="", negated=True,
                                              operand=_ref(used_id, "outcome", outcome_type))]
            for name in fields:
                absent.append(ir.Known(type=BOOL, loc=None, source="", negated=True,
                                       operand=_ref(used_id, name, Type("unknown"))))
            options = [(f"{used_id} does not apply", absent)] if used.applies_when else []
            if self.can_apply(used):
                for value in self.can_give(used):
                    options.append((f"{used_id} gives {value!r}",
                                    [_eq(_ref(used_id, "applies", BOOL), True),
                                     _eq(_ref(used_id, "outcome", outcome_type), value)]))
            per_area.append(options)
        total = 1
        for options in per_area:
            total *= max(1, len(options))
        if total > MAX_WORLDS:
            return None
        return [(" and ".join(label for label, _ in combo),
                 [c for _, cs in combo for c in cs])
                for combo in itertools.product(*per_area)]

    def can_apply(self, area: Area) -> bool:
        """False only when proven: the area's condition fails in every world."""
        found = self.applies.get(area.id)
        if found is None:
            self.applies[area.id] = True  # while working it out (no circles once loaded)
            found = self.never(area) is None
            self.applies[area.id] = found
        return found

    def never(self, area: Area) -> Unreachable | None:
        """Why an area can never apply, or None."""
        if area.applies_when is None:
            return None
        reads = set(self.rb.reads([(area.id, area.applies_when)]).decisions)
        if not reads:
            return None
        worlds = self.worlds(area, reads)
        if worlds is None:
            return None
        analyzer = Analyzer(self.rb, area.id)
        for _, constraints in worlds:
            if analyzer.analyse([area.applies_when, *constraints]).status != "unsat":
                return None
        tried = "; ".join(label for label, _ in worlds) or "no world is possible"
        return Unreachable(area, f"area {area.id!r} can never apply: its condition "
                           f"{area.applies_when.source.strip()!r} fails whatever the areas it "
                           f"uses decide ({tried})")


def unreachable_areas(rulebase: Rulebase) -> list[Unreachable]:
    """Every area that can never apply because of the decisions it depends on."""
    reach = Reach(rulebase)
    return [u for a in rulebase.decision_order if (u := reach.never(a)) is not None]
