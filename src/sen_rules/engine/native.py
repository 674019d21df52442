"""The native backend: compile a program, and find what is true for a case.

:mod:`engine.compiler` turns each node into a closure (plain, or observed);
:func:`compile_program` compiles every area of an epoch both ways and works out the
decision plans, once; :func:`match_native` runs the plain closures and
:func:`match_observed` the observed ones, with the same loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..language import ir
from ..rulebase import Area, Epoch, Ranking, Rulebase
from .compiler import (
    MAX_STEPS,
    NOT_APPLYING,
    Compiler,
    DecisionValue,
    Env,
)
from .decide import AreaPlan, record_decision
from .observing import Fn, Observer
from .program import AreaProgram, Matches, Program

Lookups = tuple[tuple[str, Mapping[Any, tuple[str, ...]]], ...]  # field -> value -> ids

__all__ = [
    "MAX_STEPS",
    "NOT_APPLYING",
    "AreaProgram",
    "Compiler",
    "DecisionValue",
    "Env",
    "Fn",
    "Matches",
    "Observer",
    "Program",
    "compile_program",
    "match_native",
    "match_observed",
]


def _area_program(compiler: Compiler, area: Area, in_force: frozenset[str]) -> AreaProgram:
    scope = area.id
    applies = (compiler.compile(area.applies_when, scope) if area.applies_when is not None
               else None)
    rules = []
    always: list[str] = []  # plain programs: rules whose condition is a true constant
    tests = []  # the others, whose conditions are run
    details: dict[str, dict[str, Fn]] = {}
    for rule in area.all_rules:
        if rule.key not in in_force:
            continue
        cond = compiler.compile(rule.when_in_force, scope)
        rules.append((rule.key, cond))
        known = rule.when_in_force
        if compiler.observed or type(known) is not ir.Const:
            tests.append((rule.key, cond))
        elif known.value:
            always.append(rule.key)
        details[rule.key] = {k: compiler.compile(v, scope) for k, v in rule.details.items()}
    elements: list[tuple[str, Fn]] = []
    collection = variable = None
    if area.ranking is not None:
        ranking = area.ranking
        collection = compiler.compile(ranking.collection, scope)
        variable = ranking.variable
        for c in ranking.checks + ranking.criteria:
            elements.append((f"{c.id}:prefer", compiler.compile(c.prefer, scope)))
            elements.append((f"{c.id}:over", compiler.compile(c.over, scope)))
    lookups, checks = ((), tuple(elements)) if compiler.observed or area.ranking is None \
        else _grouped_checks(area.ranking, tuple(elements))
    return AreaProgram(area, applies, tuple(rules), details, tuple(elements), collection,
                       variable, tuple(always), tuple(tests), lookups, checks)


def _grouped_checks(ranking: Ranking, elements: tuple[tuple[str, Fn], ...]
                    ) -> tuple[Lookups, tuple[tuple[str, Fn], ...]]:
    """A plain program's conditions on candidates, split: those that say a field of the
    candidate equals a constant or is one of constants, grouped by field (the field is read
    once, and which of them hold is looked up), and the others, run one by one."""
    conditions = {f"{c.id}:{side}": e for c in ranking.checks + ranking.criteria
                  for side, e in (("prefer", c.prefer), ("over", c.over))}
    tables: dict[str, dict[Any, list[str]]] = {}
    rest = []
    for cid, fn in elements:
        found = _equality(conditions[cid], ranking.variable)
        if found is None:
            rest.append((cid, fn))
            continue
        name, values = found
        table = tables.setdefault(name, {})
        for v in values:
            table.setdefault(v, []).append(cid)
    lookups = tuple((name, MappingProxyType({v: tuple(ids) for v, ids in table.items()}))
                    for name, table in tables.items())
    return lookups, tuple(rest)


def _equality(e: ir.Expr, variable: str) -> tuple[str, tuple[Any, ...]] | None:
    """(field, the constants it must equal one of) for ``v.field = constant`` or
    ``v.field in [constants]`` on the candidate ``v``, a yes/no, number or text field (its
    values hash as they compare); else None."""
    values: tuple[object, ...]
    if type(e) is ir.Compare and e.op == "=" and type(e.right) is ir.Const:
        field, values = e.left, (e.right.value,)
    elif (type(e) is ir.Membership and not e.negated
          and (listed := ir.constant_values(e.collection)) is not None):
        field, values = e.item, listed
    else:
        return None
    if (type(field) is not ir.FieldRef or field.root != variable or len(field.path) != 1
            or field.through_list[0] or field.type.kind not in ("bool", "number", "string")
            or any(v is None or type(v) not in (bool, int, float, str) for v in values)):
        return None
    return field.path[0], values


def compile_program(rulebase: Rulebase, epoch: Epoch) -> Program:
    """Every area in force in ``epoch``, compiled plain and observed, with its plan."""
    plain, observed = Compiler(rulebase, epoch), Compiler(rulebase, epoch, observed=True)
    in_force = epoch.rule_keys
    areas = tuple(_area_program(plain, area, in_force) for area in rulebase.areas)
    watched = {a.id: _area_program(observed, a, in_force) for a in rulebase.areas}
    by_id = {ap.area.id: ap for ap in areas}
    plans = {ap.area.id: AreaPlan(ap, rulebase, epoch, plain) for ap in areas}
    return Program(
        rulebase, epoch, areas,
        order=tuple(by_id[a.id] for a in rulebase.decision_order),
        observed=tuple(watched[a.id] for a in rulebase.decision_order),
        plans=MappingProxyType(plans),
        identity=MappingProxyType(dict(rulebase.identity())),
        used=rulebase.used_decisions,
        plain_closures=MappingProxyType(plain.closures),
        observed_closures=MappingProxyType(observed.closures))


def match_native(program: Program, env: Env) -> Matches:
    """What is true for the case, area by area in decision order; the decision of an area
    that others use is made as soon as it is matched, for their closures to read."""
    return _match(program, program.order, env)


def match_observed(program: Program, env: Env) -> Matches:
    """As :func:`match_native`, with the observed closures: ``env.observer`` sees every
    node the evaluation needs, each area as it starts and each decision made."""
    return _match(program, program.observed, env)


def _match(program: Program, order: tuple[AreaProgram, ...], env: Env) -> Matches:
    areas: set[str] = set()
    rules: set[str] = set()
    elements: set[tuple[str, int]] = set()
    for ap in order:
        _match_area(ap, env, areas, rules, elements)
        if ap.area.id in program.used:
            record_decision(program, ap, env, Matches(frozenset(areas), frozenset(rules),
                                                      frozenset(elements)))
    return Matches(frozenset(areas), frozenset(rules), frozenset(elements))


def _match_area(ap: AreaProgram, env: Env, areas: set[str], rules: set[str],
                elements: set[tuple[str, int]]) -> None:
    observer = env.observer
    if observer is not None:
        observer.area(ap, env)
    if ap.applies is not None and not ap.applies(env):
        return
    areas.add(ap.area.id)
    rules.update(ap.always)
    fired = rules.add  # bound once: the loops below run for every rule and candidate
    for key, cond in ap.tests:
        if cond(env):
            fired(key)
    if ap.collection is not None and ap.variable is not None:
        items = ap.collection(env) or ()
        var = ap.variable
        bound = env.vars
        held = elements.add
        lookups, checks = ap.lookups, ap.checks
        for index, item in enumerate(items):
            bound[var] = item
            if observer is not None:
                observer.bound(var, index, env)
            for name, table in lookups:  # a plain program's equalities: one read a field
                value = None if item is None else getattr(item, name)
                if value is not None:
                    for cid in table.get(value, ()):
                        held((cid, index))
            for cid, cond in checks:
                if cond(env):
                    held((cid, index))
        bound.pop(var, None)
