"""The explanation trace: every condition of every area in play, with its values.

A trace is what an observer of the one native evaluator saw (:mod:`explain.tracing`): the
value of every node is the value the engine's own closure produced, parts the engine did
not need (``b`` in ``a and b`` when ``a`` is false) are computed by the same closures for
information and marked ``evaluated: False``, each field read is recorded with its concrete
path (``statement.reviews[1].held_on``), and the role of each rule is the one the decision
engine gave it. This module holds the trace's data and what is read from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import codes
from ..case import Case
from ..engine.native import Env, Matches
from ..errors import EvaluationError
from ..language import ir
from ..language.printer import canonical, words
from ..rulebase import Area, Definition, Epoch, Rule, Rulebase, short
from .values import to_json

MAX_TRACED_ITEMS = 200  # items of one list traced in full; the rest are counted


# ---------------------------------------------------------------------------- trace nodes


@dataclass(slots=True)
class Item:
    """One item of a list a quantifier went through: its path and the condition on it."""

    index: int
    path: str
    node: Node | None  # None for ``count(x in L)`` without a condition


@dataclass(slots=True)
class Node:
    """One node of a condition as evaluated: its value and how it was obtained.

    ``evaluated`` is False for a part the engine did not need (``a and b`` with ``a``
    false never looks at ``b``); the explainer still computes it, for information.
    """

    expr: ir.Expr
    area: str | None
    value: Any
    evaluated: bool
    children: tuple[Node, ...] = ()
    reads: tuple[tuple[str, Any], ...] = ()
    items: tuple[Item, ...] = ()
    items_omitted: int = 0
    definition: str | None = None  # key of the definition a DefinitionRef names
    decision: tuple[str, str] | None = None  # (area, field) of the decision it reads
    inline: bool = False  # the definition's trace is a child (it is about a ranked item)
    error: str | None = None

    def __repr__(self) -> str:
        return f"Node({short(canonical(self.expr), 80)} → {short(repr(self.value), 40)})"

    @property
    def truth(self) -> bool:
        return bool(self.value)

    def walk(self, evaluated_only: bool = False) -> Iterator[Node]:
        """This node and its descendants, depth first (only those the engine needed, if
        asked)."""
        stack = [self]
        while stack:
            node = stack.pop()
            if evaluated_only and not node.evaluated:
                continue
            yield node
            more = [i.node for i in node.items if i.node is not None]
            stack.extend(reversed(more))
            stack.extend(reversed(node.children))

    def value_json(self) -> Any:
        """The node's value as JSON data (:func:`to_json`; the plainest values as they are)."""
        value = self.value
        return value if value is None or type(value) in _PLAIN else to_json(value)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"expr": canonical(self.expr), "value": self.value_json()}
        if not self.evaluated:
            d["evaluated"] = False
        if self.error:
            d["error"] = self.error
        if self.definition is not None:
            d["definition"] = self.definition
        if self.decision is not None:
            d["decision"] = {"topic": self.decision[0], "field": self.decision[1]}
        if self.reads:
            d["reads"] = [{"path": p, "value": to_json(v)} for p, v in self.reads]
        if self.children:
            children = [c.to_dict() for c in self.children
                        if not ir.is_constant(c.expr)]
            if children:
                d["children"] = children
        if self.items:
            d["items"] = [{"index": i.index, "path": i.path,
                           **({"condition": i.node.to_dict()} if i.node else {})}
                          for i in self.items]
        if self.items_omitted:
            d["items_omitted"] = self.items_omitted
        return d


_PLAIN = frozenset({bool, int, str})




@dataclass(slots=True)
class DefinitionTrace:
    key: str
    definition: Definition
    node: Node | None
    used: bool  # the engine computed it for the decision
    error: str | None = None

    @property
    def value(self) -> Any:
        return None if self.node is None else self.node.value

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.definition.name, "title": self.definition.title,
                             "value": to_json(self.value)}
        if self.definition.area is not None:
            d["area"] = self.definition.area
        if not self.used:
            d["evaluated"] = False
        if self.error:
            d["error"] = self.error
        if self.node is not None:
            d["condition"] = self.node.to_dict()
        return d


