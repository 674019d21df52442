"""The native evaluator: the IR compiled once into Python closures, optionally observed.

Each node becomes a small closure; settings in force are folded in as constants; each
definition is computed at most once per evaluation. Unknown values are ``None``: a
comparison with an unknown is false, ``not`` is plain negation, functions of an unknown
are unknown. There is no ``eval`` and no code generation from text: a closure can only do
what its node kind does.

The semantics of each kind of node is written once, here. An *observed* compiler wraps the
closure of every node so that it reports to the evaluation's :class:`Observer` (node
entered, value produced; ``engine.observing``); the trace, scenario coverage and witness
search are observers of this one evaluator. Without an observer nothing is wrapped: the
plain closures are the engine's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from .. import codes
from ..case import Case
from ..dates import DateConventions, add_duration
from ..errors import EvaluationError
from ..language import ir
from ..language.functions import FUNCTIONS
from ..language.operators import COMPARE
from ..language.visitor import Visitor
from ..rulebase import Epoch, Rulebase
from ..values import Duration
from .fields import compare_field, field_reader, member_field
from .observing import LEAVES, Fn, Observer, observe, observe_items, observe_leaf

_MISSING = object()
MAX_STEPS = 2_000_000  # items visited by quantifiers in one evaluation
_EMPTY_ANSWER: Mapping[str, Any] = MappingProxyType(
    {"any": False, "every": True, "no": True, "count": 0})  # over no items


@dataclass(frozen=True, slots=True)
class DecisionValue:
    """An area's decision as other areas read it (``decisions.AREA.FIELD``).

    ``details`` are the decision's own values (dates as ISO text, as in its JSON);
    ``decision`` is the full decision (``engine.result.Decision``), None when the area does
    not apply."""

    applies: bool
    outcome: str | None
    details: Mapping[str, Any]
    decision: Any = None


NOT_APPLYING = DecisionValue(False, None, MappingProxyType({}))


class Env:
    """The state of one evaluation: the case, the date, bound items, computed definitions,
    the decisions already made (for areas that use them), and its observer (if any)."""

    __slots__ = ("as_of", "case", "decisions", "defs", "observer", "reads", "steps", "vars")

    def __init__(self, case: Case, as_of: date, observer: Observer | None = None) -> None:
        self.case = case
        self.as_of = as_of
        self.vars: dict[str, Any] = {}
        self.defs: dict[str, Any] = {}
        self.decisions: dict[str, DecisionValue] = {}
        self.reads: set[tuple[str, str]] | None = None  # decision fields read, when asked
        self.steps = 0
        self.observer = observer


def _where(expr: ir.Expr) -> str:
    return f" at {expr.loc}" if expr.loc else ""



class Compiler(Visitor[Fn]):
    """Compiles IR for one epoch (rules and settings in force over a span of dates).

    Every method takes the *scope*: the area whose definitions a name means (None outside
    any area). With ``observed``, each node's closure is wrapped to report to the
    evaluation's observer (``Env.observer``) when it is entered and what it produced, and
    constant operands are not folded (folding changes no value, only which nodes run)."""

    exhaustive = True

    def __init__(self, rulebase: Rulebase, epoch: Epoch, observed: bool = False) -> None:
        self.rulebase = rulebase
        self.epoch = epoch
        self.conv: DateConventions = epoch.conventions
        self.observed = observed
        self.definition_fns: dict[str, Fn] = {}
        # each node's closure by (node, scope), kept with its node (observed compilers)
        self.closures: dict[tuple[int, str | None], tuple[ir.Expr, Fn]] = {}

    def compile(self, e: ir.Expr, area: str | None) -> Fn:
        """The closure of ``e`` in the scope of ``area``."""
        fn: Fn = self.visit(e, area)
        if self.observed:
            fn = (observe_leaf if type(e) in LEAVES else observe)(e, area, fn)
        self.closures[(id(e), area)] = (e, fn)
        return fn

    # ------------------------------------------------------------------ leaves
    def visit_Const(self, e: ir.Const, area: str | None) -> Fn:
        value = e.value
        return lambda env: value

    def visit_AsOf(self, e: ir.AsOf, area: str | None) -> Fn:
        return lambda env: env.as_of

    def visit_DecisionRef(self, e: ir.DecisionRef, area: str | None) -> Fn:
        topic, name = e.area, e.field
        where = _where(e)

        def made(env: Env) -> DecisionValue:
            found = env.decisions.get(topic)
            if env.reads is not None:
                env.reads.add((topic, name))
            if found is None:
                raise EvaluationError(f"the decision of {topic!r} was read before it was "
                                      f"made{where}; this is a defect of sen-rules, please "
                                      "report it", code=codes.SR308)
            return found

        if name == "applies":
            return lambda env: made(env).applies
        if name == "outcome":
            return lambda env: made(env).outcome
        as_date = e.type.kind == "date"

        def detail(env: Env) -> Any:
            value = made(env).details.get(name)
            if as_date and isinstance(value, str):
                return date.fromisoformat(value)
            return value

        return detail

    def visit_SettingRef(self, e: ir.SettingRef, area: str | None) -> Fn:
        value = self.epoch.settings.get(e.name)
        if isinstance(value, list):
            value = tuple(value)
        return lambda env: value

    def visit_FieldRef(self, e: ir.FieldRef, area: str | None) -> Fn:
        return field_reader(e)

    def visit_DefinitionRef(self, e: ir.DefinitionRef, area: str | None) -> Fn:
        key = self.rulebase.definition_key(e.name, area)
        definition = self.rulebase.definitions[key]
        compute = self.definition_fns.get(key)
        if compute is None:
            compute = self.definition_fns[key] = self.compile(definition.expr, definition.area)
        if definition.variable is not None:  # depends on the item being ranked: not cached
            return compute

        def cached(env: Env) -> Any:
            defs = env.defs
            if key in defs:  # two dict operations cost less than a call of ``get``
                return defs[key]
            value = defs[key] = compute(env)
            return value

        return cached

    # ------------------------------------------------------------------ logic
    def visit_BoolOp(self, e: ir.BoolOp, area: str | None) -> Fn:
        fns = tuple(self.compile(i, area) for i in e.items)
        if e.op == "and":
            if len(fns) == 2:
                f1, f2 = fns
                # True or False by truth, as bool() of each would give, without two calls
                return lambda env: True if f1(env) and f2(env) else False  # noqa: SIM210

            def and_(env: Env) -> bool:
                for f in fns:  # noqa: SIM110 - a plain loop is faster than all() on a generator
                    if not f(env):
                        return False
                return True

            return and_
        if len(fns) == 2:
            g1, g2 = fns
            return lambda env: True if g1(env) or g2(env) else False  # noqa: SIM210

        def or_(env: Env) -> bool:
            for f in fns:  # noqa: SIM110 - a plain loop is faster than any() on a generator
                if f(env):
                    return True
            return False

        return or_

    def visit_Not(self, e: ir.Not, area: str | None) -> Fn:
        f = self.compile(e.operand, area)
        return lambda env: not f(env)

    def visit_Known(self, e: ir.Known, area: str | None) -> Fn:
        f = self.compile(e.operand, area)
        if e.negated:
            return lambda env: f(env) is None
        return lambda env: f(env) is not None

    def visit_Compare(self, e: ir.Compare, area: str | None) -> Fn:
        op = COMPARE[e.op]
        left, right = self.compile(e.left, area), self.compile(e.right, area)
        if not self.observed:
            plain = _plain_compare(e, op, left, right)
            if plain is not None:
                return plain

        def compare(env: Env) -> bool:
            a = left(env)
            if a is None:
                return False
            b = right(env)
            return b is not None and op(a, b)

        return compare

    def visit_Membership(self, e: ir.Membership, area: str | None) -> Fn:
        item = self.compile(e.item, area)
        negated = e.negated
        members = None if self.observed else self._members(e.collection)
        if members is not None:  # a fixed set: read once, at compile time
            fused = member_field(e.item, members, negated)
            if fused is not None:
                return fused
            return lambda env: (v := item(env)) is not None and (v in members) != negated
        coll = self.compile(e.collection, area)

        def member(env: Env) -> bool:
            v = item(env)
            if v is None:
                return False
            return (v in (coll(env) or ())) != negated

        return member

    def _members(self, e: ir.Expr) -> frozenset[Any] | None:
        """The members of a list of constants or of a setting (None for any other list)."""
        values = ir.constant_values(e)
        if values is not None:
            return frozenset(values)
        if isinstance(e, ir.SettingRef):
            return frozenset(self.epoch.settings.get(e.name) or ())
        return None

    def visit_Quantifier(self, e: ir.Quantifier, area: str | None) -> Fn:
        coll = self.compile(e.collection, area)
        cond = self.compile(e.condition, area) if e.condition is not None else None
        if cond is not None and self.observed:
            cond = observe_items(e, cond)
        var = e.variable
        kind = e.kind
        empty = _EMPTY_ANSWER[kind]  # ``any`` of nothing is false, ``every`` true...
        found = kind == "any"  # what ``any``/``no`` answer on the first item that holds

        def quantify(env: Env) -> Any:
            items = coll(env) or ()
            if not items:
                return empty
            env.steps += len(items)
            if env.steps > MAX_STEPS:
                raise EvaluationError(f"evaluation stopped: more than {MAX_STEPS} items were "
                                      f"visited{_where(e)}", code=codes.SR302)
            if cond is None:  # ``count`` without a condition
                return len(items)
            bound = env.vars
            old = bound.get(var, _MISSING)
            try:  # the kind is tested once, not for every item
                if kind == "count":
                    n = 0
                    for it in items:
                        bound[var] = it
                        if cond(env):
                            n += 1
                    return n
                if kind == "every":
                    for it in items:
                        bound[var] = it
                        if not cond(env):
                            return False
                    return True
                for it in items:
                    bound[var] = it
                    if cond(env):
                        return found
                return not found
            finally:
                if old is _MISSING:
                    bound.pop(var, None)
                else:
                    bound[var] = old

        return quantify

    # ------------------------------------------------------------------ values
    def visit_Call(self, e: ir.Call, area: str | None) -> Fn:
        spec = FUNCTIONS[e.function]
        impl = spec.impl
        conv = self.conv
        args = tuple(self.compile(a, area) for a in e.args)
        if spec.variadic:
            spread = len(e.args) == 1 and e.args[0].type.kind == "list"

            def call_variadic(env: Env) -> Any:
                values = args[0](env) if spread else [a(env) for a in args]
                return impl(conv, *(values or ()))

            return call_variadic
        if len(args) == 1:
            (a1,) = args

            def call1(env: Env) -> Any:
                v = a1(env)
                return None if v is None else _guard(impl, e, conv, v)

            return call1

        def call(env: Env) -> Any:
            values = [a(env) for a in args]
            if any(v is None for v in values):
                return None
            return _guard(impl, e, conv, *values)

        return call

    def visit_Arith(self, e: ir.Arith, area: str | None) -> Fn:
        left, right = self.compile(e.left, area), self.compile(e.right, area)
        sign = 1 if e.op == "+" else -1
        if e.left.type.kind == "date":
            const = e.right.value if type(e.right) is ir.Const else None
            # a constant duration, as add_duration's keyword, worked out once (plain only)
            fixed = ({const.unit: sign * const.amount}
                     if not self.observed and isinstance(const, Duration) else None)

            def date_arith(env: Env) -> Any:
                d = left(env)
                if fixed is None:
                    dur = right(env)
                    if dur is None:
                        return None
                    assert isinstance(dur, Duration)
                    step = {dur.unit: sign * dur.amount}
                else:
                    step = fixed
                if d is None:
                    return None
                try:
                    return add_duration(d, **step)
                except (OverflowError, ValueError):
                    raise EvaluationError(f"date arithmetic left the calendar{_where(e)}",
                                          code=codes.SR303) from None

            return date_arith
        op = operator.add if sign == 1 else operator.sub

        def arith(env: Env) -> Any:
            a, b = left(env), right(env)
            return None if a is None or b is None else op(a, b)

        return arith

    def visit_Negate(self, e: ir.Negate, area: str | None) -> Fn:
        f = self.compile(e.operand, area)

        def negate(env: Env) -> Any:
            v = f(env)
            return None if v is None else -v

        return negate

    def visit_IfThenElse(self, e: ir.IfThenElse, area: str | None) -> Fn:
        cond, then, other = (self.compile(e.condition, area), self.compile(e.then, area),
                             self.compile(e.otherwise, area))
        return lambda env: then(env) if cond(env) else other(env)

    def visit_ListOf(self, e: ir.ListOf, area: str | None) -> Fn:
        items = tuple(self.compile(i, area) for i in e.items)
        return lambda env: tuple(i(env) for i in items)


def _guard(impl: Callable[..., Any], e: ir.Expr, conv: DateConventions, *values: Any) -> Any:
    try:
        return impl(conv, *values)
    except (OverflowError, ValueError):
        raise EvaluationError(f"{e.source!r} cannot be computed for these dates{_where(e)}",
                              code=codes.SR303) from None


def _plain_compare(e: ir.Compare, op: Callable[[Any, Any], bool], left: Fn, right: Fn
                   ) -> Fn | None:
    """The comparison in one closure where an operand is known or is the evaluation date
    (plain compilers only: an observed one runs every operand's closure)."""
    if isinstance(e.right, (ir.Const, ir.SettingRef)):
        constant = right(None)  # type: ignore[arg-type]
        if constant is None:
            return lambda env: False
        fused = compare_field(e.left, op, constant)
        if fused is not None:  # ``p.kind = "special"``: one closure, not two
            return fused

        def compare_const(env: Env) -> bool:
            a = left(env)
            return a is not None and op(a, constant)

        return compare_const
    if type(e.left) is ir.AsOf:  # the date is always known; no closure to read it
        def compare_as_of(env: Env) -> bool:
            b = right(env)
            return b is not None and op(env.as_of, b)

        return compare_as_of
    if type(e.right) is ir.AsOf:
        def compare_to_as_of(env: Env) -> bool:
            a = left(env)
            return a is not None and op(a, env.as_of)

        return compare_to_as_of
    return None
