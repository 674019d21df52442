"""The native backend: the IR compiled once into Python closures.

Each node becomes a small closure; settings in force are folded in as constants; each
definition is computed at most once per evaluation. Unknown values are ``None``: a
comparison with an unknown is false, ``not`` is plain negation, functions of an unknown
are unknown. There is no ``eval`` and no code generation from text: a closure can only do
what its node kind does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from ..case import Case
from ..dates import DateConventions, add_duration
from ..errors import EvaluationError
from ..language import ir
from ..language.functions import FUNCTIONS
from ..language.operators import COMPARE as _COMPARE
from ..language.syntax import Duration
from ..rulebase import Area, Epoch, Rulebase

Fn = Callable[["Env"], Any]
_MISSING = object()
MAX_STEPS = 2_000_000  # items visited by quantifiers in one evaluation


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
    and the decisions already made (for areas that use them)."""

    __slots__ = ("as_of", "case", "decisions", "defs", "reads", "steps", "vars")

    def __init__(self, case: Case, as_of: date) -> None:
        self.case = case
        self.as_of = as_of
        self.vars: dict[str, Any] = {}
        self.defs: dict[str, Any] = {}
        self.decisions: dict[str, DecisionValue] = {}
        self.reads: set[tuple[str, str]] | None = None  # decision fields read, when asked
        self.steps = 0




def _where(expr: ir.Expr) -> str:
    return f" at {expr.loc}" if expr.loc else ""


