"""Why a condition failed (or held), in words a policy officer understands.

Built on the plain-English reading of the IR (``language.printer.words``) with the values
the trace recorded: "assessment request › route is one of "school", "parent" — it is
"health_notification"". For a rule that did not fire, :func:`why_false` gives the first
conditions that failed, the way the engine met them: in ``a and b`` the first of ``a``,
``b`` that is false; in ``a or b`` every alternative; inside a definition, the reason of
its own condition (nested under the definition's title).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..language import ir
from ..language.functions import FUNCTIONS
from ..language.printer import negate, words
from ..language.visitor import Visitor
from ..values import NOT_RECORDED
from .trace import Node, Trace
from .values import path_words, say, say_computed

MAX_ITEMS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Reason:
    text: str
    because: tuple[Reason, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text}
        if self.because:
            d["because"] = [b.to_dict() for b in self.because]
        return d

    def lines(self, indent: str = "", step: str = "  ") -> list[str]:
        out = [indent + self.text]
        for b in self.because:
            out.extend(b.lines(indent + step, step))
        return out


def _operand_note(e: ir.Expr, value: Any, node: Node | None = None) -> str:
    """"assessment request › route is "parent"" (or "... is not recorded")."""
    text = _with_arguments(node) if node is not None else words(e)
    if isinstance(e, ir.FieldRef):
        return f"{text} is {say(value)}"
    return f"{text} is {say_computed(value)}"


def _with_arguments(node: Node) -> str:
    """A function call in words, with the values of the facts it was given:
    "the first day of compulsory school age for someone born on child › date of birth
    (21 June 2000)"."""
    e = node.expr
    if not isinstance(e, ir.Call) or len(node.children) != len(e.args):
        return words(e)
    spec = FUNCTIONS[e.function]
    args = []
    for arg, child in zip(e.args, node.children, strict=True):
        text = words(arg)
        if isinstance(arg, ir.FieldRef | ir.DefinitionRef | ir.AsOf) and child.value is not None:
            text += f" ({say(child.value)})"
        args.append(text)
    if spec.variadic:
        return spec.words.format(", ".join(args))
    return spec.words.format(*args)


def _facts(node: Node) -> str:
    """The values a comparison or membership test saw, in words."""
    notes = []
    for child in node.children:
        if ir.is_constant(child.expr) or (isinstance(child.expr, ir.SettingRef)
                                          and not child.evaluated):
            continue
        if not child.evaluated and child.value is None:
            continue
        notes.append(_operand_note(child.expr, child.value, child))
    return "; ".join(notes)


