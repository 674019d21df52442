"""The theories that decide whether one alternative of a condition can hold.

An alternative is a conjunction of atoms, each asserted or denied (see :mod:`.logic`, which
builds them). The theories follow the language's semantics exactly
(``docs/ARCHITECTURE.md``): which values must be known or missing, the value of each term
against constants (with the finite domains and bounds of the case model), the order between
two terms, and the same atom asserted and denied. Each answers "contradictory" only when it
can prove it, with the reason in words; otherwise it gives a partial model for the case
search of :mod:`.witness`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..language.operators import ALL_RELATIONS, COMPARE, RELATIONS


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
            return bool(COMPARE[self.op](v, self.value))
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


def check(conj: Conj, terms: dict[str, Term]) -> Check:
    """Whether one alternative is contradictory (and why), else a partial model."""
    literals = sorted(conj, key=lambda lit: (literal_text(lit), lit[1]))
    for atom, positive in literals:
        if (atom, not positive) in conj:
            return Check(True, f"'{atom.text}' cannot both hold and not hold")
    involved, known, missing = _knowledge(literals, terms)
    clash = _close_knowledge(terms, _with_parents(involved, terms), known, missing)
    if clash is not None:
        texts = [literal_text(lit) for lit in literals if _mentions(lit[0], clash)]
        why = " and ".join(f"'{t}'" for t in texts) or f"'{clash}'"
        return Check(True, f"{why} need {clash} to be both recorded and missing")
    values = _values(literals, terms, involved, known, missing)
    if isinstance(values, Check):
        return values
    relations = _relations(literals, known)
    if isinstance(relations, Check):
        return relations
    return Check(False, values=values, relations=relations)


def _knowledge(literals: list[Literal], terms: dict[str, Term]
               ) -> tuple[set[str], set[str], set[str]]:
    """The terms involved, those the literals force known, and those they force missing."""
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
    known.update(t for t in _with_parents(involved, terms) if terms[t].always_known)
    return involved, known, missing


def _with_parents(involved: set[str], terms: dict[str, Term]) -> set[str]:
    everything = set(involved)
    for t in involved:
        p = terms[t].parent
        while p is not None and p not in everything:
            everything.add(p)
            p = terms[p].parent
    return everything


def _values(literals: list[Literal], terms: dict[str, Term], involved: set[str],
            known: set[str], missing: set[str]) -> dict[str, Any] | Check:
    """A value for each term that the literals test against constants, or the clash."""
    values: dict[str, Any] = {}
    for t in sorted(involved):
        pos = [a for a, p in literals if p and isinstance(a, Value) and a.term == t]
        neg = [a for a, p in literals if not p and isinstance(a, Value) and a.term == t]
        if t in missing or t not in known:
            values[t] = None
            continue
        if not pos and not neg:
            continue
        term = terms[t]
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
    return values


def _relations(literals: list[Literal], known: set[str]
               ) -> dict[tuple[str, str], str] | Check:
    """One order between each pair of known terms the literals relate, or the clash."""
    relations: dict[tuple[str, str], str] = {}
    pairs: dict[tuple[str, str], list[tuple[Rel, bool]]] = {}
    for atom, positive in literals:
        if isinstance(atom, Rel):
            pairs.setdefault((atom.left, atom.right), []).append((atom, positive))
    for (a, b), rels in sorted(pairs.items()):
        if a not in known or b not in known:
            continue
        allowed = frozenset("=") if a == b else ALL_RELATIONS
        for rel, positive in rels:
            allowed &= RELATIONS[rel.op] if positive else ALL_RELATIONS - RELATIONS[rel.op]
        if not allowed:
            texts = [rel.text if p else f"not ({rel.text})" for rel, p in rels]
            return Check(True, " and ".join(f"'{x}'" for x in texts) + " cannot all hold")
        relations[(a, b)] = sorted(allowed)[0]
    return relations


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
    return sorted(dict.fromkeys(c for c in constants if is_hashable(c)), key=repr) + [object()]


def is_hashable(v: Any) -> bool:
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
