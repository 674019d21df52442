"""Reasoning about conditions without a case: can a condition ever hold?

The linter asks two questions of the rule IR: can this rule ever fire, and can these two
rules fire together? This module answers "no" only when it can prove it; otherwise it
answers "possibly" and hands a partial model (values for the fields involved) to the case
search in :mod:`.witness`, which looks for a concrete case.

How: a condition (with its area's ``applies_when`` and every yes/no definition written
out) is put in disjunctive normal form over *atoms*. Each alternative (a conjunction of
atoms and negated atoms) is checked with small, sound theories that follow the language's
semantics exactly (``docs/ARCHITECTURE.md``):

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

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..language import ir
from ..language.functions import FUNCTIONS
from ..language.printer import canonical
from ..language.types import Type
from ..rulebase import Definition, Rulebase
from .casemodel import models_by_name, walk_path

MAX_CONJUNCTS = 256
MAX_INLINE_DEPTH = 24

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}
_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_RELATIONS = {"=": frozenset("="), "!=": frozenset("<>"), "<": frozenset("<"),
              "<=": frozenset("<="), ">": frozenset(">"), ">=": frozenset(">=")}
_ALL_RELATIONS = frozenset("<=>")


class TooComplex(Exception):  # noqa: N818 (a signal, not an error)
    """The condition has too many alternatives to analyse (nothing is concluded)."""


@dataclass(frozen=True, slots=True)
class Term:
    """A value a condition reads: a field, a setting, a definition, a calculation."""

    key: str  # canonical text
    kind: str  # bool | number | string | date | duration | object | list | unknown
    enum: tuple[str, ...] | None
    integer: bool
    always_known: bool
    parent: str | None  # the object this field is read from (fields only)
    required_step: bool  # known whenever ``parent`` is (the case model requires it)
    lo: Any = None
    hi: Any = None
    case_path: tuple[str, ...] | None = None  # for fields of the case (no list steps)


@dataclass(frozen=True, slots=True)
class Value:
    """``term op constant``, or ``term in/notin {constants}``."""

    term: str
    op: str
    value: Any
    text: str = field(compare=False)

    def holds(self, v: Any) -> bool:
        if self.op == "in":
            return bool(v in self.value)
        if self.op == "notin":
            return bool(v not in self.value)
        try:
            return bool(_COMPARE[self.op](v, self.value))
        except TypeError:
            return False


@dataclass(frozen=True, slots=True)
class Rel:
    """``left op right`` between two terms (``left`` sorts first)."""

    left: str
    op: str
    right: str
    text: str = field(compare=False)


@dataclass(frozen=True, slots=True)
class KnownAtom:
    term: str
    text: str = field(compare=False)


@dataclass(frozen=True, slots=True)
class Opaque:
    """Anything else, by its canonical text; ``forces`` are terms known when it holds."""

    key: str
    forces: tuple[str, ...]
    text: str = field(compare=False)


Atom = Value | Rel | KnownAtom | Opaque
Literal = tuple[Atom, bool]
Conj = frozenset[Literal]
TRUE: list[Conj] = [frozenset()]
FALSE: list[Conj] = []


def literal_text(lit: Literal) -> str:
    atom, positive = lit
    if positive:
        return atom.text
    if isinstance(atom, KnownAtom) and atom.text.endswith(" is known"):
        return atom.text[: -len(" is known")] + " is missing"
    return f"not ({atom.text})"


@dataclass
class Check:
    """The verdict on one alternative: contradictory (with why) or a partial model."""

    contradictory: bool
    reason: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # term -> value, None = missing
    relations: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class Analysis:
    """``status``: "unsat" (proven), "possible", or "unknown" (too complex to analyse)."""

    status: str
    reason: str = ""
    models: list[Check] = field(default_factory=list)
    alternatives: int = 0


class Analyzer:
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
        if isinstance(e, ir.Const):
            return TRUE if bool(e.value) == positive else FALSE
        if isinstance(e, ir.BoolOp):
            parts = [self.dnf(i, positive) for i in e.items]
            result = parts[0]
            for p in parts[1:]:
                result = (_and(result, p, self.pruned) if (e.op == "and") == positive
                          else _or(result, p))
            return result
        if isinstance(e, ir.Not):
            return self.dnf(e.operand, not positive)
        if isinstance(e, ir.DefinitionRef) and e.type.kind == "bool":
            d = self.definition(e.name)
            if d is not None and d.variable is None and self.depth < MAX_INLINE_DEPTH:
                saved, self.area = self.area, d.area if d.area is not None else self.area
                self.depth += 1
                try:
                    return self.dnf(d.expr, positive)
                finally:
                    self.depth -= 1
                    self.area = saved
        if isinstance(e, ir.IfThenElse) and e.type.kind == "bool":
            then = _and(self.dnf(e.condition, True), self.dnf(e.then, positive), self.pruned)
            other = _and(self.dnf(e.condition, False), self.dnf(e.otherwise, positive),
                         self.pruned)
            return _or(then, other)
        atom = self.atom(e)
        if isinstance(atom, bool):
            if atom != positive and not self.pruned:
                self.pruned.append(f"'{canonical(e)}' is {'false' if positive else 'true'}")
            return TRUE if atom == positive else FALSE
        atom_, polarity = atom
        return [frozenset({(atom_, polarity == positive)})]

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

    def atom(self, e: ir.Expr) -> tuple[Atom, bool] | bool:
        text = canonical(e)
        if isinstance(e, ir.Compare):
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
                return Value(self.term(right), _FLIP[op], lvalue, text), True
            a, b = self.term(left), self.term(right)
            if a > b:
                a, b, op = b, a, _FLIP[op]
            return Rel(a, op, b, text), True
        if isinstance(e, ir.Membership):
            item = self.term(e.item)
            fixed, values = self.constant(e.collection)
            if fixed and isinstance(values, tuple) and all(_hashable(v) for v in values):
                return Value(item, "notin" if e.negated else "in", frozenset(values), text), True
            return Opaque(text, (item,), text), True
        if isinstance(e, ir.Known):
            return KnownAtom(self.term(e.operand), f"{canonical(e.operand)} is known"), \
                not e.negated
        if isinstance(e, ir.Quantifier) and e.kind in ("any", "no"):
            if self.body_unsatisfiable(e):
                return e.kind == "no"
            return Opaque(text, (), text), True
        fixed, value = self.constant(e)
        if fixed and isinstance(value, bool):
            return value
        if e.type.kind == "bool" and isinstance(
                e, (ir.FieldRef, ir.SettingRef, ir.Call, ir.DefinitionRef, ir.DecisionRef)):
            return Value(self.term(e), "=", True, text), True
        return Opaque(text, (), text), True

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

    # ------------------------------------------------------------------ theories
    def check(self, conj: Conj) -> Check:
        literals = sorted(conj, key=lambda lit: (literal_text(lit), lit[1]))
        for atom, positive in literals:
            if (atom, not positive) in conj:
                return Check(True, f"'{atom.text}' cannot both hold and not hold")
        involved: set[str] = set()
        known: set[str] = set()
        missing: set[str] = set()
        for atom, positive in literals:
            if isinstance(atom, Value):
                involved.add(atom.term)
                if positive:
                    known.add(atom.term)
            elif isinstance(atom, Rel):
                involved.update((atom.left, atom.right))
                if positive:
                    known.update((atom.left, atom.right))
            elif isinstance(atom, KnownAtom):
                involved.add(atom.term)
                (known if positive else missing).add(atom.term)
            elif positive:
                involved.update(atom.forces)
                known.update(atom.forces)
        everything = set(involved)
        for t in list(involved):
            p = self.terms[t].parent
            while p is not None and p not in everything:
                everything.add(p)
                p = self.terms[p].parent
        known.update(t for t in everything if self.terms[t].always_known)
        clash = _close_knowledge(self.terms, everything, known, missing)
        if clash is not None:
            texts = [literal_text(lit) for lit in literals if _mentions(lit[0], clash)]
            why = " and ".join(f"'{t}'" for t in texts) or f"'{clash}'"
            return Check(True, f"{why} need {clash} to be both recorded and missing")
        values: dict[str, Any] = {}
        for t in sorted(involved):
            pos = [a for a, p in literals if p and isinstance(a, Value) and a.term == t]
            neg = [a for a, p in literals if not p and isinstance(a, Value) and a.term == t]
            if t in missing or t not in known:
                values[t] = None
                continue
            if not pos and not neg:
                continue
            term = self.terms[t]
            found = _find_value(term, pos, neg)
            if found is _NONE:
                texts = [a.text for a in pos] + [f"not ({a.text})" for a in neg]
                why = " and ".join(f"'{x}'" for x in texts)
                why += " cannot all hold" if len(texts) > 1 else " can never hold"
                if term.lo is not None or term.hi is not None:
                    why += (f" ({t} is between {_bound(term.lo)} and {_bound(term.hi)} in the "
                            "case model)")
                return Check(True, why)
            values[t] = found
        relations: dict[tuple[str, str], str] = {}
        pairs: dict[tuple[str, str], list[tuple[Rel, bool]]] = {}
        for atom, positive in literals:
            if isinstance(atom, Rel):
                pairs.setdefault((atom.left, atom.right), []).append((atom, positive))
        for (a, b), rels in sorted(pairs.items()):
            if a not in known or b not in known:
                continue
            allowed = frozenset("=") if a == b else _ALL_RELATIONS
            for rel, positive in rels:
                allowed &= _RELATIONS[rel.op] if positive else _ALL_RELATIONS - _RELATIONS[rel.op]
            if not allowed:
                texts = [rel.text if p else f"not ({rel.text})" for rel, p in rels]
                return Check(True, " and ".join(f"'{x}'" for x in texts) + " cannot all hold")
            relations[(a, b)] = sorted(allowed)[0]
        return Check(False, values=values, relations=relations)


# ---------------------------------------------------------------------------- helpers


def _and(a: list[Conj], b: list[Conj], pruned: list[str] | None = None) -> list[Conj]:
    out: list[Conj] = []
    seen: set[Conj] = set()
    for x in a:
        for y in b:
            z = x | y
            if z in seen:
                continue
            clash = next((atom for atom, p in sorted(z, key=literal_text)
                          if (atom, not p) in z), None)
            if clash is not None:
                if pruned is not None and not pruned:
                    pruned.append(f"'{clash.text}' cannot both hold and not hold")
                continue
            seen.add(z)
            out.append(z)
            if len(out) > MAX_CONJUNCTS:
                raise TooComplex
    return out


def _or(a: list[Conj], b: list[Conj]) -> list[Conj]:
    out = list(dict.fromkeys(a + b))
    if len(out) > MAX_CONJUNCTS:
        raise TooComplex
    return out


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


def _mentions(atom: Atom, term: str) -> bool:
    names = {atom.term} if isinstance(atom, (Value, KnownAtom)) else (
        {atom.left, atom.right} if isinstance(atom, Rel) else set(atom.forces))
    return any(n == term or n.startswith(term + ".") or term.startswith(n + ".") for n in names)


def _close_knowledge(terms: dict[str, Term], everything: set[str], known: set[str],
                     missing: set[str]) -> str | None:
    """Propagate known/missing along field paths; the first term forced both, if any."""
    changed = True
    while changed:
        changed = False
        for t in sorted(everything):
            term = terms[t]
            p = term.parent
            if t in known and p is not None and p not in known:
                known.add(p)
                changed = True
            if p is not None and p in known and term.required_step and t not in known:
                known.add(t)
                changed = True
            if p is not None and p in missing and t not in missing:
                missing.add(t)
                changed = True
            if t in missing and term.required_step and p is not None and p not in missing:
                missing.add(p)
                changed = True
    both = sorted(known & missing)
    return both[0] if both else None


_NONE = object()


def _bound(v: Any) -> str:
    if v is None:
        return "any value"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return v.isoformat() if isinstance(v, date) else str(v)


def _find_value(term: Term, pos: list[Value], neg: list[Value]) -> Any:
    constants: list[Any] = []
    for a in pos + neg:
        if a.op in ("in", "notin"):
            constants.extend(sorted(a.value, key=repr))
        else:
            constants.append(a.value)
    for v in _candidates(term, constants):
        if all(a.holds(v) for a in pos) and not any(a.holds(v) for a in neg):
            return v
    return _NONE


def _candidates(term: Term, constants: list[Any]) -> list[Any]:
    """Values that include a solution whenever one exists (for these constraint forms)."""
    if term.kind == "bool":
        return [True, False]
    if term.enum:
        return list(term.enum)
    if term.kind == "string":
        return sorted({c for c in constants if isinstance(c, str)}) + ["\x00another value"]
    if term.kind == "date":
        ints = [c.toordinal() for c in constants if isinstance(c, date)]
        first = term.lo.toordinal() if isinstance(term.lo, date) else 1
        last = term.hi.toordinal() if isinstance(term.hi, date) else date.max.toordinal()
        return [date.fromordinal(v) for v in _integer_points(ints, first, last)]
    if term.kind == "number":
        nums = [c for c in constants if isinstance(c, (int, float)) and not isinstance(c, bool)]
        lo: float = term.lo if term.lo is not None else -math.inf
        hi: float = term.hi if term.hi is not None else math.inf
        if term.integer:
            return _integer_points(nums, lo, hi)
        return _real_points(nums, lo, hi)
    return sorted(dict.fromkeys(c for c in constants if _hashable(c)), key=repr) + [object()]


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def _integer_points(constants: list[Any], lo: float, hi: float) -> list[Any]:
    points: set[int] = set()
    for c in constants:
        for base in {math.floor(c), math.ceil(c)}:
            points.update((base - 1, base, base + 1))
    if not points:
        points.add(0)
    if lo != -math.inf:
        points.add(math.ceil(lo))
    if hi != math.inf:
        points.add(math.floor(hi))
    return sorted(p for p in points if lo <= p <= hi)


def _real_points(constants: list[Any], lo: float, hi: float) -> list[Any]:
    values = sorted(set(constants))
    points: set[float] = set(values)
    for c in values:
        delta = max(abs(c), 1.0) * 1e-9
        points.update((c - delta, c + delta))
    for a, b in zip(values, values[1:], strict=False):
        points.add((a + b) / 2)
    if values:
        points.update((values[0] - 1, values[-1] + 1))
    else:
        points.add(0.0)
    if lo != -math.inf:
        points.add(lo)
    if hi != math.inf:
        points.add(hi)
    return sorted(p for p in points if lo <= p <= hi)