@dataclass(slots=True)
class RuleTrace:
    rule: Rule
    node: Node
    fired: bool
    role: str = "did not fire"

    def __repr__(self) -> str:
        return f"RuleTrace({self.rule.key}: {self.role})"

    def to_dict(self, why_not: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        r = self.rule
        d: dict[str, Any] = {
            "id": r.id, "version": r.version, "title": r.title, "effect": r.effect,
            "value": r.value, "priority": r.priority, "fired": self.fired, "role": self.role,
        }
        if r.when_outcome is not None:
            d["when_outcome"] = r.when_outcome
        if r.when_decided_by:
            d["when_decided_by"] = list(r.when_decided_by)
        d["condition"] = self.node.to_dict()
        if why_not:
            d["why_not"] = why_not
        return d


@dataclass(slots=True)
class ElementTrace:
    """One check or criterion of a placement ranking, for one candidate."""

    criterion: str
    kind: str
    prefer: Node
    over: Node

    @property
    def place(self) -> str:
        if self.prefer.truth and self.over.truth:
            return "both"
        return "prefer" if self.prefer.truth else "over" if self.over.truth else "unknown"


@dataclass(slots=True)
class CandidateTrace:
    index: int
    path: str
    elements: tuple[ElementTrace, ...]


@dataclass(slots=True)
class AreaTrace:
    area: Area
    applies: bool
    applies_node: Node | None
    rules: tuple[RuleTrace, ...] = ()
    candidates: tuple[CandidateTrace, ...] = ()
    outcome: str | None = None  # as the decision engine decided it
    deciding: tuple[str, ...] = ()  # the keys of the rules that decided
    overridden: tuple[str, ...] = ()

    def __repr__(self) -> str:
        if not self.applies:
            return f"AreaTrace({self.area.id}: does not apply)"
        return (f"AreaTrace({self.area.id} = {self.outcome} by {', '.join(self.deciding)}; "
                f"{len(self.rules)} rules traced)")

    def rule(self, key: str) -> RuleTrace | None:
        return next((r for r in self.rules if r.rule.key == key), None)


@dataclass(slots=True)
class Trace:
    rulebase: Rulebase
    case: Case
    as_of: date
    epoch: Epoch
    areas: tuple[AreaTrace, ...]
    definitions: Mapping[str, DefinitionTrace]

    def __repr__(self) -> str:
        applies = sum(1 for a in self.areas if a.applies)
        return (f"Trace(case {self.case.child.id} on {self.as_of.isoformat()}: {applies} of "
                f"{len(self.areas)} areas apply)")

    def area(self, area_id: str) -> AreaTrace | None:
        return next((a for a in self.areas if a.area.id == area_id), None)

    def matches(self) -> Matches:
        """What this trace found true, in the form the engines report it."""
        return matches_of(self.areas)


def matches_of(traced: Iterable[AreaTrace]) -> Matches:
    """What some area traces found true, in the form the engines report it."""
    traced = list(traced)
    areas = {a.area.id for a in traced if a.applies}
    rules = {r.rule.key for a in traced for r in a.rules if r.fired}
    elements = set()
    for a in traced:
        for c in a.candidates:
            for el in c.elements:
                if el.prefer.truth:
                    elements.add((f"{el.criterion}:prefer", c.index))
                if el.over.truth:
                    elements.add((f"{el.criterion}:over", c.index))
    return Matches(frozenset(areas), frozenset(rules), frozenset(elements))


# ---------------------------------------------------------------------------- reading


def join_path(path: str, name: str) -> str:
    """``path.name``, or ``name`` at the top of the case."""
    return f"{path}.{name}" if path else name


def field_reads(e: ir.FieldRef, env: Env, bindings: Mapping[str, str]) -> list[tuple[str, Any]]:
    """What a field reference reads, with concrete paths; a missing object is a read of None."""
    if e.root == "case":
        frontier: list[tuple[str, Any]] = [("", env.case)]
    else:
        frontier = [(bindings.get(e.root, e.root), env.vars.get(e.root))]
    out: list[tuple[str, Any]] = []
    for name, over_list in zip(e.path, e.through_list, strict=True):
        step: list[tuple[str, Any]] = []
        for path, value in frontier:
            if value is None:
                out.append((path, None))
                continue
            if over_list:
                for i, item in enumerate(value):
                    here = f"{path}[{i}]"
                    if item is None:
                        out.append((here, None))
                    else:
                        step.append((join_path(here, name), getattr(item, name)))
            else:
                step.append((join_path(path, name), getattr(value, name)))
        frontier = step
    return out + frontier


def collection_items(e: ir.Expr, value: Any, env: Env,
                     bindings: Mapping[str, str], label: str) -> list[tuple[str, Any]]:
    """The items of a list value with their paths (``sen_support[0]``), in engine order."""
    items = list(value or ())
    if isinstance(e, ir.FieldRef):
        found: list[tuple[str, Any]] = []
        for path, v in field_reads(e, env, bindings):
            if v is None:
                continue
            if isinstance(v, tuple):
                found.extend((f"{path}[{i}]", x) for i, x in enumerate(v) if x is not None)
            else:
                found.append((path, v))
        if len(found) == len(items) and all(a is b for (_, a), b in zip(found, items,
                                                                         strict=True)):
            return found
    return [(f"{label} {i + 1}", x) for i, x in enumerate(items)]


def check_against(native: Matches, matches: Matches, backend: str) -> None:
    """Raise if the backend that decided found different things true from the native
    evaluator the trace observed (the backends must always agree)."""
    if native == matches:
        return
    diffs = []
    for what, a, b in (("areas", native.areas, matches.areas),
                       ("rules", native.rules, matches.rules),
                       ("ranking elements", native.elements, matches.elements)):
        if a != b:
            only_native = sorted(map(str, a - b))
            only_other = sorted(map(str, b - a))
            diffs.append(f"{what}: native only {only_native}, {backend} only {only_other}")
    raise EvaluationError(f"the {backend} backend disagrees with the native evaluator that "
                          f"explains the decision ({'; '.join(diffs)}); this is a defect of "
                          "sen-rules, please report it", code=codes.SR306)


@dataclass(frozen=True, slots=True)
class Derived:
    """An intermediate value: a definition, or a function of the case (an age, a date)."""

    name: str
    title: str
    value: Any


@dataclass
class Relied:
    facts: dict[str, Any] = field(default_factory=dict)
    derived: dict[str, Derived] = field(default_factory=dict)


def relied_on(trace: Trace, nodes: list[Node]) -> Relied:
    """The case values and intermediate values the engine used to evaluate ``nodes``."""
    out = Relied()
    seen_defs: set[str] = set()
    stack = list(nodes)
    while stack:
        root = stack.pop(0)
        for n in root.walk(evaluated_only=True):
            for path, value in n.reads:
                out.facts.setdefault(path, value)
            if isinstance(n.expr, ir.Call):
                text = words(n.expr)
                out.derived.setdefault(canonical(n.expr), Derived(canonical(n.expr), text,
                                                                  n.value))
            if n.definition is not None and not n.inline and n.definition not in seen_defs:
                seen_defs.add(n.definition)
                definition = trace.rulebase.definitions[n.definition]
                out.derived.setdefault(n.definition, Derived(definition.name, definition.title,
                                                             n.value))
                d = trace.definitions.get(n.definition)
                if d is not None and d.node is not None:
                    stack.append(d.node)
    return out
