"""Lowering the IR of one epoch to a durable-rules ruleset (the network of
:mod:`.durable`): which facts there are, which rules match them, what each rule does.

A condition is put in disjunctive normal form (:mod:`..language.normalform`): each
alternative is one durable-rules rule, a test on the case fact (or an item fact) with the
derived facts it joins on. What durable-rules cannot test on its own (a date function, a
condition on decisions) becomes a value the host computes into the fact, and the rule
tests that. The guards the lowering keeps are listed in :mod:`.durable`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..language import ir
from ..language.normalform import NormalForm, product
from ..language.operators import COMPARE, COMPARISONS, FLIP, NEGATION
from ..language.printer import canonical
from ..language.types import BOOL
from ..rulebase import Rulebase
from ..values import Duration, fact_value
from .native import Compiler, Env, Fn, Program

MAX_BRANCHES = 64
SENTINEL_PRIORITY = 65535

Test = Any  # a durable-rules condition over one fact (JSON-like); True means "no test"
Join = tuple[str, bool]
_Visit = Callable[..., "Formula"]


# ---------------------------------------------------------------------------- tests


def _junction(tests: list[Test], op: str, unit: bool) -> Test:
    """``{op: tests}``, simplified: ``unit`` parts dropped, ``not unit`` decides it at once,
    nested parts of the same operator flattened, a single part on its own."""
    parts: list[Test] = []
    for t in tests:
        if t is (not unit):
            return not unit
        if t is unit:
            continue
        if isinstance(t, dict) and set(t) == {op}:
            parts.extend(t[op])
        else:
            parts.append(t)
    if not parts:
        return unit
    return parts[0] if len(parts) == 1 else {op: parts}


def AND(tests: list[Test]) -> Test:
    return _junction(tests, "$and", True)


def OR(tests: list[Test]) -> Test:
    return _junction(tests, "$or", False)


def _compare(key: str, op: str, value: Any) -> Test:
    ex = {"$ex": {key: 1}}
    if op == "=":
        return AND([ex, {key: value}])
    return AND([ex, {COMPARISONS[op].durable: {key: value}}])



# ---------------------------------------------------------------------------- formulas


@dataclass(frozen=True)
class Branch:
    test: Test
    joins: frozenset[Join]


Formula = list[Branch]
TRUE: Formula = [Branch(True, frozenset())]
FALSE: Formula = []


def f_and(a: Formula, b: Formula) -> Formula:
    return _merge(product(a, b, _both))


def _both(x: Branch, y: Branch) -> Branch | None:
    joins = x.joins | y.joins
    if len({n for n, _ in joins}) != len(joins):
        return None  # needs a definition to be both true and false
    test = AND([x.test, y.test])
    return None if test is False else Branch(test, joins)


def f_or(a: Formula, b: Formula) -> Formula:
    return _merge(a + b)


def _merge(branches: list[Branch]) -> Formula:
    by_joins: dict[frozenset[Join], list[Test]] = {}
    for br in branches:
        by_joins.setdefault(br.joins, []).append(br.test)
    return [Branch(OR(tests), joins) for joins, tests in by_joins.items()
            if OR(tests) is not False]


@dataclass
class FactKind:
    """A kind of fact: the case, or the items of one list."""

    tag: str
    collection: Fn | None  # None for the case fact
    variable: str | None
    # expression text -> (key in the fact, how the host computes it, whether yes/no)
    slots: dict[str, tuple[str, Fn, bool]] = field(default_factory=dict)

    def slot(self, text: str, fn: Fn, is_bool: bool = False) -> str:
        found = self.slots.get(text)
        if found is None:
            found = (f"s{len(self.slots)}", fn, is_bool)
            self.slots[text] = found
        return found[0]

    def write(self, env: Env) -> dict[str, Any]:
        fact: dict[str, Any] = {"t": self.tag, "_f": 1}
        for key, fn, is_bool in self.slots.values():
            value = fn(env)
            if is_bool:
                fact[key] = bool(value)
            elif value is not None:
                fact[key] = fact_value(value)
        return fact


@dataclass(frozen=True)
class Action:
    kind: str  # def+ | def- | rule | element | sentinel
    target: str


def _unless_on_decisions(visit: _Visit) -> _Visit:
    """A visit that first sends a case-level condition on decisions to :meth:`Lowering.term`
    (which matches it on the fact of the last decision it reads)."""

    @functools.wraps(visit)
    def lowered(self: Lowering, e: Any, positive: bool, kind: FactKind, joins: bool) -> Formula:
        if kind is self.case and self.decisions_read(e):
            return self.term(e, kind, not positive)
        return visit(self, e, positive, kind, joins)

    return lowered


class Lowering(NormalForm[Branch]):
    """Lowers one epoch's program to a durable-rules ruleset definition."""

    limit = MAX_BRANCHES

    def __init__(self, rulebase: Rulebase, program: Program) -> None:
        self.rulebase = rulebase
        self.program = program
        self.compiler = Compiler(rulebase, program.epoch)
        self.case = FactKind("case", None, None)
        self.items: dict[str, FactKind] = {}
        self.rules: dict[str, Any] = {}
        self.actions: dict[str, Action] = {}
        self.defined: set[str] = set()
        self.area: str | None = None
        self.synthetic: dict[int, str] = {}  # quantifier node -> name of its derived fact
        # one kind of fact per decision that other areas use, in decision order
        order = [a.id for a in rulebase.decision_order]
        self.decision_rank = {a: i for i, a in enumerate(order)}
        self.decisions = {a: FactKind(f"x{i}", None, None)
                          for i, a in enumerate(a for a in order if a in program.used)}
        self.atoms: dict[str, str] = {}  # area|condition -> name of its derived fact
        self.reads_cache: dict[tuple[str | None, int], frozenset[str]] = {}

    # -------------------------------------------------------------- helpers
    def add_rule(self, patterns: list[dict[str, Any]], action: Action) -> None:
        name = f"r{len(self.rules)}"
        self.rules[name] = {"all": patterns}
        self.actions[name] = action

    def case_pattern(self, test: Test) -> dict[str, Any]:
        return {"m": AND([{"t": "case"}, test])}

    @staticmethod
    def join_patterns(joins: frozenset[Join]) -> list[dict[str, Any]]:
        return [{f"d{i}": {"$and": [{"t": "d"}, {"n": n}, {"v": v}]}}
                for i, (n, v) in enumerate(sorted(joins))]

    def item_kind(self, coll: ir.FieldRef, variable: str) -> FactKind:
        key = f"{coll.dotted}:{variable}"
        kind = self.items.get(key)
        if kind is None:
            kind = FactKind(f"e{len(self.items)}", self.compile_fn(coll), variable)
            self.items[key] = kind
        return kind

    def compile_fn(self, expr: ir.Expr) -> Fn:
        return self.compiler.compile(expr, self.area)

    # -------------------------------------------------------------- definitions
    def define(self, name: str, expr: ir.Expr) -> None:
        """Rules that assert {n: name, v: true|false} from a case-level condition."""
        if name in self.defined:
            return
        self.defined.add(name)
        for positive in (True, False):
            formula = self.lower(expr, self.case, negate=not positive, joins=True)
            for br in formula:
                self.add_rule([self.case_pattern(br.test)] + self.join_patterns(br.joins),
                              Action("def+" if positive else "def-", name))

    def definition_join(self, ref: ir.DefinitionRef) -> str:
        key = self.rulebase.definition_key(ref.name, self.area)
        definition = self.rulebase.definitions[key]
        saved = self.area
        self.area = definition.area
        try:
            self.define(key, definition.expr)
        finally:
            self.area = saved
        return key

    def quantifier_join(self, q: ir.Quantifier) -> str | None:
        """A case-level any/every/no over a case list, as a derived fact; None if it can't be."""
        coll = q.collection
        if not (isinstance(coll, ir.FieldRef) and coll.root == "case"
                and not any(coll.through_list) and q.condition is not None):
            return None
        name = self.synthetic.get(id(q))
        if name is not None:
            return name if name in self.defined else None
        name = self.synthetic[id(q)] = f"q{len(self.synthetic)}"
        kind = self.item_kind(coll, q.variable)
        body = self.lower(q.condition, kind, negate=q.kind == "every", joins=False)
        if len(body) != 1 or body[0].joins:
            return None
        test = AND([{"t": kind.tag}, body[0].test])
        self.defined.add(name)
        # an item matching the (possibly negated) body makes "any" true, "every"/"no" false
        true_when_some = q.kind == "any"
        exists = [{"m": {"t": "case"}}, {"e": test}]
        none = [{"m": {"t": "case"}}, {"e$not": test}]
        self.add_rule(exists, Action("def+" if true_when_some else "def-", name))
        self.add_rule(none, Action("def-" if true_when_some else "def+", name))
        return name

    # -------------------------------------------------------------- decisions
    def decisions_read(self, expr: ir.Expr) -> frozenset[str]:
        """The areas whose decisions ``expr`` reads, through definitions too."""
        key = (self.area, id(expr))
        found = self.reads_cache.get(key)
        if found is None:
            reads = self.rulebase.reads([(self.area, expr)]).decisions
            found = self.reads_cache[key] = frozenset(a for a, _ in reads)
        return found

    def decision_atom(self, expr: ir.Expr, areas: frozenset[str]) -> str:
        """A condition that reads decisions, as a derived fact asserted by rules matching
        the fact of the last of those decisions to be made (the host has made them all by
        the time that fact is written, so it can compute any part of the condition)."""
        key = f"{self.area}|{canonical(expr)}"
        name = self.atoms.get(key)
        if name is not None:
            return name
        name = self.atoms[key] = f"?{len(self.atoms)}"
        self.defined.add(name)
        kind = self.decisions[max(areas, key=self.decision_rank.__getitem__)]
        for positive in (True, False):
            for br in self.lower(expr, kind, negate=not positive, joins=False):
                self.add_rule([{"x": AND([{"t": kind.tag}, br.test])}],
                              Action("def+" if positive else "def-", name))
        return name

    # -------------------------------------------------------------- lowering
    def slot(self, expr: ir.Expr, kind: FactKind, is_bool: bool = False) -> str:
        text = f"{self.area}|{expr.source}|{id(expr)}" if is_bool else f"{self.area}|{_key(expr)}"
        return kind.slot(text, self.compile_fn(expr), is_bool)

    def term(self, expr: ir.Expr, kind: FactKind, negate: bool) -> Formula:
        """A yes/no value the host computes; durable tests it."""
        if kind is self.case:
            areas = self.decisions_read(expr)
            if areas:  # known only once those decisions are made: on their fact
                return [Branch(True, frozenset({(self.decision_atom(expr, areas), not negate)}))]
        key = self.slot(expr, kind, is_bool=True)
        return [Branch({key: not negate}, frozenset())]

    def constant(self, expr: ir.Expr) -> tuple[bool, Any]:
        if isinstance(expr, ir.Const):
            return True, expr.value
        if isinstance(expr, ir.SettingRef):
            return True, self.program.epoch.settings.get(expr.name)
        return False, None

    def is_slot(self, expr: ir.Expr, kind: FactKind) -> bool:
        """Whether a value can sit in a fact of ``kind`` as a plain value."""
        if expr.type.kind in ("list", "object", "duration"):
            return False
        if isinstance(expr, ir.FieldRef):
            if any(expr.through_list):
                return False
            return expr.root == "case" or expr.root == kind.variable
        return not self.constant(expr)[0] and not _mentions_other_variables(expr, kind)

    def lower(self, expr: ir.Expr, kind: FactKind, negate: bool, joins: bool) -> Formula:
        """The branches of ``expr`` (or of ``not expr``) over facts of ``kind``; ``joins``:
        whether a branch may join on derived facts (definitions, quantifiers)."""
        return self.visit(expr, not negate, kind, joins)

    # the normal form (language.normalform) calls these
    def always(self) -> Formula:
        return list(TRUE)

    def both(self, a: Formula, b: Formula) -> Formula:
        return f_and(a, b)

    def either(self, a: Formula, b: Formula) -> Formula:
        return f_or(a, b)

    def too_complex(self, e: ir.Expr, positive: bool, *args: Any) -> Formula:
        kind, _ = args
        return self.term(e, kind, not positive)

    def leaf(self, e: ir.Expr, positive: bool, *args: Any) -> Formula:
        kind, _ = args
        return self.term(e, kind, not positive)

    def visit_DefinitionRef(self, e: ir.DefinitionRef, positive: bool, kind: FactKind,
                            joins: bool) -> Formula:
        if e.type.kind != "bool":
            return self.leaf(e, positive, kind, joins)
        definition = self.rulebase.definitions[self.rulebase.definition_key(e.name, self.area)]
        if definition.variable is not None:  # about each item: inline it
            saved = self.area
            self.area = definition.area
            try:
                return self.visit(definition.expr, positive, kind, joins)
            finally:
                self.area = saved
        if joins:
            return [Branch(True, frozenset({(self.definition_join(e), positive)}))]
        return self.leaf(e, positive, kind, joins)

    @_unless_on_decisions
    def visit_Quantifier(self, e: ir.Quantifier, positive: bool, kind: FactKind,
                         joins: bool) -> Formula:
        if e.kind != "count" and joins:
            name = self.quantifier_join(e)
            if name is not None:
                return [Branch(True, frozenset({(name, positive)}))]
        return self.term(e, kind, not positive)

    @_unless_on_decisions
    def visit_Compare(self, e: ir.Compare, positive: bool, kind: FactKind,
                      joins: bool) -> Formula:
        return self.lower_compare(e, kind, not positive)

    @_unless_on_decisions
    def visit_Known(self, e: ir.Known, positive: bool, kind: FactKind, joins: bool) -> Formula:
        if not self.is_slot(e.operand, kind):
            return self.term(e, kind, not positive)
        key = self.slot(e.operand, kind)
        exists = e.negated != positive
        return [Branch({"$ex" if exists else "$nex": {key: 1}}, frozenset())]

    @_unless_on_decisions
    def visit_Membership(self, e: ir.Membership, positive: bool, kind: FactKind,
                         joins: bool) -> Formula:
        return self.lower_membership(e, kind, not positive)

    @_unless_on_decisions
    def visit_FieldRef(self, e: ir.Expr, positive: bool, kind: FactKind,
                       joins: bool) -> Formula:
        if not self.is_slot(e, kind):
            return self.term(e, kind, not positive)
        key = self.slot(e, kind)
        if not positive:
            return [Branch(OR([{key: False}, {"$nex": {key: 1}}]), frozenset())]
        return [Branch({key: True}, frozenset())]

    visit_DecisionRef = visit_FieldRef

    def lower_compare(self, e: ir.Compare, kind: FactKind, negate: bool) -> Formula:
        lconst, lval = self.constant(e.left)
        rconst, rval = self.constant(e.right)
        if lconst and rconst:
            holds = (lval is not None and rval is not None
                     and _py_compare(e.op, lval, rval))
            return TRUE if holds != negate else FALSE
        op, slot_expr, value = e.op, e.right, lval
        if rconst:
            slot_expr, value = e.left, rval
        elif lconst:
            op = FLIP[op]
        else:
            return self.term(e, kind, negate)
        if not self.is_slot(slot_expr, kind) or isinstance(value, Duration):
            return self.term(e, kind, negate)
        key = self.slot(slot_expr, kind)
        if value is None:
            return TRUE if negate else FALSE
        v = fact_value(value)
        if not negate:
            return [Branch(_compare(key, op, v), frozenset())]
        return [Branch(OR([{"$nex": {key: 1}}, _compare(key, NEGATION[op], v)]), frozenset())]

    def lower_membership(self, e: ir.Membership, kind: FactKind, negate: bool) -> Formula:
        listed = ir.constant_values(e.collection)
        if listed is not None:
            values = list(listed)
        elif isinstance(e.collection, ir.SettingRef):
            values = list(self.program.epoch.settings.get(e.collection.name) or ())
        else:
            return self.term(e, kind, negate)
        if not self.is_slot(e.item, kind):
            return self.term(e, kind, negate)
        key = self.slot(e.item, kind)
        values = [fact_value(v) for v in values]
        inside = OR([{key: v} for v in values])
        outside = AND([{"$ex": {key: 1}}] + [{"$neq": {key: v}} for v in values])
        # "x in L" and "x not in L" are both false when x is unknown
        positive = inside if not e.negated else outside
        if not negate:
            return [Branch(AND([{"$ex": {key: 1}}, positive]), frozenset())]
        return [Branch(OR([{"$nex": {key: 1}}, outside if not e.negated else inside]),
                       frozenset())]

    # -------------------------------------------------------------- whole program
    def build(self) -> None:
        epoch_rules = self.program.epoch.rule_keys
        for ap in self.program.areas:
            area = ap.area
            self.area = area.id
            gate: frozenset[Join] = frozenset()
            gate_name = f"@{area.id}"
            applies = area.applies_when or ir.Const(type=BOOL, loc=None, source="true",
                                                    value=True)
            self.define(gate_name, applies)
            gate = frozenset({(gate_name, True)})
            for rule in area.all_rules:
                if rule.key not in epoch_rules:
                    continue
                for br in self.lower(rule.when_in_force, self.case, negate=False,
                                     joins=True):
                    joins = br.joins | gate
                    if len({n for n, _ in joins}) != len(joins):
                        continue
                    self.add_rule([self.case_pattern(br.test)] + self.join_patterns(joins),
                                  Action("rule", rule.key))
            if area.ranking is not None:
                kind = self.item_kind(area.ranking.collection, area.ranking.variable)
                for c in area.ranking.checks + area.ranking.criteria:
                    for side, cond in (("prefer", c.prefer), ("over", c.over)):
                        for br in self.lower(cond, kind, negate=False, joins=True):
                            joins = br.joins | gate
                            if len({n for n, _ in joins}) != len(joins):
                                continue
                            patterns = ([{"m": {"t": "case"}},
                                         {"e": AND([{"t": kind.tag}, br.test])}]
                                        + self.join_patterns(joins))
                            self.add_rule(patterns, Action("element", f"{c.id}:{side}"))
        self.area = None
        self.rules["sentinel"] = {"all": [{"m": {"_f": 1}}], "pri": SENTINEL_PRIORITY}
        self.actions["sentinel"] = Action("sentinel", "")


def _py_compare(op: str, a: Any, b: Any) -> bool:
    return bool(COMPARE[op](a, b))


def _key(expr: ir.Expr) -> str:
    return canonical(expr)


def _mentions_other_variables(expr: ir.Expr, kind: FactKind) -> bool:
    return any(isinstance(n, ir.FieldRef) and n.root not in ("case", kind.variable)
               for n in ir.walk(expr))

