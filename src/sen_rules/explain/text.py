"""A plain-text rendering of an explanation, for a person at a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..language import ir
from ..language.printer import canonical
from ..reports.text import rulebase_line, text_of
from .reasons import also_not_met, why_false, why_true
from .trace import AreaTrace, Node, Trace
from .values import say

if TYPE_CHECKING:
    from .core import Explanation

MARK = {True: "✓", False: "✗"}


def _value(node: Node) -> str:
    if node.error:
        return f"cannot be computed ({node.error})"
    return say(node.value)


def node_lines(node: Node, indent: str) -> list[str]:
    """A condition tree: every node with its value, and the case values it read."""
    e = node.expr
    if isinstance(e, ir.Const) or (isinstance(e, ir.ListOf) and all(
            isinstance(i, ir.Const) for i in e.items)):
        return []
    skipped = "" if node.evaluated else "  (not needed for the decision)"
    if isinstance(e, ir.FieldRef):
        reads = node.reads or ((e.dotted, node.value),)
        return [f"{indent}{path} = {say(value)}{skipped}" for path, value in reads]
    label = "  [definition]" if node.definition is not None else ""
    lines = [f"{indent}{canonical(e)} → {_value(node)}{label}{skipped}"]
    for child in node.children:
        lines.extend(node_lines(child, indent + "  "))
    for item in node.items:
        if item.node is None:
            continue
        lines.append(f"{indent}  {item.path}: → {_value(item.node)}"
                     + ("" if item.node.evaluated else "  (not needed for the decision)"))
        lines.extend(node_lines(item.node, indent + "    "))
    if node.items_omitted:
        lines.append(f"{indent}  (and {node.items_omitted} more entries, not shown)")
    return lines


def area_lines(trace: Trace, at: AreaTrace, x: Explanation) -> list[str]:
    area = at.area
    head = f"== {area.title} ({area.id}): "
    if at.applies_node is None:
        head += "applies (always) =="
    else:
        head += ("applies" if at.applies else "does not apply") + " =="
    lines = [head]
    if at.applies_node is not None:
        lines.append("  applies when:")
        lines.extend(node_lines(at.applies_node, "    "))
        if not at.applies:
            for why in why_false(trace, at.applies_node):
                lines.extend(why.lines("    "))
            return lines
    decision = x.evaluation.decision(area.id)
    if decision is not None:
        lines.append(f"  decision: {decision.outcome_label} [{decision.outcome}] by "
                     f"{', '.join(at.deciding)} (hit policy: {area.hit_policy})")
        for ref in decision.rules:
            if ref.chosen_by is not None:
                lines.append(f"  version of {ref.id}: {ref.chosen_by.reason}")
        for f in decision.flags:
            lines.append(f"  flag {f.code}: {f.message}")
        for n in decision.notes:
            lines.append(f"  note {n.code}: {n.message}")
    for rt in at.rules:
        r = rt.rule
        what = f"{r.effect} {r.value}" + (f", priority {r.priority}" if r.effect == "outcome"
                                           else "")
        lines.append(f"  {MARK[rt.fired]} {r.key} — {r.title}")
        lines.append(f"      {what}: {rt.role}")
        if rt.fired:
            for why in why_true(trace, rt.node):
                lines.extend(why.lines("      "))
        else:
            for why in why_false(trace, rt.node):
                lines.extend(why.lines("      "))
            more = also_not_met(trace, rt.node)
            if more:
                lines.append("      also not met (not needed for the decision):")
                for why in more:
                    lines.extend(why.lines("        "))
        if isinstance(rt.node.expr, ir.Const):
            lines.append(f"      condition: always {'true' if rt.node.truth else 'false'}")
        else:
            lines.append("      condition:")
            lines.extend(node_lines(rt.node, "        "))
    for cand in at.candidates:
        lines.append(f"  candidate {cand.path}:")
        for el in cand.elements:
            lines.append(f"    {el.kind} {el.criterion}: {el.place}")
            lines.extend(node_lines(el.prefer, "      "))
            lines.extend(node_lines(el.over, "      "))
    cfs = [c for c in x.counterfactuals if c.topic == area.id]
    searched = next((s for s in x.searched if s.topic == area.id), None)
    if searched is not None:
        lines.append("  what would change it:")
        for c in cfs:
            lines.append(f"    - {c.text}")
        if not cfs:
            lines.append(f"    no change of one or two facts among the {searched.singles} "
                         "single changes tried changes this decision")
        if not searched.complete:
            lines.append("    (the search stopped at its budget of evaluations: other changes "
                         "may exist)")
    return lines


def render_explanation(x: Explanation) -> str:
    rb = x.rulebase
    lines = [
        f"Explanation of case {x.case.child.id}, evaluated on {x.as_of.isoformat()}",
        f"{rulebase_line(rb.name, rb.version, rb.sha256)}, backend {x.backend}",
        "",
    ]
    for at in x.trace.areas:
        lines.extend(area_lines(x.trace, at, x))
        lines.append("")
    if x.trace.definitions:
        lines.append("== Definitions used ==")
        for key, d in x.trace.definitions.items():
            flag = "" if d.used else "  (not needed for the decision)"
            value = say(d.value) if d.error is None else f"cannot be computed ({d.error})"
            lines.append(f"  {key} = {value} — {d.definition.title}{flag}")
            if d.node is not None:
                lines.extend(node_lines(d.node, "      "))
    return text_of(lines)
