"""The trace observer: builds an explanation trace from one observed native evaluation.

The engine runs its observed closures once (``engine.native.match_observed``, then the
decision engine); this observer turns what it reports into trace nodes. Node values are the
values the engine produced. A part the engine did not need is computed afterwards by its
own observed closure in *information only* mode (``evaluated: False``): the observer asks
for it when its parent's value is reported, so each kind of node's semantics stays in the
compiler. Rule roles, outcomes, deciding and overridden rules are the ones the decision
engine reported (``Observer.decided``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..case import Case
from ..engine.decide import decide
from ..engine.native import AreaProgram, Env, Matches, Observer, Program, match_observed
from ..engine.result import Evaluation
from ..errors import EvaluationError
from ..language import ir
from ..rulebase import Definition
from .trace import (
    MAX_TRACED_ITEMS,
    AreaTrace,
    CandidateTrace,
    DefinitionTrace,
    ElementTrace,
    Item,
    Node,
    RuleTrace,
    Trace,
    collection_items,
    field_reads,
    join_path,
)


class _Defined:
    """A definition reference being evaluated: what it names, and the mode around it."""

    __slots__ = ("definition", "key", "outer")

    def __init__(self, key: str, definition: Definition, outer: bool) -> None:
        self.key = key
        self.definition = definition
        self.outer = outer  # whether the reference itself is evaluated


class _Quantified:
    """A quantifier being evaluated: its items with their paths, the binding before it."""

    __slots__ = ("items", "saved")

    def __init__(self, saved: Any) -> None:
        self.items: list[tuple[str, Any]] | None = None
        self.saved = saved


_UNSET: Any = object()


class TraceObserver(Observer):
    """Observes one evaluation of ``program`` and builds its trace.

    ``got`` collects the nodes finished inside the node being evaluated (its children, in
    the order the evaluation went through them; at the top, the area's conditions);
    ``inner`` says whether the nodes made now are evaluated or computed for information.
    Only definition references and quantifiers keep more (``frames``)."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rulebase = program.rulebase
        self.roots: list[Node] = []  # the conditions of the current area, as evaluated
        self.got: list[Node] = self.roots
        self.inner = True
        self.stack: list[list[Node]] = []  # the ``got`` of each node being evaluated
        self.frames: list[_Defined | _Quantified] = []
        self.bindings: dict[str, str] = {}  # variable -> path of the item it is bound to
        self.definitions: dict[str, DefinitionTrace] = {}
        self.current: AreaProgram | None = None
        self.candidates: list[tuple[str, Any]] = []
        self.traced: dict[str, AreaTrace] = {}
        self.decisions: dict[str, tuple[str, tuple[str, ...], tuple[str, ...],
                                        dict[str, str]]] = {}
        self.env: Env | None = None
        self.out_of_order = False  # a definition was met after one that follows it

    # ------------------------------------------------------------------ events
    def enter(self, node: ir.Expr, area: str | None, env: Env) -> None:
        kind = type(node)
        if kind is ir.DefinitionRef:
            assert isinstance(node, ir.DefinitionRef)
            key = self.rulebase.definition_key(node.name, area)
            definition = self.rulebase.definitions[key]
            self.frames.append(_Defined(key, definition, self.inner))
            if definition.variable is None:  # its body is traced as evaluated, on its own
                self.inner = True
        elif kind is ir.Quantifier:
            assert isinstance(node, ir.Quantifier)
            self.frames.append(_Quantified(self.bindings.get(node.variable, _UNSET)))
        self.stack.append(self.got)
        self.got = []

    def leave(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        got = self.got
        self.got = self.stack.pop()  # every kind with parts has its builder
        self.got.append(_BUILDERS[type(node)](self, node, area, value, got, env))

    def leaf(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        n = Node(node, area, value, self.inner)
        self.got.append(n)
        kind = type(node)
        if kind is ir.Const:  # the commonest leaf: nothing more to note
            return
        if kind is ir.FieldRef:
            assert isinstance(node, ir.FieldRef)
            n.reads = self._reads(node, value, env)
        elif kind is ir.DecisionRef:
            assert isinstance(node, ir.DecisionRef)
            n.decision = (node.area, node.field)

    def item(self, node: ir.Quantifier, env: Env) -> None:
        frame = self.frames[-1]
        assert isinstance(frame, _Quantified)
        got = self.got  # the quantifier's: its collection, then one node per item tested
        if frame.items is None:
            frame.items = collection_items(node.collection, got[0].value, env,
                                           self.bindings, node.variable)
        index = len(got) - 1
        if index < len(frame.items):
            self.bindings[node.variable] = frame.items[index][0]

    def _reads(self, node: ir.FieldRef, value: Any, env: Env) -> tuple[tuple[str, Any], ...]:
        """What a field reference read (:func:`field_reads`); a read that goes through no
        list and found a value read exactly that value, at its path, so the path is all
        there is to work out."""
        if value is None or node.projects:
            return tuple(field_reads(node, env, self.bindings))
        if node.root == "case":
            return ((node.joined, value),)
        return ((join_path(self.bindings.get(node.root, node.root), node.joined), value),)

    def area(self, program: Any, env: Env) -> None:
        self._close_area()
        self.current = program
        self.env = env

    def bound(self, variable: str, index: int, env: Env) -> None:
        if index == 0:
            assert self.current is not None and self.current.area.ranking is not None
            self.candidates = collection_items(self.current.area.ranking.collection,
                                               self.roots[-1].value, env, self.bindings,
                                               variable)
        self.bindings[variable] = self.candidates[index][0]

    def decided(self, area: str, outcome: str, deciding: tuple[str, ...],
                overridden: tuple[str, ...], roles: Any) -> None:
        self.decisions[area] = (outcome, deciding, overridden, dict(roles))

    # ------------------------------------------------------------------ parts not needed
    def compute(self, e: ir.Expr, area: str | None, evaluated: bool,
                strict: bool | None = None) -> Node:
        """A node computed by its observed closure, for information unless ``evaluated``;
        an error is raised when ``strict`` (by default: when evaluated), else noted."""
        if type(e) is ir.Const:
            return Node(e, area, e.value, evaluated)
        env = self.env
        assert env is not None
        got, inner, depth, frames = self.got, self.inner, len(self.stack), len(self.frames)
        collector: list[Node] = []
        self.got, self.inner = collector, evaluated
        steps = env.steps
        try:
            self.program.function(e, area, observed=True)(env)
        except EvaluationError as exc:
            if evaluated if strict is None else strict:
                raise
            return Node(e, area, None, False, error=exc.message)
        finally:
            self.got, self.inner = got, inner
            del self.stack[depth:], self.frames[frames:]
            env.steps = steps  # the decision ran within the limit; reading again is ours
        return collector[0]

    def _child(self, got: list[Node], position: int, e: ir.Expr, area: str | None,
               evaluated: bool) -> tuple[Node, int]:
        if position < len(got) and got[position].expr is e:
            return got[position], position + 1
        return self.compute(e, area, evaluated), position

    def _children(self, e: ir.Expr, area: str | None, value: Any, got: list[Node],
                  env: Env) -> Node:
        parts = e.children()
        if len(got) == len(parts):  # the evaluation went through every part
            return Node(e, area, value, self.inner, tuple(got))
        n = Node(e, area, value, self.inner)
        out, at = [], 0
        for c in parts:
            child, at = self._child(got, at, c, area, False)
            out.append(child)
        n.children = tuple(out)
        return n

    def _IfThenElse(self, e: ir.Expr, area: str | None, value: Any, got: list[Node],
                    env: Env) -> Node:
        before = len(self.definitions)
        n = self._children(e, area, value, got, env)
        if len(self.definitions) > before:  # met in ``then``, after those of ``otherwise``
            self.out_of_order = True
        return n

    # ------------------------------------------------------------------ node kinds
    def _DefinitionRef(self, e: ir.Expr, area: str | None, value: Any, got: list[Node],
                       env: Env) -> Node:
        frame = self.frames.pop()
        assert isinstance(frame, _Defined)
        self.inner = frame.outer
        n = Node(e, area, value, frame.outer)
        definition, key = frame.definition, frame.key
        n.definition = key
        body = got[0] if got else None
        if definition.variable is not None:  # about the item being ranked: traced in place
            n.inline = True
            n.children = (body or self.compute(definition.expr, definition.area,
                                               n.evaluated),)
            return n
        found = self.definitions.get(key)
        if found is None:
            error = None
            if body is None:  # computed before (by the decision's own closures): again
                again = self.compute(definition.expr, definition.area, True, n.evaluated)
                body, error = (None, again.error) if again.error is not None else (again, None)
            self.definitions[key] = DefinitionTrace(key, definition, body, n.evaluated, error)
        elif n.evaluated:
            found.used = True
        return n

    def _Compare(self, e: ir.Expr, area: str | None, value: Any, got: list[Node],
                 env: Env) -> Node:
        if len(got) == 2:
            return Node(e, area, value, self.inner, tuple(got))
        assert isinstance(e, ir.Compare)
        n = Node(e, area, value, self.inner)
        left, at = self._child(got, 0, e.left, area, n.evaluated)
        needed = n.evaluated and (left.value is not None
                                  or isinstance(e.right, (ir.Const, ir.SettingRef)))
        n.children = (left, self._child(got, at, e.right, area, needed)[0])
        return n

    def _Quantifier(self, e: ir.Expr, area: str | None, value: Any, got: list[Node],
                    env: Env) -> Node:
        frame = self.frames.pop()
        assert isinstance(frame, _Quantified) and isinstance(e, ir.Quantifier)
        n = Node(e, area, value, self.inner)
        coll = got[0] if got else self.compute(e.collection, area, False)
        n.children = (coll,)
        items = frame.items
        if items is None:
            items = collection_items(e.collection, coll.value, env, self.bindings, e.variable)
        done = got[1:]
        traced: list[Item] = []
        var = e.variable
        saved = env.vars.get(var, _UNSET)
        try:
            for index, (path, item) in enumerate(items[:MAX_TRACED_ITEMS]):
                if e.condition is None:
                    body = None
                elif index < len(done):
                    body = done[index]
                else:
                    env.vars[var] = item
                    self.bindings[var] = path
                    body = self.compute(e.condition, area, False)
                traced.append(Item(index, path, body))
        finally:
            _restore(env.vars, var, saved)
            _restore(self.bindings, var, frame.saved)
        n.items = tuple(traced)
        n.items_omitted = max(0, len(items) - MAX_TRACED_ITEMS)
        return n

    # ------------------------------------------------------------------ areas
    def _close_area(self) -> None:
        ap, roots = self.current, self.roots
        if ap is None:
            return
        self.current = None
        self.roots = self.got = []
        area = ap.area
        at = 0
        applies_node = None
        if area.applies_when is not None:
            applies_node, at = roots[0], 1
        if applies_node is not None and not applies_node.truth:
            self.traced[area.id] = AreaTrace(area, False, applies_node)
            return
        by_key = self.rulebase.rules_by_key
        rules = tuple(RuleTrace(by_key[key], node, node.truth)
                      for (key, _), node in zip(ap.rules, roots[at:], strict=False))
        at += len(ap.rules)
        candidates: list[CandidateTrace] = []
        if area.ranking is not None:
            ranking = area.ranking
            width = len(ap.elements)
            sides = roots[at + 1:]
            for index, (path, _) in enumerate(self.candidates):
                nodes = sides[index * width:(index + 1) * width]
                elements = tuple(ElementTrace(c.id, c.kind, nodes[2 * k], nodes[2 * k + 1])
                                 for k, c in enumerate(ranking.checks + ranking.criteria))
                candidates.append(CandidateTrace(index, path, elements))
            self.bindings.pop(ranking.variable, None)
            self.candidates = []
        self.traced[area.id] = AreaTrace(area, True, applies_node, rules, tuple(candidates))

    def finish(self, case: Case, as_of: date) -> Trace:
        """The trace, once the evaluation (matching and deciding) is over."""
        self._close_area()
        for area_id, at in self.traced.items():
            if not at.applies:
                continue
            outcome, deciding, overridden, roles = self.decisions[area_id]
            at.outcome, at.deciding, at.overridden = outcome, deciding, overridden
            for rt in at.rules:
                rt.role = roles[rt.rule.key]
        program = self.program
        areas = tuple(self.traced[ap.area.id] for ap in program.areas)
        order = [self.traced[ap.area.id] for ap in program.order]
        definitions = self.definitions
        if self.out_of_order:
            definitions = _in_trace_order(order, definitions)
        return Trace(self.rulebase, case, as_of, program.epoch, areas, definitions)


def _in_trace_order(areas: list[AreaTrace],
                    found: dict[str, DefinitionTrace]) -> dict[str, DefinitionTrace]:
    """The definitions in the order a reader meets them: areas in decision order, each
    condition depth first, a definition after the definitions it uses."""
    out: dict[str, DefinitionTrace] = {}

    def meet(node: Node) -> None:
        for n in node.walk():
            key = n.definition
            if key is None or n.inline or key in out or key not in found:
                continue
            body = found[key].node
            if body is not None:
                meet(body)
            out[key] = found[key]

    for at in areas:
        roots = [at.applies_node] if at.applies_node is not None else []
        roots += [rt.node for rt in at.rules]
        roots += [n for c in at.candidates for el in c.elements for n in (el.prefer, el.over)]
        for root in roots:
            meet(root)
    return out


def _restore(mapping: dict[str, Any], key: str, old: Any) -> None:
    if old is _UNSET:
        mapping.pop(key, None)
    else:
        mapping[key] = old


_BUILDERS: dict[type, Any] = {
    ir.DefinitionRef: TraceObserver._DefinitionRef,
    ir.Compare: TraceObserver._Compare,
    ir.Quantifier: TraceObserver._Quantifier,
    ir.IfThenElse: TraceObserver._IfThenElse,
    **{kind: TraceObserver._children
       for kind in (ir.Call, ir.Arith, ir.Negate, ir.ListOf, ir.Known, ir.Not, ir.Membership,
                    ir.BoolOp)},
}


def traced_evaluation(program: Program, case: Case, as_of: date
                      ) -> tuple[Trace, Matches, Evaluation]:
    """Evaluate a case with the native evaluator, observed: the trace, what matched and
    the decisions (the same as ``evaluate`` gives)."""
    observer = TraceObserver(program)
    env = Env(case, as_of, observer)
    observer.env = env
    try:
        matches = match_observed(program, env)
        env.vars.clear()
        evaluation = decide(program, env, matches)
        trace = observer.finish(case, as_of)
    finally:
        # the observer and its state refer to each other: without this, a trace lives
        # until the cyclic garbage collector finds it, and every collection on the way
        # walks it, instead of being freed with the explanation
        observer.env = env.observer = None
    return trace, matches, evaluation