class Compiler:
    """Compiles IR for one epoch (rules and settings in force over a span of dates)."""

    def __init__(self, rulebase: Rulebase, epoch: Epoch) -> None:
        self.rulebase = rulebase
        self.epoch = epoch
        self.conv: DateConventions = epoch.conventions
        self.definition_fns: dict[str, Fn] = {}
        self.area: str | None = None

    def definition_key(self, name: str) -> str:
        return self.rulebase.definition_key(name, self.area)

    def compile(self, e: ir.Expr) -> Fn:
        method: Callable[[Any], Fn] = getattr(self, "_" + type(e).__name__)
        return method(e)

    # ------------------------------------------------------------------ leaves
    def _Const(self, e: ir.Const) -> Fn:
        value = e.value
        return lambda env: value

    def _AsOf(self, e: ir.AsOf) -> Fn:
        return lambda env: env.as_of

    def _DecisionRef(self, e: ir.DecisionRef) -> Fn:
        area, name = e.area, e.field
        where = _where(e)

        def made(env: Env) -> DecisionValue:
            found = env.decisions.get(area)
            if env.reads is not None:
                env.reads.add((area, name))
            if found is None:
                raise EvaluationError(f"the decision of {area!r} was read before it was "
                                      f"made{where}; this is a defect of sen-rules, please "
                                      "report it", code="SR308")
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

    def _SettingRef(self, e: ir.SettingRef) -> Fn:
        value = self.epoch.settings.get(e.name)
        if isinstance(value, list):
            value = tuple(value)
        return lambda env: value

    def _FieldRef(self, e: ir.FieldRef) -> Fn:
        path = e.path
        root_name = e.root
        if not any(e.through_list):
            if root_name == "case":
                if len(path) == 1:
                    (a,) = path
                    return lambda env: getattr(env.case, a)
                if len(path) == 2:
                    a, b = path

                    def get2(env: Env) -> Any:
                        v = getattr(env.case, a)
                        return None if v is None else getattr(v, b)

                    return get2

            def get(env: Env) -> Any:
                v = env.case if root_name == "case" else env.vars[root_name]
                for name in path:
                    if v is None:
                        return None
                    v = getattr(v, name)
                return v

            return get
        through = e.through_list

        def project(env: Env) -> Any:
            values = [env.case if root_name == "case" else env.vars[root_name]]
            for name, over_list in zip(path, through, strict=True):
                if over_list:
                    values = [item for v in values if v is not None for item in v]
                values = [getattr(v, name) for v in values if v is not None]
            flat: list[Any] = []
            for v in values:
                if isinstance(v, tuple):
                    flat.extend(x for x in v if x is not None)
                elif v is not None:
                    flat.append(v)
            return tuple(flat)

        return project

    def _DefinitionRef(self, e: ir.DefinitionRef) -> Fn:
        key = self.definition_key(e.name)
        definition = self.rulebase.definitions[key]
        fn = self.definition_fns.get(key)
        if fn is None:
            saved = self.area
            self.area = definition.area
            try:
                fn = self.compile(definition.expr)
            finally:
                self.area = saved
            self.definition_fns[key] = fn
        compute = fn
        if definition.variable is not None:  # depends on the item being ranked: not cached
            return compute

        def cached(env: Env) -> Any:
            defs = env.defs
            value = defs.get(key, _MISSING)
            if value is _MISSING:
                value = compute(env)
                defs[key] = value
            return value

        return cached

    # ------------------------------------------------------------------ logic
    def _BoolOp(self, e: ir.BoolOp) -> Fn:
        fns = tuple(self.compile(i) for i in e.items)
        if e.op == "and":
            if len(fns) == 2:
                f1, f2 = fns
                return lambda env: bool(f1(env)) and bool(f2(env))

            def and_(env: Env) -> bool:
                for f in fns:  # noqa: SIM110 - a plain loop is faster than all() on a generator
                    if not f(env):
                        return False
                return True

            return and_
        if len(fns) == 2:
            g1, g2 = fns
            return lambda env: bool(g1(env)) or bool(g2(env))

        def or_(env: Env) -> bool:
            for f in fns:  # noqa: SIM110 - a plain loop is faster than any() on a generator
                if f(env):
                    return True
            return False

        return or_

    def _Not(self, e: ir.Not) -> Fn:
        f = self.compile(e.operand)
        return lambda env: not f(env)

    def _Known(self, e: ir.Known) -> Fn:
        f = self.compile(e.operand)
        if e.negated:
            return lambda env: f(env) is None
        return lambda env: f(env) is not None

    def _Compare(self, e: ir.Compare) -> Fn:
        op = _COMPARE[e.op]
        left, right = self.compile(e.left), self.compile(e.right)
        if isinstance(e.right, (ir.Const, ir.SettingRef)):
            constant = right(None)  # type: ignore[arg-type]
            if constant is None:
                return lambda env: False

            def compare_const(env: Env) -> bool:
                a = left(env)
                return a is not None and op(a, constant)

            return compare_const

        def compare(env: Env) -> bool:
            a = left(env)
            if a is None:
                return False
            b = right(env)
            return b is not None and op(a, b)

        return compare

    def _Membership(self, e: ir.Membership) -> Fn:
        item = self.compile(e.item)
        negated = e.negated
        if isinstance(e.collection, ir.ListOf) and all(
                isinstance(i, ir.Const) for i in e.collection.items):
            members = frozenset(i.value for i in e.collection.items)  # type: ignore[attr-defined]
            coll: Fn = lambda env: members  # noqa: E731
        elif isinstance(e.collection, ir.SettingRef):
            members = frozenset(self.epoch.settings.get(e.collection.name) or ())
            coll = lambda env: members  # noqa: E731
        else:
            coll = self.compile(e.collection)

        def member(env: Env) -> bool:
            v = item(env)
            if v is None:
                return False
            return (v in (coll(env) or ())) != negated

        return member

    def _Quantifier(self, e: ir.Quantifier) -> Fn:
        coll = self.compile(e.collection)
        cond = self.compile(e.condition) if e.condition is not None else None
        var = e.variable
        kind = e.kind

        def quantify(env: Env) -> Any:
            items = coll(env) or ()
            env.steps += len(items)
            if env.steps > MAX_STEPS:
                raise EvaluationError(f"evaluation stopped: more than {MAX_STEPS} items were "
                                      f"visited{_where(e)}", code="SR302")
            bound = env.vars
            old = bound.get(var, _MISSING)
            try:
                if kind == "count":
                    if cond is None:
                        return len(items)
                    n = 0
                    for it in items:
                        bound[var] = it
                        if cond(env):
                            n += 1
                    return n
                assert cond is not None
                for it in items:
                    bound[var] = it
                    if cond(env):
                        if kind == "any":
                            return True
                        if kind == "no":
                            return False
                    elif kind == "every":
                        return False
                return kind != "any"
            finally:
                if old is _MISSING:
                    bound.pop(var, None)
                else:
                    bound[var] = old

        return quantify

    # ------------------------------------------------------------------ values
    def _Call(self, e: ir.Call) -> Fn:
        spec = FUNCTIONS[e.function]
        impl = spec.impl
        conv = self.conv
        args = tuple(self.compile(a) for a in e.args)
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

    def _Arith(self, e: ir.Arith) -> Fn:
        left, right = self.compile(e.left), self.compile(e.right)
        sign = 1 if e.op == "+" else -1
        if e.left.type.kind == "date":
            def date_arith(env: Env) -> Any:
                d, dur = left(env), right(env)
                if d is None or dur is None:
                    return None
                assert isinstance(dur, Duration)
                try:
                    return add_duration(d, **{dur.unit: sign * dur.amount})
                except (OverflowError, ValueError):
                    raise EvaluationError(f"date arithmetic left the calendar{_where(e)}",
                                          code="SR303") from None

            return date_arith
        op = operator.add if sign == 1 else operator.sub

        def arith(env: Env) -> Any:
            a, b = left(env), right(env)
            return None if a is None or b is None else op(a, b)

        return arith

    def _Negate(self, e: ir.Negate) -> Fn:
        f = self.compile(e.operand)

        def negate(env: Env) -> Any:
            v = f(env)
            return None if v is None else -v

        return negate

    def _IfThenElse(self, e: ir.IfThenElse) -> Fn:
        cond, then, other = (self.compile(e.condition), self.compile(e.then),
                             self.compile(e.otherwise))
        return lambda env: then(env) if cond(env) else other(env)

    def _ListOf(self, e: ir.ListOf) -> Fn:
        items = tuple(self.compile(i) for i in e.items)
        return lambda env: tuple(i(env) for i in items)


