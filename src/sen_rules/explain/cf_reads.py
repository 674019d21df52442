"""What an area's conditions read from a case, collected from the IR.

Every case field the rules of an area read (through definitions, quantifiers, the
decisions of other areas and the placement ranking), with what it is compared with:
constants, settings, lists of allowed values, and computed values such as the start of
compulsory school age or another date of the case (shifted back through
``date + duration``). The counterfactual search changes only these fields, and tries the
values that sit on these boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine.native import Program
from ..language import ir
from ..language.syntax import Duration
from ..language.visitor import Visitor
from ..rulebase import Area, Rulebase

AbsPath = tuple[str, ...]  # "[]" marks a step into the items of a list
Scope = Mapping[str, AbsPath | None]  # a bound variable -> the items it stands for

@dataclass(frozen=True)
class Comparand:
    """A field compared with something: the field's value that meets it is derived from
    the value of ``other`` (shifted back through ``field + duration``)."""

    path: AbsPath
    other: ir.Expr
    area: str | None
    shift: tuple[int, Duration] | None  # field + sign * duration is compared
    members: bool = False  # ``other`` is a list of allowed values


@dataclass
class Uses:
    """What an area's rules read from the case, and what they compare it with."""

    fields: dict[AbsPath, None] = field(default_factory=dict)
    comparands: list[Comparand] = field(default_factory=list)
    list_members: dict[AbsPath, set[Any]] = field(default_factory=dict)


