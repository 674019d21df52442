"""Two renderings of the IR: canonical text (for hashing) and plain words (for people).

The canonical text is the condition language itself, with normalised spacing and
parentheses, so reformatting a rule file never changes the rulebase hash. The plain words
read a condition aloud for auditors and policy officers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from ..values import NOT_RECORDED, day_words, literal
from . import ir
from .functions import FUNCTIONS
from .operators import compare_words
from .visitor import Visitor

_PRECEDENCE = {"if": 0, "or": 1, "and": 2, "not": 3, "quant": 3, "cmp": 4, "sum": 5, "unary": 6,
               "atom": 7}


class _Level(Visitor[int]):
    """How tightly an expression binds, to know where the canonical text needs brackets."""

    def generic_visit(self, node: ir.Expr, *args: Any, **kwargs: Any) -> int:
        return _PRECEDENCE["atom"]

    def visit_IfThenElse(self, e: ir.IfThenElse) -> int:
        return _PRECEDENCE["if"]

    def visit_BoolOp(self, e: ir.BoolOp) -> int:
        return _PRECEDENCE[e.op]

    def visit_Not(self, e: ir.Not) -> int:
        return _PRECEDENCE["not"]

    def visit_Quantifier(self, e: ir.Quantifier) -> int:
        return _PRECEDENCE["quant" if e.kind != "count" else "atom"]

    def visit_Compare(self, e: ir.Expr) -> int:
        return _PRECEDENCE["cmp"]

    visit_Membership = visit_Known = visit_Compare

    def visit_Arith(self, e: ir.Arith) -> int:
        return _PRECEDENCE["sum"]

    def visit_Negate(self, e: ir.Negate) -> int:
        return _PRECEDENCE["unary"]


_level = _Level().visit

def _cached_per_node(render: Callable[[ir.Expr], str]) -> Callable[[ir.Expr], str]:
    """``render``, computed once per node and kept on it (``Expr.texts``: nodes are
    immutable; two threads that render a node at once write the same text)."""
    name = render.__name__

    @functools.wraps(render)
    def cached(e: ir.Expr) -> str:
        text = e.texts.get(name)
        if text is None:
            text = e.texts[name] = render(e)
        return text

    return cached


@_cached_per_node
def canonical(e: ir.Expr) -> str:
    """The expression in the condition language with normalised layout (cached per node:
    explanations print the same nodes for every case)."""
    return _CANONICAL.visit(e)


def _sub(child: ir.Expr, min_level: int) -> str:
    text = canonical(child)
    return f"({text})" if _level(child) < min_level else text


class _Canonical(Visitor[str]):
    """The condition language, one method per kind of node."""

    exhaustive = True

    def visit_Const(self, e: ir.Const) -> str:
        return literal(e.value)

    def visit_FieldRef(self, e: ir.FieldRef) -> str:
        return e.dotted

    def visit_SettingRef(self, e: ir.SettingRef) -> str:
        return f"settings.{e.name}"

    def visit_DefinitionRef(self, e: ir.DefinitionRef) -> str:
        return e.name

    def visit_AsOf(self, e: ir.AsOf) -> str:
        return "as_of"

    def visit_DecisionRef(self, e: ir.DecisionRef) -> str:
        return f"decisions.{e.area}.{e.field}"

    def visit_Call(self, e: ir.Call) -> str:
        return f"{e.function}(" + ", ".join(canonical(a) for a in e.args) + ")"

    def visit_ListOf(self, e: ir.ListOf) -> str:
        return "[" + ", ".join(canonical(a) for a in e.items) + "]"

    def visit_Compare(self, e: ir.Compare) -> str:
        lvl = _PRECEDENCE["sum"]
        return f"{_sub(e.left, lvl)} {e.op} {_sub(e.right, lvl)}"

    def visit_Membership(self, e: ir.Membership) -> str:
        lvl = _PRECEDENCE["sum"]
        op = "not in" if e.negated else "in"
        return f"{_sub(e.item, lvl)} {op} {_sub(e.collection, lvl)}"

    def visit_Known(self, e: ir.Known) -> str:
        return f"{_sub(e.operand, _PRECEDENCE['sum'])} is {'missing' if e.negated else 'known'}"

    def visit_BoolOp(self, e: ir.BoolOp) -> str:
        lvl = _PRECEDENCE[e.op] + 1
        return f" {e.op} ".join(_sub(i, lvl) for i in e.items)

    def visit_Not(self, e: ir.Not) -> str:
        return f"not {_sub(e.operand, _PRECEDENCE['not'])}"

    def visit_Arith(self, e: ir.Arith) -> str:
        return f"{_sub(e.left, _PRECEDENCE['sum'])} {e.op} {_sub(e.right, _PRECEDENCE['unary'])}"

    def visit_Negate(self, e: ir.Negate) -> str:
        return f"-{_sub(e.operand, _PRECEDENCE['unary'])}"

    def visit_IfThenElse(self, e: ir.IfThenElse) -> str:
        return f"if {canonical(e.condition)} then {_sub(e.then, 1)} else {_sub(e.otherwise, 0)}"

    def visit_Quantifier(self, e: ir.Quantifier) -> str:
        coll = _sub(e.collection, _PRECEDENCE["atom"])
        if e.kind == "count":
            where = f" where {canonical(e.condition)}" if e.condition is not None else ""
            return f"count({e.variable} in {coll}{where})"
        assert e.condition is not None
        return f"{e.kind} {e.variable} in {coll} where {canonical(e.condition)}"


_CANONICAL = _Canonical()


# ----------------------------------------------------------------------------- plain words


def humanise(name: str) -> str:
    return name.replace("_", " ")


def field_words(e: ir.FieldRef) -> str:
    parts = ([] if e.root == "case" else [e.root]) + list(e.path)
    return " › ".join(humanise(p) for p in parts)


@_cached_per_node
def words(e: ir.Expr) -> str:
    """A plain-English reading of an expression (cached per node, like :func:`canonical`)."""
    return _WORDS.visit(e)


class _Words(Visitor[str]):
    """A condition read aloud, one method per kind of node."""

    exhaustive = True

    def visit_Const(self, e: ir.Const) -> str:
        if isinstance(e.value, bool):
            return "yes" if e.value else "no"
        if isinstance(e.value, date):
            return day_words(e.value)
        return literal(e.value)

    def visit_FieldRef(self, e: ir.FieldRef) -> str:
        return field_words(e)

    def visit_SettingRef(self, e: ir.SettingRef) -> str:
        return f"the setting “{humanise(e.name)}”"

    def visit_DefinitionRef(self, e: ir.DefinitionRef) -> str:
        return humanise(e.name)

    def visit_AsOf(self, e: ir.AsOf) -> str:
        return "the evaluation date"

    def visit_DecisionRef(self, e: ir.DecisionRef) -> str:
        return decision_words(e)

    def visit_Call(self, e: ir.Call) -> str:
        spec = FUNCTIONS[e.function]
        if spec.variadic:
            return spec.words.format(", ".join(words(a) for a in e.args))
        return spec.words.format(*(words(a) for a in e.args))

    def visit_ListOf(self, e: ir.ListOf) -> str:
        items = [words(i) for i in e.items]
        return "one of " + ", ".join(items) if items else "nothing"

    def visit_Compare(self, e: ir.Compare) -> str:
        if e.right.type.kind == "bool" and isinstance(e.right, ir.Const):
            yes = bool(e.right.value) == (e.op == "=")
            return f"{words(e.left)} is {'yes' if yes else 'no'}"
        return f"{words(e.left)} {compare_words(e.op, e.left.type.kind)} {words(e.right)}"

    def visit_Membership(self, e: ir.Membership) -> str:
        return f"{words(e.item)} is {'not ' if e.negated else ''}one of {words_list(e.collection)}"

    def visit_Known(self, e: ir.Known) -> str:
        return f"{words(e.operand)} is {NOT_RECORDED if e.negated else 'recorded'}"

    def visit_BoolOp(self, e: ir.BoolOp) -> str:
        return f" {e.op} ".join(_wrap(i) for i in e.items)

    def visit_Not(self, e: ir.Not) -> str:
        operand = e.operand
        if isinstance(operand, ir.DefinitionRef):
            return f"not {words(operand)}"
        if isinstance(operand, ir.FieldRef) and operand.type.kind == "bool":
            return f"{words(operand)} is no"
        if isinstance(operand, ir.BoolOp) and len(operand.items) == 2:
            a, b = (_wrap(i) for i in operand.items)
            return f"not both {a} and {b}" if operand.op == "and" else f"neither {a} nor {b}"
        if isinstance(operand, ir.BoolOp):
            listed = "; ".join(_wrap(i) for i in operand.items)
            return (f"not all of: {listed}" if operand.op == "and" else f"none of: {listed}")
        return f"it is not the case that {_wrap(operand)}"

    def visit_Arith(self, e: ir.Arith) -> str:
        op = "plus" if e.op == "+" else "minus"
        return f"{words(e.left)} {op} {words(e.right)}"

    def visit_Negate(self, e: ir.Negate) -> str:
        return f"minus {words(e.operand)}"

    def visit_IfThenElse(self, e: ir.IfThenElse) -> str:
        return f"{words(e.then)} if {words(e.condition)}, otherwise {words(e.otherwise)}"

    def visit_Quantifier(self, e: ir.Quantifier) -> str:
        coll = words(e.collection)
        cond = words(e.condition) if e.condition is not None else ""
        if e.kind == "count":
            return f"the number of {coll}" + (f" where {cond}" if cond else "")
        lead = {"any": "at least one", "every": "every", "no": "none of the"}[e.kind]
        return f"{lead} {coll} ({e.variable}) has: {cond}"


_WORDS = _Words()


def decision_words(e: ir.DecisionRef) -> str:
    """``decisions.cessation.cease_from`` read aloud: "the cessation decision's cease from"."""
    if e.field == "applies":
        return f"the {humanise(e.area)} decision applies"
    return f"the {humanise(e.area)} decision's {humanise(e.field)}"


def words_list(e: ir.Expr) -> str:
    if isinstance(e, ir.ListOf):
        return ", ".join(words(i) for i in e.items)
    return words(e)


def _wrap(e: ir.Expr) -> str:
    text = words(e)
    return f"({text})" if isinstance(e, ir.BoolOp) else text


_AUXILIARIES = ("is", "are", "was", "were", "can", "will", "must", "should", "had")
_NOT_A_VERB = {"its", "his", "this", "has", "was", "is", "as", "always", "us", "thus"}


def negate(sentence: str) -> str | None:
    """A plain sentence negated as a person would write it, or None when it is not simple
    enough to negate safely (it has "and", "or", a comma, or a "not" already).

    "The child is in a pre-school setting" → "the child is not in a pre-school setting";
    "The authority maintains a Statement" → "the authority does not maintain a Statement";
    "School Action has been recorded" → "School Action has not been recorded".
    """
    words_ = sentence.strip().rstrip(".").split()
    lowered = [w.lower() for w in words_]
    if not words_ or any(w in lowered for w in ("and", "or", "not", "no", "never", "nor")) \
            or any(ch in sentence for ch in ",;:"):
        return None
    inside = set()  # positions of words in brackets, never the verb
    depth = 0
    for i, w in enumerate(words_):
        depth += w.count("(")
        if depth:
            inside.add(i)
        depth -= w.count(")")
    lowered = ["" if i in inside else w for i, w in enumerate(lowered)]
    result: list[str] | None = None
    for i, w in enumerate(lowered[1:], start=1):
        if w in _AUXILIARIES:
            result = [*words_[:i + 1], "not", *words_[i + 1:]]
            break
        if w in ("has", "have"):
            if i + 1 < len(lowered) and lowered[i + 1] == "been":
                result = [*words_[:i + 1], "not", *words_[i + 1:]]
            else:
                result = [*words_[:i], "does" if w == "has" else "do", "not", "have",
                          *words_[i + 1:]]
            break
    if result is None:  # a verb in the present: "maintains" → "does not maintain"
        for i, w in enumerate(lowered[1:], start=1):
            if (w.endswith("s") and not w.endswith(("ss", "'s", "’s", "us")) and w.isalpha()
                    and w not in _NOT_A_VERB and words_[i][0].islower() and i <= 4
                    and lowered[i - 1] not in ("a", "an", "the", "of", "for", "with")):
                stem = w[:-2] if w.endswith(("ches", "shes", "xes", "sses")) else w[:-1]
                result = [*words_[:i], "does", "not", stem, *words_[i + 1:]]
                break
    if result is None:
        return None
    first = result[0]
    if first in ("The", "A", "An"):
        result[0] = first.lower()
    return " ".join(result)
