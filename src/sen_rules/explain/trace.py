"""The explanation interpreter: every condition of every area in play, with its values.

It reads the same compiled rules as the engines. The value of every node of a condition is
computed by the native backend's own closure for that node (``engine.native.Compiler``,
compiled once per rulebase and epoch), so a node's value in a trace is by construction
the value the engine computes; this module only walks the tree, records what each node
read from the case (with field paths such as ``statement.reviews[1].held_on``), which
nodes the engine actually needed (``and``/``or``/``any`` stop early), and the values of
definitions and functions on the way (ages, the school leaving date, ...).

The rules the trace finds true are then checked against the backend that made the
decision (:func:`check_against`): the two can never disagree silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from ..case import Case
from ..engine.decide import record_decision, resolve
from ..engine.native import Compiler, Env, Fn, Matches, Program
from ..errors import EvaluationError
from ..language import ir
from ..language.printer import canonical, words
from ..rulebase import Area, Definition, Epoch, Rule, Rulebase, short
from .values import to_json

MAX_TRACED_ITEMS = 200  # items of one list traced in full; the rest are counted


# ---------------------------------------------------------------------------- closures


class NodeFunctions:
    """The native closure of any IR node, compiled on first use for one epoch."""

    def __init__(self, rulebase: Rulebase, epoch: Epoch) -> None:
        self.rulebase = rulebase
        self.epoch = epoch
        self.compiler = Compiler(rulebase, epoch)
        self.lock = threading.Lock()
        self.fns: dict[int, tuple[ir.Expr, Fn]] = {}

    def fn(self, e: ir.Expr, area: str | None) -> Fn:
        found = self.fns.get(id(e))
        if found is None:
            with self.lock:
                found = self.fns.get(id(e))
                if found is None:
                    self.compiler.area = area
                    try:
                        found = (e, self.compiler.compile(e))
                    finally:
                        self.compiler.area = None
                    self.fns[id(e)] = found  # the node is kept alive with its closure
        return found[1]


_cache: WeakKeyDictionary[Rulebase, dict[date, NodeFunctions]] = WeakKeyDictionary()
_cache_lock = threading.Lock()


def node_functions(rulebase: Rulebase, epoch: Epoch) -> NodeFunctions:
    with _cache_lock:
        per_epoch = _cache.setdefault(rulebase, {})
        found = per_epoch.get(epoch.start)
        if found is None:
            found = per_epoch[epoch.start] = NodeFunctions(rulebase, epoch)
        return found


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

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        d: dict[str, Any] = {"expr": canonical(self.expr),
                             "value": value if value is None or type(value) in _PLAIN
                             else to_json(value)}
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
                        if type(c.expr) is not ir.Const and not _is_constant(c.expr)]
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


def _is_constant(e: ir.Expr) -> bool:
    if isinstance(e, ir.Const):
        return True
    return isinstance(e, ir.ListOf) and all(isinstance(i, ir.Const) for i in e.items)


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
    outcome: str | None = None  # as derived from this trace by the area's hit policy
    deciding: tuple[str, ...] = ()  # rule keys that decide, derived from this trace
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


def _join(path: str, name: str) -> str:
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
                        step.append((_join(here, name), getattr(item, name)))
            else:
                step.append((_join(path, name), getattr(value, name)))
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


# ---------------------------------------------------------------------------- tracer


class Tracer:
    """Traces conditions for one case on one date (one evaluation's state)."""

    def __init__(self, rulebase: Rulebase, program: Program, case: Case, as_of: date) -> None:
        self.rulebase = rulebase
        self.program = program
        self.fns = node_functions(rulebase, program.epoch)
        self.env = Env(case, as_of)
        self.bindings: dict[str, str] = {}
        self.definitions: dict[str, DefinitionTrace] = {}

    # ------------------------------------------------------------------ values
    def value(self, e: ir.Expr, area: str | None) -> Any:
        found = self.fns.fns.get(id(e))
        fn = found[1] if found is not None else self.fns.fn(e, area)
        self.env.steps = 0  # the decision itself ran within the limit; re-reading is ours
        return fn(self.env)

    def node(self, e: ir.Expr, area: str | None, evaluated: bool = True) -> Node:
        if type(e) is ir.Const:  # nothing to compute or read
            return Node(e, area, e.value, evaluated)
        try:
            value = self.value(e, area)
        except EvaluationError as exc:
            if evaluated:
                raise
            return Node(e, area, None, False, error=exc.message)
        n = Node(e, area, value, evaluated)
        build = _BUILDERS.get(type(e))
        if build is not None:
            build(self, n)
        return n

    # ------------------------------------------------------------------ node kinds
    def _FieldRef(self, n: Node) -> None:
        assert isinstance(n.expr, ir.FieldRef)
        n.reads = tuple(field_reads(n.expr, self.env, self.bindings))

    def _DefinitionRef(self, n: Node) -> None:
        e = n.expr
        assert isinstance(e, ir.DefinitionRef)
        key = self.rulebase.definition_key(e.name, n.area)
        definition = self.rulebase.definitions[key]
        n.definition = key
        if definition.variable is not None:  # about the item being ranked: traced in place
            n.inline = True
            n.children = (self.node(definition.expr, definition.area, n.evaluated),)
            return
        found = self.definitions.get(key)
        if found is None:
            try:
                body: Node | None = self.node(definition.expr, definition.area, True)
                error = None
            except EvaluationError as exc:
                if n.evaluated:
                    raise
                body, error = None, exc.message
            self.definitions[key] = DefinitionTrace(key, definition, body, n.evaluated, error)
        elif n.evaluated:
            found.used = True

    def _children(self, n: Node) -> None:
        n.children = tuple(self.node(c, n.area, n.evaluated) for c in n.expr.children())

    _Call = _Arith = _Negate = _ListOf = _Known = _Not = _children

    def _Compare(self, n: Node) -> None:
        e = n.expr
        assert isinstance(e, ir.Compare)
        left = self.node(e.left, n.area, n.evaluated)
        needed = n.evaluated and (left.value is not None
                                  or isinstance(e.right, (ir.Const, ir.SettingRef)))
        n.children = (left, self.node(e.right, n.area, needed))

    def _Membership(self, n: Node) -> None:
        e = n.expr
        assert isinstance(e, ir.Membership)
        item = self.node(e.item, n.area, n.evaluated)
        n.children = (item, self.node(e.collection, n.area,
                                      n.evaluated and item.value is not None))

    def _BoolOp(self, n: Node) -> None:
        e = n.expr
        assert isinstance(e, ir.BoolOp)
        needed = n.evaluated
        out = []
        for c in e.items:
            child = self.node(c, n.area, needed)
            out.append(child)
            if needed and child.truth == (e.op == "or"):
                needed = False
        n.children = tuple(out)

    def _IfThenElse(self, n: Node) -> None:
        e = n.expr
        assert isinstance(e, ir.IfThenElse)
        cond = self.node(e.condition, n.area, n.evaluated)
        n.children = (cond, self.node(e.then, n.area, n.evaluated and cond.truth),
                      self.node(e.otherwise, n.area, n.evaluated and not cond.truth))

    def _Quantifier(self, n: Node) -> None:
        e = n.expr
        assert isinstance(e, ir.Quantifier)
        coll = self.node(e.collection, n.area, n.evaluated)
        n.children = (coll,)
        items = collection_items(e.collection, coll.value, self.env, self.bindings, e.variable)
        needed = n.evaluated
        traced: list[Item] = []
        var = e.variable
        saved = self.env.vars.get(var, _UNSET), self.bindings.get(var)
        try:
            for index, (path, value) in enumerate(items[:MAX_TRACED_ITEMS]):
                self.env.vars[var] = value
                self.bindings[var] = path
                body = self.node(e.condition, n.area, needed) if e.condition else None
                traced.append(Item(index, path, body))
                if body is not None and needed and e.kind != "count" and body.truth == (
                        e.kind != "every"):
                    needed = False
        finally:
            _restore(self.env.vars, var, saved[0])
            _restore(self.bindings, var, saved[1] if saved[1] is not None else _UNSET)
        n.items = tuple(traced)
        n.items_omitted = max(0, len(items) - MAX_TRACED_ITEMS)

    # ------------------------------------------------------------------ areas
    def area(self, ap: Any) -> AreaTrace:
        area: Area = ap.area
        applies_node = (self.node(area.applies_when, area.id)
                        if area.applies_when is not None else None)
        applies = applies_node is None or applies_node.truth
        if not applies:
            return AreaTrace(area, False, applies_node)
        rules_by_key = self.rulebase.rules_by_key
        rules = tuple(RuleTrace(rules_by_key[key], node, node.truth)
                      for key, node in ((key, self.node(rules_by_key[key].when_in_force,
                                                             area.id))
                                        for key, _ in ap.rules))
        candidates: list[CandidateTrace] = []
        if area.ranking is not None:
            ranking = area.ranking
            coll = self.node(ranking.collection, area.id)
            var = ranking.variable
            items = collection_items(ranking.collection, coll.value, self.env, self.bindings,
                                     var)
            saved = self.env.vars.get(var, _UNSET)
            try:
                for index, (path, value) in enumerate(items):
                    self.env.vars[var] = value
                    self.bindings[var] = path
                    elements = tuple(
                        ElementTrace(c.id, c.kind, self.node(c.prefer, area.id),
                                     self.node(c.over, area.id))
                        for c in ranking.checks + ranking.criteria)
                    candidates.append(CandidateTrace(index, path, elements))
            finally:
                _restore(self.env.vars, var, saved)
                self.bindings.pop(var, None)
        trace = AreaTrace(area, True, applies_node, rules, tuple(candidates))
        _derive_decision(trace, self.program.epoch.rule_keys)
        return trace

    def _DecisionRef(self, n: Node) -> None:
        assert isinstance(n.expr, ir.DecisionRef)
        n.decision = (n.expr.area, n.expr.field)

    def run(self) -> Trace:
        """Every area in decision order (the decisions used by later areas are made as the
        engine makes them), listed in manifest order."""
        traced: dict[str, AreaTrace] = {}
        for ap in self.program.order:
            traced[ap.area.id] = self.area(ap)
            if ap.area.id in self.program.used:
                record_decision(self.program, ap, self.env, matches_of(traced.values()))
        areas = tuple(traced[ap.area.id] for ap in self.program.areas)
        return Trace(self.rulebase, self.env.case, self.env.as_of, self.program.epoch, areas,
                     dict(self.definitions))


_UNSET: Any = object()

# how each kind of node records what it read and its parts (by node type, looked up once)
_BUILDERS: dict[type, Callable[[Tracer, Node], None]] = {
    kind: getattr(Tracer, "_" + kind.__name__)
    for kind in (ir.FieldRef, ir.DefinitionRef, ir.DecisionRef, ir.Call, ir.Arith, ir.Negate,
                 ir.ListOf, ir.Known, ir.Not, ir.Compare, ir.Membership, ir.BoolOp, ir.IfThenElse,
                 ir.Quantifier)
}


def _restore(mapping: dict[str, Any], key: str, old: Any) -> None:
    if old is _UNSET:
        mapping.pop(key, None)
    else:
        mapping[key] = old


def _derive_decision(trace: AreaTrace, in_force: frozenset[str]) -> None:
    """The outcome this trace implies, by the hit policy the engine uses (engine.decide)."""
    area = trace.area
    fired = [r.rule for r in trace.rules if r.fired and r.rule.effect == "outcome"
             and r.rule is not area.otherwise]
    winners, overridden = resolve(area, fired)
    if winners:
        outcome = winners[0].value
    elif area.otherwise is not None and area.otherwise.key in in_force:
        winners = [area.otherwise]
        outcome = area.otherwise.value
    else:
        outcome = None
    trace.outcome = outcome
    trace.deciding = tuple(r.key for r in winners)
    trace.overridden = tuple(r.key for r in overridden)
    winning = {r.key for r in winners}
    for rt in trace.rules:
        r = rt.rule
        if r.key in winning:
            rt.role = "decided" if r is not area.otherwise else "decided (otherwise)"
        elif r is area.otherwise:
            rt.role = "not needed"
        elif not rt.fired:
            rt.role = "did not fire"
        elif r.effect == "outcome":
            rt.role = "overridden"
        elif r.when_outcome is not None and r.when_outcome != outcome:
            rt.role = f"not raised: only with outcome {r.when_outcome}"
        elif r.when_decided_by and not {w.id for w in winners}.intersection(r.when_decided_by):
            rt.role = "not raised: only when decided by " + ", ".join(r.when_decided_by)
        else:
            rt.role = f"{r.effect} raised"


def trace_case(rulebase: Rulebase, program: Program, case: Case, as_of: date) -> Trace:
    return Tracer(rulebase, program, case, as_of).run()


def check_against(trace: Trace, matches: Matches, backend: str) -> None:
    """Raise if the trace and the backend that decided found different things true."""
    mine = trace.matches()
    if mine == matches:
        return
    diffs = []
    for what, a, b in (("areas", mine.areas, matches.areas), ("rules", mine.rules, matches.rules),
                       ("ranking elements", mine.elements, matches.elements)):
        if a != b:
            only_trace = sorted(map(str, a - b))
            only_engine = sorted(map(str, b - a))
            diffs.append(f"{what}: trace only {only_trace}, {backend} only {only_engine}")
    raise EvaluationError("the explanation disagrees with the decision of the "
                          f"{backend} backend ({'; '.join(diffs)}); this is a defect of "
                          "sen-rules, please report it", code="SR306")


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