class _Explainer:
    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.why_false = _WhyFalse(self)
        self.why_true = _WhyTrue(self)

    def definition_node(self, node: Node) -> Node | None:
        if node.inline:
            return node.children[0] if node.children else None
        d = self.trace.definitions.get(node.definition or "")
        return d.node if d is not None else None

    def false(self, node: Node) -> list[Reason]:
        if node.error:
            return [Reason(f"{words(node.expr)} cannot be computed: {node.error}")]
        return self.why_false.visit(node.expr, node)

    def true(self, node: Node) -> list[Reason]:
        return self.why_true.visit(node.expr, node)

    def reasons(self, node: Node, holds: bool) -> list[Reason]:
        return self.true(node) if holds else self.false(node)

    def branch(self, node: Node, holds: bool) -> list[Reason]:
        """``if c then a else b``: the reasons of the branch the condition chose."""
        cond, then, other = node.children
        branch = then if cond.truth else other
        return [Reason(f"{'as' if cond.truth else 'since not'} {words(cond.expr)}:",
                       tuple(self.reasons(branch, holds)))]

    # ------------------------------------------------------------------ shared
    def negation(self, node: Node) -> str:
        """``not X`` in words: the definition's title negated as a person would say it
        ("the child is not in a pre-school (Early Years) setting"), else the printer's."""
        inner = node.children[0]
        e = inner.expr
        if isinstance(e, ir.DefinitionRef):
            definition = self.trace.rulebase.definitions.get(inner.definition or "")
            if definition is not None:
                said = negate(definition.title)
                return (f"{said} (not {definition.name})" if said is not None else
                        f"“{definition.title}” does not hold (not {definition.name})")
        return words(node.expr)

    def definition(self, node: Node, holds: bool) -> list[Reason]:
        key = node.definition or ""
        definition = self.trace.rulebase.definitions.get(key)
        title = definition.title if definition else key
        name = definition.name if definition else key
        body = self.definition_node(node)
        if node.expr.type.kind != "bool":
            text = f"{title} ({name}) is {say_computed(node.value)}"
            return [Reason(text)]
        head = f"{'met' if holds else 'not met'}: “{title}” ({name})"
        if body is None:
            return [Reason(head)]
        inner = self.reasons(body, holds)
        return [Reason(head + ", because", tuple(inner))]

    def quantifier(self, node: Node, holds: bool) -> list[Reason]:
        e = node.expr
        assert isinstance(e, ir.Quantifier)
        coll = node.children[0] if node.children else None
        text = words(e)
        count = len(node.items) + node.items_omitted
        if e.kind == "count" or e.condition is None:
            return [Reason(f"{text} is {say(node.value)}")]
        lead = "met" if holds else "not met"
        if not node.items:
            where = words(coll.expr) if coll is not None else "the list"
            return [Reason(f"{lead}: {text} — {where} has no entries")]
        # which items explain the result: every one, or the first that decided
        if (e.kind == "any" and not holds) or (e.kind != "any" and holds):
            chosen = [i for i in node.items if i.node is not None]
            summary = (f"all {count} entries have it" if e.kind == "every"
                       else f"none of the {count} entries has it")
        else:
            want = e.kind != "every"
            first = next((i for i in node.items if i.node is not None
                          and i.node.truth == want), None)
            if first is None:
                return [Reason(f"{lead}: {text}")]
            chosen = [first]
            summary = f"{path_words(first.path)} {'has' if want else 'does not have'} it"
        because = []
        for item in chosen[:MAX_ITEMS_SHOWN]:
            assert item.node is not None
            inner = self.reasons(item.node, item.node.truth)
            because.append(Reason(f"{path_words(item.path)}:", tuple(inner)))
        if len(chosen) > MAX_ITEMS_SHOWN:
            because.append(Reason(f"(and {len(chosen) - MAX_ITEMS_SHOWN} more)"))
        return [Reason(f"{lead}: {text} — {summary}", tuple(because))]


class _Why(Visitor[list[Reason]]):
    """What the two readings share: ``and``, ``or`` and ``not`` mirror each other;
    definitions, quantifiers and ``if`` defer to the explainer. ``holds``: which reading."""

    holds: bool

    def __init__(self, explainer: _Explainer) -> None:
        # a weak reference: the explainer holds its readings, and a cycle would keep the
        # trace it reads alive until the cyclic garbage collector walks it
        self.x: _Explainer = weakref.proxy(explainer)

    def visit_BoolOp(self, e: ir.BoolOp, node: Node) -> list[Reason]:
        """The first part that decided (the failing part of an ``and``, the holding part
        of an ``or``), else every part (why each alternative failed, or each part held)."""
        lead = "met" if self.holds else "not met"
        if e.op == ("or" if self.holds else "and"):
            for child in node.children:
                if child.truth == self.holds:
                    return self.x.reasons(child, self.holds)
            return [Reason(f"{lead}: {words(e)}")]
        parts = [r for child in node.children for r in self.x.reasons(child, self.holds)]
        head = "all of these hold:" if self.holds else "none of these holds:"
        return [Reason(head, tuple(parts))] if len(parts) > 1 else parts

    def visit_Not(self, e: ir.Not, node: Node) -> list[Reason]:
        lead = "met" if self.holds else "not met"
        return [Reason(f"{lead}: {self.x.negation(node)}, because",
                       tuple(self.x.reasons(node.children[0], not self.holds)))]

    def visit_DefinitionRef(self, e: ir.DefinitionRef, node: Node) -> list[Reason]:
        return self.x.definition(node, self.holds)

    def visit_Quantifier(self, e: ir.Quantifier, node: Node) -> list[Reason]:
        return self.x.quantifier(node, self.holds)

    def visit_IfThenElse(self, e: ir.IfThenElse, node: Node) -> list[Reason]:
        return self.x.branch(node, self.holds)


