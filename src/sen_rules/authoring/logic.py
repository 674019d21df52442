"""Reasoning about conditions without a case: can a condition ever hold?

The linter asks two questions of the rule IR: can this rule ever fire, and can these two
rules fire together? This module answers "no" only when it can prove it; otherwise it
answers "possibly" and hands a partial model (values for the fields involved) to the case
search in :mod:`.witness`, which looks for a concrete case.

How: a condition (with its area's ``applies_when`` and every yes/no definition written
out) is put in disjunctive normal form over *atoms* (the walk of
:mod:`..language.normalform`, shared with the durable-rules lowering). Each alternative (a
conjunction of atoms and negated atoms) is checked with small, sound theories that follow
the language's semantics exactly (``docs/ARCHITECTURE.md``; they live in :mod:`.theories`):

* whether a value is known: a comparison, ``in`` and ``not in`` are false when their
  value is unknown, so a positive comparison forces it known; ``is missing`` forces it
  unknown; reading a field through a missing object gives unknown, and a field the case
  model requires is known whenever the object it belongs to is;
* the value of one term against constants: equality, order, membership, with the
  finite domains of yes/no and enumerated fields and the bounds of the case model
  (a funding level is 1 to 5);
* the order between two terms (``a < b`` and ``a > b`` cannot both hold when both are
  known);
* the same opaque atom (a quantifier, say) asserted and denied.

Settings are treated as free variables within their declared choices: a rule switched off
by a setting is not "dead", it is switched off.

An alternative is contradictory only if one of these theories proves it; the whole
condition is unsatisfiable only if every alternative is. Anything the theories do not
understand is left as an opaque atom, which can only make the answer "possibly".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..case_description import models_by_name, walk_path
from ..language import ir
from ..language.functions import FUNCTIONS
from ..language.normalform import NormalForm, TooComplex, product, union
from ..language.operators import FLIP
from ..language.printer import canonical
from ..language.types import Type
from ..rulebase import Definition, Rulebase
from .theories import (
    Atom,
    Check,
    Conj,
    KnownAtom,
    Opaque,
    Rel,
    Term,
    Value,
    check,
    is_hashable,
    literal_text,
)

__all__ = ["Analysis", "Analyzer", "Check", "TooComplex"]

MAX_CONJUNCTS = 256
MAX_INLINE_DEPTH = 24
TRUE: list[Conj] = [frozenset()]
FALSE: list[Conj] = []


@dataclass
class Analysis:
    """``status``: "unsat" (proven), "possible", or "unknown" (too complex to analyse)."""

    status: str
    reason: str = ""
    models: list[Check] = field(default_factory=list)
    alternatives: int = 0


class Analyzer(NormalForm[Conj]):
    """Analyses conditions of one policy area (definitions resolve as in that area)."""

    def __init__(self, rulebase: Rulebase, area: str | None,
                 settings: Mapping[str, Any] | None = None) -> None:
        self.rulebase = rulebase
        self.area = area
        self.settings = settings  # values to fix settings at (None: settings are free)
        self.terms: dict[str, Term] = {}
        self.variables: dict[str, Type] = {}
        self.depth = 0
        self.pruned: list[str] = []  # why an alternative was dropped as contradictory

    # ------------------------------------------------------------------ public
    def analyse(self, exprs: Iterable[ir.Expr | None]) -> Analysis:
        self.pruned = []
        try:
            alternatives = TRUE
            for e in exprs:
                if e is not None:
                    alternatives = _and(alternatives, self.dnf(e, True), self.pruned)
        except TooComplex:
            return Analysis("unknown")
        checks = [self.check(c) for c in alternatives]
        models = [c for c in checks if not c.contradictory]
        if models:
            return Analysis("possible", models=models, alternatives=len(checks))
        if not checks:
            return Analysis("unsat", self.pruned[0] if self.pruned else "it is always false",
                            alternatives=0)
        reason = checks[0].reason
        if len(checks) > 1:
            reason = (f"each of its {len(checks)} alternatives is contradictory; "
                      f"the first because {reason}")
        return Analysis("unsat", reason, alternatives=len(checks))

    def check(self, conj: Conj) -> Check:
        return check(conj, self.terms)

    # ------------------------------------------------------------------ terms
    def definition(self, name: str) -> Definition | None:
        return self.rulebase.definitions.get(self.rulebase.definition_key(name, self.area))

    def term(self, e: ir.Expr) -> str:
        key = canonical(e)
        if key in self.terms:
            return key
        t = e.type
        always = _always_known(e)
        parent: str | None = None
        required = False
        lo: Any = None
        hi: Any = None
        case_path: tuple[str, ...] | None = None
        if isinstance(e, ir.FieldRef) and not any(e.through_list) and e.type.kind != "list":
            model = None
            if e.root == "case":
                model = models_by_name()["Case"]
            elif e.root in self.variables:
                item = self.variables[e.root]
                if item.obj is not None:
                    model = models_by_name().get(item.obj.name)
            specs = walk_path(model, e.path) if model is not None else None
            if specs:
                last = specs[-1]
                required = not last.optional
                if len(e.path) > 1:
                    prefix = ir.FieldRef(type=Type("object"), loc=None, source="", root=e.root,
                                         path=e.path[:-1], through_list=e.through_list[:-1])
                    parent = self.term(prefix)
                    always = required and self.terms[parent].always_known
                else:
                    always = required
                lo, hi = last.ge, last.le
                if last.kind == "date":
                    lo = date.fromordinal(int(lo)) if lo is not None else None
                    hi = date.fromordinal(int(hi)) if hi is not None else None
                if e.root == "case":
                    case_path = e.path
        if isinstance(e, ir.Quantifier) and e.kind == "count":
            lo = 0
        self.terms[key] = Term(key, t.kind, t.enum, t.integer, always, parent, required, lo,
                               hi, case_path)
        return key

    # ------------------------------------------------------------------ normal form
    def dnf(self, e: ir.Expr, positive: bool) -> list[Conj]:
        return self.visit(e, positive)

    def always(self) -> list[Conj]:
        return list(TRUE)

    def both(self, a: list[Conj], b: list[Conj]) -> list[Conj]:
        return _and(a, b, self.pruned)

    def either(self, a: list[Conj], b: list[Conj]) -> list[Conj]:
        return _or(a, b)

    def visit_DefinitionRef(self, e: ir.DefinitionRef, positive: bool) -> list[Conj]:
        d = self.definition(e.name) if e.type.kind == "bool" else None
        if d is None or d.variable is not None or self.depth >= MAX_INLINE_DEPTH:
            return self.leaf(e, positive)
        saved, self.area = self.area, d.area if d.area is not None else self.area
        self.depth += 1
        try:
            return self.dnf(d.expr, positive)
        finally:
            self.depth -= 1
            self.area = saved

    def visit_IfThenElse(self, e: ir.IfThenElse, positive: bool) -> list[Conj]:
        if e.type.kind != "bool":
            return self.leaf(e, positive)
        then = _and(self.dnf(e.condition, True), self.dnf(e.then, positive), self.pruned)
        other = _and(self.dnf(e.condition, False), self.dnf(e.otherwise, positive),
                     self.pruned)
        return _or(then, other)

    def literal(self, e: ir.Expr, atom: tuple[Atom, bool] | bool, positive: bool
                ) -> list[Conj]:
        """The alternatives of an atom (or of a condition found always true or false)."""
        if isinstance(atom, bool):
            if atom != positive and not self.pruned:
                self.pruned.append(f"'{canonical(e)}' is {'false' if positive else 'true'}")
            return TRUE if atom == positive else FALSE
        atom_, polarity = atom
        return [frozenset({(atom_, polarity == positive)})]

    # ------------------------------------------------------------------ atoms
    def constant(self, e: ir.Expr) -> tuple[bool, Any]:
        """Whether ``e`` has a fixed value here, and the value."""
        if isinstance(e, ir.Const):
            return True, e.value
        if isinstance(e, ir.SettingRef) and self.settings is not None \
                and e.name in self.settings:
            value = self.settings[e.name]
            return True, tuple(value) if isinstance(value, list) else value
        if isinstance(e, ir.ListOf) and all(self.constant(i)[0] for i in e.items):
            return True, tuple(self.constant(i)[1] for i in e.items)
        return False, None

    def visit_Compare(self, e: ir.Compare, positive: bool) -> list[Conj]:
        return self.literal(e, self.compare_atom(e), positive)

    def compare_atom(self, e: ir.Compare) -> tuple[Atom, bool] | bool:
        text = canonical(e)
        left, right, op = e.left, e.right, e.op
        (lconst, lvalue), (rconst, rvalue) = self.constant(left), self.constant(right)
        if lconst and rconst:
            if lvalue is None or rvalue is None:
                return False
            return Value("", op, rvalue, text).holds(lvalue)
        if rconst:
            if rvalue is None:
                return False
            return Value(self.term(left), op, rvalue, text), True
        if lconst:
            if lvalue is None:
                return False
            return Value(self.term(right), FLIP[op], lvalue, text), True
        a, b = self.term(left), self.term(right)
        if a > b:
            a, b, op = b, a, FLIP[op]
        return Rel(a, op, b, text), True

    def visit_Membership(self, e: ir.Membership, positive: bool) -> list[Conj]:
        text = canonical(e)
        item = self.term(e.item)
        fixed, values = self.constant(e.collection)
        if fixed and isinstance(values, tuple) and all(is_hashable(v) for v in values):
            atom = Value(item, "notin" if e.negated else "in", frozenset(values), text)
            return self.literal(e, (atom, True), positive)
        return self.literal(e, (Opaque(text, (item,), text), True), positive)

    def visit_Known(self, e: ir.Known, positive: bool) -> list[Conj]:
        atom = KnownAtom(self.term(e.operand), f"{canonical(e.operand)} is known")
        return self.literal(e, (atom, not e.negated), positive)

    def visit_Quantifier(self, e: ir.Quantifier, positive: bool) -> list[Conj]:
        if e.kind not in ("any", "no"):
            return self.leaf(e, positive)
        if self.body_unsatisfiable(e):
            return self.literal(e, e.kind == "no", positive)
        text = canonical(e)
        return self.literal(e, (Opaque(text, (), text), True), positive)

    def leaf(self, e: ir.Expr, positive: bool, *args: Any) -> list[Conj]:
        """Any other node: a constant, a yes/no value, or an opaque atom."""
        text = canonical(e)
        fixed, value = self.constant(e)
        if fixed and isinstance(value, bool):
            return self.literal(e, value, positive)
        if e.type.kind == "bool" and isinstance(
                e, (ir.FieldRef, ir.SettingRef, ir.Call, ir.DefinitionRef, ir.DecisionRef)):
            return self.literal(e, (Value(self.term(e), "=", True, text), True), positive)
        return self.literal(e, (Opaque(text, (), text), True), positive)

    def body_unsatisfiable(self, q: ir.Quantifier) -> bool:
        if q.condition is None or q.collection.type.item is None:
            return False
        saved_vars, saved_terms, saved_pruned = dict(self.variables), self.terms, self.pruned
        self.pruned = []
        self.variables[q.variable] = q.collection.type.item
        self.terms = {k: v for k, v in saved_terms.items()
                      if not k.startswith(q.variable + ".") and k != q.variable}
        try:
            alternatives = self.dnf(q.condition, True)
            return all(self.check(c).contradictory for c in alternatives)
        except TooComplex:
            return False
        finally:
            self.variables, self.terms, self.pruned = saved_vars, saved_terms, saved_pruned


# ---------------------------------------------------------------------------- helpers


def _and(a: list[Conj], b: list[Conj], pruned: list[str] | None = None) -> list[Conj]:
    """``a and b``: alternatives that assert and deny the same atom are dropped (the first
    such reason kept in ``pruned``), each alternative once."""
    seen: set[Conj] = set()

    def combine(x: Conj, y: Conj) -> Conj | None:
        z = x | y
        if z in seen:
            return None
        clash = next((atom for atom, p in sorted(z, key=literal_text) if (atom, not p) in z),
                     None)
        if clash is not None:
            if pruned is not None and not pruned:
                pruned.append(f"'{clash.text}' cannot both hold and not hold")
            return None
        seen.add(z)
        return z

    return product(a, b, combine, MAX_CONJUNCTS)


def _or(a: list[Conj], b: list[Conj]) -> list[Conj]:
    return union(a, b, MAX_CONJUNCTS)


def _always_known(e: ir.Expr) -> bool:
    if isinstance(e, (ir.Const, ir.AsOf, ir.SettingRef)):
        return True
    if isinstance(e, ir.Quantifier):
        return True  # a yes/no answer or a count, even for a missing list
    if isinstance(e, ir.Call):
        # a function of known values is known; earliest/latest may find nothing known
        return not FUNCTIONS[e.function].variadic and all(_always_known(a) for a in e.args)
    if isinstance(e, (ir.Arith, ir.Negate)):
        return all(_always_known(c) for c in e.children())
    return False
