"""Two renderings of the IR: canonical text (for hashing) and plain words (for people).

The canonical text is the condition language itself, with normalised spacing and
parentheses, so reformatting a rule file never changes the rulebase hash. The plain words
read a condition aloud for auditors and policy officers.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import date
from weakref import WeakKeyDictionary

from . import ir
from .functions import FUNCTIONS
from .syntax import Duration

_PRECEDENCE = {"if": 0, "or": 1, "and": 2, "not": 3, "quant": 3, "cmp": 4, "sum": 5, "unary": 6,
               "atom": 7}


def _const(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"' if '"' not in value else "'" + value + "'"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def _level(e: ir.Expr) -> int:
    if isinstance(e, ir.IfThenElse):
        return _PRECEDENCE["if"]
    if isinstance(e, ir.BoolOp):
        return _PRECEDENCE[e.op]
    if isinstance(e, ir.Not):
        return _PRECEDENCE["not"]
    if isinstance(e, ir.Quantifier) and e.kind != "count":
        return _PRECEDENCE["quant"]
    if isinstance(e, (ir.Compare, ir.Membership, ir.Known)):
        return _PRECEDENCE["cmp"]
    if isinstance(e, ir.Arith):
        return _PRECEDENCE["sum"]
    if isinstance(e, ir.Negate):
        return _PRECEDENCE["unary"]
    return _PRECEDENCE["atom"]


_TEXTS_LOCK = threading.Lock()


def _cached_per_node(render: Callable[[ir.Expr], str]) -> Callable[[ir.Expr], str]:
    """``render``, computed once per node (nodes are immutable; held weakly)."""
    texts: WeakKeyDictionary[ir.Expr, str] = WeakKeyDictionary()

    @functools.wraps(render)
    def cached(e: ir.Expr) -> str:
        text = texts.get(e)
        if text is None:
            text = render(e)
            with _TEXTS_LOCK:
                texts[e] = text
        return text

    return cached


@_cached_per_node
def canonical(e: ir.Expr) -> str:
    """The expression in the condition language with normalised layout (cached per node:
    explanations print the same nodes for every case)."""
    return _canonical(e)


def _canonical(e: ir.Expr) -> str:
    def sub(child: ir.Expr, min_level: int) -> str:
        text = canonical(child)
        return f"({text})" if _level(child) < min_level else text

    if isinstance(e, ir.Const):
        return _const(e.value)
    if isinstance(e, ir.FieldRef):
        return e.dotted
    if isinstance(e, ir.SettingRef):
        return f"settings.{e.name}"
    if isinstance(e, ir.DefinitionRef):
        return e.name
    if isinstance(e, ir.AsOf):
        return "as_of"
    if isinstance(e, ir.DecisionRef):
        return f"decisions.{e.area}.{e.field}"
    if isinstance(e, ir.Call):
        return f"{e.function}(" + ", ".join(canonical(a) for a in e.args) + ")"
    if isinstance(e, ir.ListOf):
        return "[" + ", ".join(canonical(a) for a in e.items) + "]"
    if isinstance(e, ir.Compare):
        lvl = _PRECEDENCE["sum"]
        return f"{sub(e.left, lvl)} {e.op} {sub(e.right, lvl)}"
    if isinstance(e, ir.Membership):
        lvl = _PRECEDENCE["sum"]
        op = "not in" if e.negated else "in"
        return f"{sub(e.item, lvl)} {op} {sub(e.collection, lvl)}"
    if isinstance(e, ir.Known):
        return f"{sub(e.operand, _PRECEDENCE['sum'])} is {'missing' if e.negated else 'known'}"
    if isinstance(e, ir.BoolOp):
        lvl = _PRECEDENCE[e.op] + 1
        return f" {e.op} ".join(sub(i, lvl) for i in e.items)
    if isinstance(e, ir.Not):
        return f"not {sub(e.operand, _PRECEDENCE['not'])}"
    if isinstance(e, ir.Arith):
        return f"{sub(e.left, _PRECEDENCE['sum'])} {e.op} {sub(e.right, _PRECEDENCE['unary'])}"
    if isinstance(e, ir.Negate):
        return f"-{sub(e.operand, _PRECEDENCE['unary'])}"
    if isinstance(e, ir.IfThenElse):
        return (f"if {canonical(e.condition)} then {sub(e.then, 1)} "
                f"else {sub(e.otherwise, 0)}")
    if isinstance(e, ir.Quantifier):
        coll = sub(e.collection, _PRECEDENCE["atom"])
        if e.kind == "count":
            where = f" where {canonical(e.condition)}" if e.condition is not None else ""
            return f"count({e.variable} in {coll}{where})"
        assert e.condition is not None
        return f"{e.kind} {e.variable} in {coll} where {canonical(e.condition)}"
    raise TypeError(f"unknown node {type(e).__name__}")


# ----------------------------------------------------------------------------- plain words


def humanise(name: str) -> str:
    return name.replace("_", " ")


def field_words(e: ir.FieldRef) -> str:
    parts = ([] if e.root == "case" else [e.root]) + list(e.path)
    return " › ".join(humanise(p) for p in parts)


_CMP_WORDS = {
    "number": {"=": "is", "!=": "is not", "<": "is less than", "<=": "is at most",
               ">": "is more than", ">=": "is at least"},
    "date": {"=": "is", "!=": "is not", "<": "is before", "<=": "is on or before",
             ">": "is after", ">=": "is on or after"},
}


@_cached_per_node
def words(e: ir.Expr) -> str:
    """A plain-English reading of an expression (cached per node, like :func:`canonical`)."""
    return _words(e)


def _words(e: ir.Expr) -> str:
    if isinstance(e, ir.Const):
        if isinstance(e.value, bool):
            return "yes" if e.value else "no"
        if isinstance(e.value, date):
            return f"{e.value.day} {e.value:%B %Y}"
        return _const(e.value)
    if isinstance(e, ir.FieldRef):
        return field_words(e)
    if isinstance(e, ir.SettingRef):
        return f"the setting “{humanise(e.name)}”"
    if isinstance(e, ir.DefinitionRef):
        return humanise(e.name)
    if isinstance(e, ir.AsOf):
        return "the evaluation date"
    if isinstance(e, ir.DecisionRef):
        return decision_words(e)
    if isinstance(e, ir.Call):
        spec = FUNCTIONS[e.function]
        if spec.variadic:
            return spec.words.format(", ".join(words(a) for a in e.args))
        return spec.words.format(*(words(a) for a in e.args))
    if isinstance(e, ir.ListOf):
        items = [words(i) for i in e.items]
        return "one of " + ", ".join(items) if items else "nothing"
    if isinstance(e, ir.Compare):
        table = _CMP_WORDS.get(e.left.type.kind, _CMP_WORDS["number"])
        if e.right.type.kind == "bool" and isinstance(e.right, ir.Const):
            yes = bool(e.right.value) == (e.op == "=")
            return f"{words(e.left)} is {'yes' if yes else 'no'}"
        return f"{words(e.left)} {table[e.op]} {words(e.right)}"
    if isinstance(e, ir.Membership):
        return f"{words(e.item)} is {'not ' if e.negated else ''}one of {words_list(e.collection)}"
    if isinstance(e, ir.Known):
        return f"{words(e.operand)} is {'not recorded' if e.negated else 'recorded'}"
    if isinstance(e, ir.BoolOp):
        joined = f" {e.op} ".join(_wrap(i) for i in e.items)
        return joined
    if isinstance(e, ir.Not):
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
    if isinstance(e, ir.Arith):
        op = "plus" if e.op == "+" else "minus"
        return f"{words(e.left)} {op} {words(e.right)}"
    if isinstance(e, ir.Negate):
        return f"minus {words(e.operand)}"
    if isinstance(e, ir.IfThenElse):
        return f"{words(e.then)} if {words(e.condition)}, otherwise {words(e.otherwise)}"
    if isinstance(e, ir.Quantifier):
        coll = words(e.collection)
        cond = words(e.condition) if e.condition is not None else ""
        if e.kind == "count":
            return f"the number of {coll}" + (f" where {cond}" if cond else "")
        lead = {"any": "at least one", "every": "every", "no": "none of the"}[e.kind]
        return f"{lead} {coll} ({e.variable}) has: {cond}"
    raise TypeError(f"unknown node {type(e).__name__}")


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