class _Collector(Visitor[None]):
    """Walks the conditions of an area (and what they use) once, collecting ``Uses``."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.uses = Uses()
        self.seen_defs: set[str] = set()
        self.seen_areas: set[str] = set()
        self.in_force: frozenset[str] = frozenset()

    def abs_path(self, e: ir.FieldRef, scope: Mapping[str, AbsPath | None]) -> AbsPath | None:
        if e.root == "case":
            base: AbsPath = ()
        else:
            found = scope.get(e.root)
            if found is None:
                return None
            base = found
        for name, over_list in zip(e.path, e.through_list, strict=True):
            base += (("[]", name) if over_list else (name,))
        return base

    def free(self, e: ir.Expr, area: str | None) -> bool:
        """Whether ``e`` can be evaluated outside any quantifier (reads no bound item)."""
        for n in ir.walk(e):
            if isinstance(n, ir.FieldRef) and n.root != "case":
                return False
            if isinstance(n, ir.Quantifier):
                return False  # keep it simple: a comparand is a plain value
            if isinstance(n, ir.DefinitionRef):
                d = self.rulebase.definitions.get(self.rulebase.definition_key(n.name, area))
                if d is None or d.variable is not None:
                    return False
        return True

    def targets(self, e: ir.Expr, area: str | None, scope: Mapping[str, AbsPath | None],
                depth: int = 0) -> list[tuple[AbsPath, tuple[int, Duration] | None]]:
        """The fields whose value ``e`` is (possibly shifted by a duration)."""
        if depth > 8:
            return []
        if isinstance(e, ir.FieldRef):
            p = self.abs_path(e, scope)
            return [(p, None)] if p is not None else []
        if isinstance(e, ir.Arith) and isinstance(e.right, ir.Const) and isinstance(
                e.right.value, Duration):
            sign = 1 if e.op == "+" else -1
            return [(p, (sign, e.right.value)) for p, s in self.targets(e.left, area, scope,
                                                                         depth + 1) if s is None]
        if isinstance(e, ir.DefinitionRef):
            key = self.rulebase.definition_key(e.name, area)
            d = self.rulebase.definitions[key]
            if d.variable is not None:
                return []
            return self.targets(d.expr, d.area, {}, depth + 1)
        if isinstance(e, ir.IfThenElse):
            return (self.targets(e.then, area, scope, depth + 1)
                    + self.targets(e.otherwise, area, scope, depth + 1))
        if isinstance(e, ir.Call) and e.function in ("earliest", "latest"):
            return [t for a in e.args for t in self.targets(a, area, scope, depth + 1)]
        return []

    def walk(self, e: ir.Expr, area: str | None, scope: Mapping[str, AbsPath | None]) -> None:
        """Collect what ``e`` reads (in ``area``, with the list items bound in ``scope``)."""
        self.visit(e, area, scope)

    def visit_DecisionRef(self, e: ir.DecisionRef, area: str | None, scope: Scope) -> None:
        self.walk_area(e.area)  # a fact can change this through that decision

    def visit_FieldRef(self, e: ir.FieldRef, area: str | None, scope: Scope) -> None:
        p = self.abs_path(e, scope)
        if p is not None:
            self.uses.fields.setdefault(p)

    def visit_DefinitionRef(self, e: ir.DefinitionRef, area: str | None, scope: Scope) -> None:
        key = self.rulebase.definition_key(e.name, area)
        if key in self.seen_defs:
            return
        self.seen_defs.add(key)
        d = self.rulebase.definitions[key]
        inner = {d.variable: scope.get(d.variable)} if d.variable else {}
        self.walk(d.expr, d.area, inner)

    def visit_Quantifier(self, e: ir.Quantifier, area: str | None, scope: Scope) -> None:
        self.walk(e.collection, area, scope)
        coll = (self.abs_path(e.collection, scope)
                if isinstance(e.collection, ir.FieldRef) else None)
        if e.condition is not None:
            self.walk(e.condition, area, {**scope, e.variable: coll + ("[]",)
                                          if coll is not None else None})

    def visit_Compare(self, e: ir.Compare, area: str | None, scope: Scope) -> None:
        for side, other in ((e.left, e.right), (e.right, e.left)):
            if not self.free(other, area):
                continue
            for p, shift in self.targets(side, area, scope):
                self.uses.comparands.append(Comparand(p, other, area, shift))
        self.generic_visit(e, area, scope)

    def visit_Membership(self, e: ir.Membership, area: str | None, scope: Scope) -> None:
        members = e.collection
        if self.free(members, area):
            for p, shift in self.targets(e.item, area, scope):
                if shift is None:
                    self.uses.comparands.append(Comparand(p, members, area, None, True))
        if isinstance(e.item, ir.Const) and isinstance(members, ir.FieldRef):
            list_path = self.abs_path(members, scope)
            if list_path is not None:
                self.uses.list_members.setdefault(list_path, set()).add(e.item.value)
        self.generic_visit(e, area, scope)

    def walk_area(self, area_id: str) -> None:
        """What an area whose decision is read decides from: its applies_when, and the
        conditions and details of its rules (once)."""
        if area_id in self.seen_areas:
            return
        self.seen_areas.add(area_id)
        used = self.rulebase.area(area_id)
        if used is None:
            return
        if used.applies_when is not None:
            self.walk(used.applies_when, used.id, {})
        for rule in used.all_rules:
            if rule.key in self.in_force:
                self.walk(rule.condition, used.id, {})
                for e in rule.details.values():
                    self.walk(e, used.id, {})


def area_uses(rulebase: Rulebase, program: Program, area: Area) -> Uses:
    collector = _Collector(rulebase)
    in_force = program.epoch.rule_keys
    collector.in_force = in_force
    collector.seen_areas.add(area.id)
    if area.applies_when is not None:
        collector.walk(area.applies_when, area.id, {})
    for rule in area.all_rules:
        if rule.key in in_force:
            collector.walk(rule.when_in_force, area.id, {})
    if area.ranking is not None:
        r = area.ranking
        coll = collector.abs_path(r.collection, {})
        collector.walk(r.collection, area.id, {})
        scope = {r.variable: coll + ("[]",) if coll is not None else None}
        for c in r.checks + r.criteria:
            collector.walk(c.prefer, area.id, scope)
            collector.walk(c.over, area.id, scope)
    return collector.uses