def _guard(impl: Callable[..., Any], e: ir.Expr, conv: DateConventions, *values: Any) -> Any:
    try:
        return impl(conv, *values)
    except (OverflowError, ValueError):
        raise EvaluationError(f"{e.source!r} cannot be computed for these dates{_where(e)}",
                              code="SR303") from None


# ---------------------------------------------------------------------------- program


@dataclass(frozen=True)
class AreaProgram:
    area: Area
    applies: Fn | None
    rules: tuple[tuple[str, Fn], ...]  # (rule key, condition) in force, in order
    details: Mapping[str, Mapping[str, Fn]]  # rule key -> detail name -> value
    elements: tuple[tuple[str, Fn], ...]  # (criterion id:side, condition) for each candidate
    collection: Fn | None
    variable: str | None


@dataclass(frozen=True)
class Program:
    """Everything in force in one epoch, compiled."""

    epoch: Epoch
    areas: tuple[AreaProgram, ...]  # in manifest order (the order of the JSON)
    compiler: Compiler
    identity: Mapping[str, str]  # the rulebase's name, version and sha256 (read-only)
    plans: dict[str, Any] = field(default_factory=dict)  # per-area decision plans (decide.py)
    order: tuple[AreaProgram, ...] = ()  # in decision order (decision_graph)
    used: frozenset[str] = frozenset()  # areas whose decisions other areas read


def compile_program(rulebase: Rulebase, epoch: Epoch) -> Program:
    compiler = Compiler(rulebase, epoch)
    in_force = epoch.rule_keys
    areas: list[AreaProgram] = []
    for area in rulebase.areas:
        compiler.area = area.id
        applies = compiler.compile(area.applies_when) if area.applies_when is not None else None
        rules = []
        details: dict[str, dict[str, Fn]] = {}
        for rule in area.all_rules:
            if rule.key not in in_force:
                continue
            rules.append((rule.key, compiler.compile(rule.when_in_force)))
            details[rule.key] = {k: compiler.compile(v) for k, v in rule.details.items()}
        elements: list[tuple[str, Fn]] = []
        collection = variable = None
        if area.ranking is not None:
            ranking = area.ranking
            collection = compiler.compile(ranking.collection)
            variable = ranking.variable
            for c in ranking.checks + ranking.criteria:
                elements.append((f"{c.id}:prefer", compiler.compile(c.prefer)))
                elements.append((f"{c.id}:over", compiler.compile(c.over)))
        areas.append(AreaProgram(area, applies, tuple(rules), details, tuple(elements),
                                 collection, variable))
    compiler.area = None
    by_id = {ap.area.id: ap for ap in areas}
    return Program(epoch, tuple(areas), compiler, MappingProxyType(dict(rulebase.identity())),
                   order=tuple(by_id[a.id] for a in rulebase.decision_order),
                   used=rulebase.used_decisions)


@dataclass(frozen=True, slots=True)
class Matches:
    """What a backend found true for a case: the shared input of decision-making."""

    areas: frozenset[str]
    rules: frozenset[str]
    elements: frozenset[tuple[str, int]]


def match_native(program: Program, env: Env) -> Matches:
    """What is true for the case, area by area in decision order; the decision of an area
    that others use is made as soon as it is matched, for their closures to read."""
    areas: set[str] = set()
    rules: set[str] = set()
    elements: set[tuple[str, int]] = set()
    for ap in program.order:
        _match_area(ap, env, areas, rules, elements)
        if ap.area.id in program.used:
            from .decide import record_decision  # decide builds on this module

            record_decision(program, ap, env, Matches(frozenset(areas), frozenset(rules),
                                                      frozenset(elements)))
    return Matches(frozenset(areas), frozenset(rules), frozenset(elements))


def _match_area(ap: AreaProgram, env: Env, areas: set[str], rules: set[str],
                elements: set[tuple[str, int]]) -> None:
    if ap.applies is not None and not ap.applies(env):
        return
    areas.add(ap.area.id)
    for key, cond in ap.rules:
        if cond(env):
            rules.add(key)
    if ap.collection is not None and ap.variable is not None:
        items = ap.collection(env) or ()
        var = ap.variable
        for index, item in enumerate(items):
            env.vars[var] = item
            for cid, cond in ap.elements:
                if cond(env):
                    elements.add((cid, index))
        env.vars.pop(var, None)
