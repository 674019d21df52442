"""The details of a decision that move with the date every day (counts of days from the
evaluation date): shown, but never change points, so they are masked when the decisions of
two days are compared. Computed once per rulebase and epoch, and kept with the compiled
program (``engine.service``)."""

from __future__ import annotations

from ..engine.service import compiled
from ..language import ir
from ..rulebase import Epoch, Rulebase
from .moves import STEPPING


def smooth_details(rulebase: Rulebase, epoch: Epoch) -> dict[str, frozenset[str]]:
    """Per area (and per flag or note code), the details that move with the date every day
    (counts of days from the evaluation date): shown, but not change points."""
    return compiled(rulebase).derived(epoch, "smooth details",
                                      lambda program: _smooth_details(rulebase, epoch))


def _smooth_details(rulebase: Rulebase, epoch: Epoch) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for area in rulebase.areas:
        for rule in area.all_rules:
            if rule.key not in epoch.rule_keys:
                continue
            owner = area.id if rule.effect == "outcome" else f"{area.id}:{rule.value}"
            for name, expr in rule.details.items():
                if _is_smooth(rulebase, epoch, expr, area.id):
                    out.setdefault(owner, set()).add(name)
    return {k: frozenset(v) for k, v in out.items()}


def _is_smooth(rulebase: Rulebase, epoch: Epoch, e: ir.Expr, area: str | None) -> bool:
    if isinstance(e, ir.AsOf):
        return True
    if isinstance(e, ir.DefinitionRef):
        d = rulebase.definitions[rulebase.definition_key(e.name, area)]
        return _is_smooth(rulebase, epoch, d.expr, d.area)
    if isinstance(e, ir.DecisionRef):  # a detail of another decision that moves every day
        used = rulebase.area(e.area)
        return used is not None and any(
            _is_smooth(rulebase, epoch, r.details[e.field], used.id) for r in used.all_rules
            if r.key in epoch.rule_keys and r.effect == "outcome" and e.field in r.details)
    if isinstance(e, ir.Call) and e.function in STEPPING:
        return False
    if isinstance(e, (ir.Compare, ir.BoolOp, ir.Not, ir.Known, ir.Membership, ir.Quantifier)):
        return False
    return any(_is_smooth(rulebase, epoch, c, area) for c in e.children())
