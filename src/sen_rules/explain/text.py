"""A plain-text rendering of an explanation, for a person at a terminal.

Two forms: the summary a case officer reads (for each decision: what decided it and why,
which rules that would have given another outcome did not apply and the condition that
failed first, and what would change it), and the full trace (every rule, every node of
every condition with its value).
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Protocol

from ..case import Case
from ..engine.result import Evaluation
from ..language import ir
from ..language.printer import canonical
from ..reports.chain import not_applicable_words, settings_words, uses_words
from ..reports.text import WIDTH, rulebase_line, text_of
from ..rulebase import Rulebase
from .counterfactual import Counterfactual, SearchSummary
from .reasons import also_not_met, why_false, why_true
from .trace import AreaTrace, Node, RuleTrace, Trace
from .values import place_in_words, say, say_computed


class Explained(Protocol):
    """What the text reads of an explanation (:class:`.core.Explanation` gives it), so
    that this module does not import the one that renders through it."""

    @property
    def rulebase(self) -> Rulebase: ...
    @property
    def case(self) -> Case: ...
    @property
    def as_of(self) -> date: ...
    @property
    def backend(self) -> str: ...
    @property
    def evaluation(self) -> Evaluation: ...
    @property
    def trace(self) -> Trace: ...
    @property
    def counterfactuals(self) -> tuple[Counterfactual, ...]: ...
    @property
    def searched(self) -> tuple[SearchSummary, ...]: ...

# the mark of a rule in the full trace: it decided or raised its finding; it matched but
# the hit policy gave the decision to another rule; it did not fire
MARKS = {"decided": "✓", "flag raised": "✓", "note raised": "✓", "overridden": "○"}


def mark(role: str, fired: bool) -> str:
    if not fired:
        return "✗"
    return MARKS.get(role, "○" if role.startswith("not raised") else "✓")


def _value(node: Node) -> str:
    if node.error:
        return f"cannot be computed ({node.error})"
    return say_computed(node.value)


def node_lines(node: Node, indent: str) -> list[str]:
    """A condition tree: every node with its value, and the case values it read."""
    e = node.expr
    if ir.is_constant(e):
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


def area_lines(trace: Trace, at: AreaTrace, x: Explained) -> list[str]:
    """One area of the full explanation: whether it applies, its decision, every rule with
    its condition, the candidates of a ranking, and what would change it."""
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
            return lines + _not_applying_lines(trace, at, x)
    lines += _decision_lines(at, x)
    for rt in at.rules:
        lines += _rule_lines(trace, rt)
    lines += _candidate_lines(at)
    lines.extend(changes_lines(x, area.id, "  "))
    return lines


def _not_applying_lines(trace: Trace, at: AreaTrace, x: Explained) -> list[str]:
    assert at.applies_node is not None
    lines: list[str] = []
    na = next((n for n in x.evaluation.not_applicable if n.topic == at.area.id), None)
    if na is not None:
        lines.extend(textwrap.wrap(not_applicable_words(na), 88, initial_indent="  ",
                                   subsequent_indent="    "))
    for why in why_false(trace, at.applies_node):
        lines.extend(why.lines("    "))
    back = [c for c in x.counterfactuals if c.topic == at.area.id]
    if back:
        lines.append("  what would bring it into play:")
        lines.extend(f"    - {c.text}" for c in back)
    return lines


def _decision_lines(at: AreaTrace, x: Explained) -> list[str]:
    decision = x.evaluation.decision(at.area.id)
    if decision is None:
        return []
    lines = [f"  decision: {decision.outcome_label} [{decision.outcome}] by "
             f"{', '.join(at.deciding)} (hit policy: {at.area.hit_policy})"]
    for ref in decision.rules:
        if ref.chosen_by is not None:
            lines.append(f"  version of {ref.id}: {ref.chosen_by.reason}")
    for f in decision.flags:
        lines.append(f"  flag {f.code}: {f.message}")
    for n in decision.notes:
        lines.append(f"  note {n.code}: {n.message}")
    for said in (uses_words(decision), settings_words(decision)):
        if said:
            lines.extend(textwrap.wrap(said, 88, initial_indent="  ",
                                       subsequent_indent="    "))
    return lines


def _rule_lines(trace: Trace, rt: RuleTrace) -> list[str]:
    r = rt.rule
    lines = [f"  {mark(rt.role, rt.fired)} {r.key} — {r.title}",
             f"      {r.effect} {r.value}: {rt.role}"]
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
    return lines


def _candidate_lines(at: AreaTrace) -> list[str]:
    ranking = at.area.ranking
    words = {c.id: c.words or c.title
             for c in (ranking.checks + ranking.criteria if ranking else ())}
    lines: list[str] = []
    for cand in at.candidates:
        lines.append(f"  candidate {cand.path}:")
        for el in cand.elements:
            lines.append(f"    {el.kind} “{words.get(el.criterion, el.criterion)}” "
                         f"({el.criterion}): {place_in_words(el.kind, el.place)}")
            lines.extend(node_lines(el.prefer, "      "))
            lines.extend(node_lines(el.over, "      "))
    return lines


def changes_lines(x: Explained, topic: str, indent: str) -> list[str]:
    cfs = [c for c in x.counterfactuals if c.topic == topic]
    searched = next((s for s in x.searched if s.topic == topic), None)
    if searched is None:
        return []
    lines = [f"{indent}what would change it:"]
    lines.extend(f"{indent}  - {c.text}" for c in cfs)
    if not cfs:
        lines.append(f"{indent}  no change of one or two facts among the {searched.singles} "
                     "single changes tried changes this decision")
    if not searched.complete:
        lines.append(f"{indent}  (the search stopped at its budget of evaluations: other "
                     "changes may exist)")
    if searched.untried:
        lines.append(f"{indent}  ({searched.untried_words()})")
    return lines


SUMMARY_REASON_LINES = 4  # of the first failed condition of each rule, in the summary


def summary_lines(trace: Trace, at: AreaTrace, x: Explained) -> list[str]:
    """One decision for a case officer: what decided, why, what did not apply, what would
    change it."""
    area = at.area
    decision = x.evaluation.decision(area.id)
    if not at.applies or decision is None:
        return []
    lines = [f"{area.title}: {decision.outcome_label}"]
    for rt in at.rules:
        if rt.role == "decided (otherwise)":
            lines.append(f"  decided by {rt.rule.id}, as no other rule of the area gave an "
                         f"outcome: {rt.rule.title}")
        elif rt.role == "decided":
            lines.append(f"  decided by {rt.rule.id}: {rt.rule.title}")
            for why in why_true(trace, rt.node):
                lines.extend(why.lines("    "))
    for f in decision.flags:
        lines.append(f"  flag: {f.message}")
    for n in decision.notes:
        lines.append(f"  note: {n.message}")
    overridden = [rt for rt in at.rules if rt.role == "overridden"]
    if overridden:
        lines.append("  also applied, but did not decide: "
                     + "; ".join(f"{rt.rule.id} ({rt.rule.value})" for rt in overridden))
    others = [rt for rt in at.rules if not rt.fired and rt.rule.effect == "outcome"
              and rt.rule.value != decision.outcome]
    if others:
        lines.append("  did not apply (each would have given another outcome):")
        for rt in others:
            spec = area.outcome(rt.rule.value)
            label = spec.label if spec is not None else rt.rule.value
            lines.append(f"    {rt.rule.id} ({label}):")
            reasons = why_false(trace, rt.node)
            if reasons:
                lines.extend(reasons[0].lines("      ")[:SUMMARY_REASON_LINES])
    lines.extend(changes_lines(x, area.id, "  "))
    return lines


def heading(x: Explained) -> list[str]:
    """The first lines of every explanation: the case, the date, the rulebase, the backend."""
    rb = x.rulebase
    return [f"Explanation of case {x.case.child.id}, evaluated on {x.as_of.isoformat()}",
            f"{rulebase_line(rb.name, rb.version, rb.sha256)}, backend {x.backend}", ""]


def render_summary(x: Explained) -> str:
    """The short form: each decision, what decided it, what did not apply and what would
    change it; the areas not in play named with the reason."""
    lines = heading(x)
    for at in x.trace.areas:
        block = summary_lines(x.trace, at, x)
        if block:
            lines.extend(block)
            lines.append("")
    idle = [at for at in x.trace.areas if not at.applies]
    if idle:
        lines.append("Not in play for this case:")
        skipped = {na.topic: na for na in x.evaluation.not_applicable}
        for at in idle:
            assert at.applies_node is not None
            na = skipped.get(at.area.id)
            if na is not None and na.because:  # kept out by another area's decision: say which
                lines.extend(textwrap.wrap(not_applicable_words(na), WIDTH,
                                           initial_indent="  ", subsequent_indent="    "))
                back = [c for c in x.counterfactuals if c.topic == at.area.id]
                if back:
                    lines.append("    what would bring it into play:")
                    lines.extend(f"      - {c.text}" for c in back)
                continue
            reasons = why_false(x.trace, at.applies_node)
            said = (reasons[0].lines("")[:SUMMARY_REASON_LINES] if reasons
                    else ["its condition does not hold"])
            said = [line.strip().removesuffix(", because").removesuffix(":") for line in said]
            said = [line for line in said if line not in ("none of these holds",
                                                          "all of these hold")]
            lines.append(f"  {at.area.title}: " + "; ".join(said[:2]))
        lines.append("")
    lines.append("(the full trace, every rule and every value: --full)")
    return text_of(lines)


def render_explanation(x: Explained) -> str:
    lines = heading(x)
    for at in x.trace.areas:
        lines.extend(area_lines(x.trace, at, x))
        lines.append("")
    if x.trace.definitions:
        lines.append("== Definitions used ==")
        for key, d in x.trace.definitions.items():
            flag = "" if d.used else "  (not needed for the decision)"
            value = say_computed(d.value) if d.error is None else f"cannot be computed ({d.error})"
            lines.append(f"  {key} = {value} — {d.definition.title}{flag}")
            if d.node is not None:
                lines.extend(node_lines(d.node, "      "))
    return text_of(lines)