class _WhyFalse(_Why):
    """Why a condition failed, by the kind of its node (the first failing part)."""

    holds = False

    def generic_visit(self, node: ir.Expr, *args: Any, **kwargs: Any) -> list[Reason]:
        (n,) = args
        facts = "; ".join(_operand_note(c.expr, c.value) for c in n.children
                          if not ir.is_constant(c.expr))
        return [Reason(f"not met: {words(node)}" + (f" — {facts}" if facts else ""))]

    def visit_Compare(self, e: ir.Expr, node: Node) -> list[Reason]:
        facts = _facts(node)
        return [Reason(f"not met: {words(e)}" + (f" — {facts}" if facts else ""))]

    visit_Membership = visit_Compare

    def visit_Known(self, e: ir.Known, node: Node) -> list[Reason]:
        if e.negated:
            return [Reason(f"not met: {words(e)} — it is {say(node.children[0].value)}")]
        return [Reason(f"not met: {words(e)} — it is {NOT_RECORDED}")]

    def visit_Const(self, e: ir.Const, node: Node) -> list[Reason]:
        return [Reason("the condition is always false")]

    def visit_FieldRef(self, e: ir.FieldRef, node: Node) -> list[Reason]:
        return [Reason(f"not met: {words(e)} is yes — it is {say(node.value)}")]


class _WhyTrue(_Why):
    """Why a condition held, by the kind of its node (the part that decided)."""

    holds = True

    def generic_visit(self, node: ir.Expr, *args: Any, **kwargs: Any) -> list[Reason]:
        return [Reason(f"met: {words(node)}")]

    def visit_Compare(self, e: ir.Compare, node: Node) -> list[Reason]:
        if e.op == "=" and ir.is_constant(e.right):
            return [Reason(f"met: {words(e)}")]  # the value is in the words
        return self.visit_Membership(e, node)

    def visit_Membership(self, e: ir.Expr, node: Node) -> list[Reason]:
        facts = _facts(node)
        return [Reason(f"met: {words(e)}" + (f" — {facts}" if facts else ""))]

    def visit_Known(self, e: ir.Known, node: Node) -> list[Reason]:
        operand = node.children[0]
        if e.negated or isinstance(operand.value, BaseModel | tuple):
            return [Reason(f"met: {words(e)}")]
        return [Reason(f"met: {words(e)} — it is {say(operand.value)}")]

    def visit_Const(self, e: ir.Const, node: Node) -> list[Reason]:
        return [Reason("the condition always holds")]

    def visit_FieldRef(self, e: ir.FieldRef, node: Node) -> list[Reason]:
        return [Reason(f"met: {words(e)} is yes")]


def why_false(trace: Trace, node: Node) -> list[Reason]:
    """The first conditions that failed, with the values they saw."""
    return _Explainer(trace).false(node)


def why_true(trace: Trace, node: Node) -> list[Reason]:
    """Why a condition held, with the values it saw."""
    return _Explainer(trace).true(node)


def also_not_met(trace: Trace, node: Node) -> list[Reason]:
    """Other parts of a failed ``and`` the engine did not need to look at, that fail too."""
    if not isinstance(node.expr, ir.BoolOp) or node.expr.op != "and" or node.truth:
        return []
    explainer = _Explainer(trace)
    failing = [c for c in node.children if not c.truth]
    return [r for c in failing[1:] for r in explainer.false(c)]
