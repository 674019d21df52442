"""The durable-rules backend: the same compiled rules, matched by a Rete network.

The IR of each epoch is lowered to a durable-rules ruleset (JSON, never the decorator DSL):

* The case becomes one fact (``t: "case"``) and each item of a list the rules quantify over
  or rank becomes a fact of its own (``t: "e0"`` and so on, with ``_i`` its position). A
  value durable-rules cannot compute (a date function, arithmetic, a comparison of two
  fields) is computed by the host with the native closures and stored in the fact.
* Each yes/no definition becomes a pair of rules that assert a derived fact
  ``{t: "d", n: NAME, v: true|false}``; rules that use the definition join on it. This is
  forward chaining, and it is monotonic: a derived fact is asserted once, never retracted.
* ``any``/``every``/``no`` over a list become derived facts too, matched against the item
  facts (``$not`` patterns for "no item").
* Area applicability is a derived fact that gates every rule of the area.
* The decision of an area that other areas use (``decisions.AREA.FIELD``) is made by the
  host (``engine.decide``) as soon as the network is quiet and the decisions it uses are
  made, and asserted as a decision fact ``{t: "x0", a: AREA, ...}``: whether it applies,
  its outcome and details, and the values the host computes from them. Each condition of a
  later area that reads a decision becomes a pair of rules matching that fact and
  asserting a derived fact (true or false), which the later area's rules join on: the
  chain from one decision to the next is forward chaining in the same session.

Guards against the faults of durable-rules 2.0.28 (docs/backends.md lists them):

1. A sentinel rule of the lowest priority matches every fact, so no fact is ever
   "not handled" (which made ``delete_state`` segfault).
2. Every pattern tests a positive type tag, so no rule is negative-only (which looped).
3. One session per evaluation, deleted in ``finally``, under a per-ruleset lock: never
   more than one live session (the C core allows 1,024).
4. No ``Host``: the C API is driven directly from the calling thread, so no timer thread
   ever dispatches actions concurrently.
5. Our own code runs the actions; any exception is re-raised after the session is deleted.
6. Facts are JSON with dates as ordinals and unknown values as *missing keys* (never
   ``null``), and every comparison carries an explicit ``$ex`` guard, because ``$neq`` and
   cross-field tests treat missing values loosely.
7. Negation (``$not``) does not retract activations made earlier in the same session
   (measured here), so item facts are asserted before the case fact in one batch and
   ``$not`` is only ever used on item facts, never on derived facts.
8. Each ruleset gets a unique name and is deleted when its program is garbage collected.
9. durable-rules' JSON parser reads ``1e-09`` as ``1`` and silently drops what follows, so
   numbers are written in plain decimal notation, and the sentinel counts the facts it saw:
   any fact not taken in stops the evaluation with an error instead of a partial answer.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import weakref
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..errors import BackendUnavailableError, EvaluationError
from ..language import ir
from ..language.printer import canonical
from ..language.syntax import Duration
from ..language.types import BOOL
from ..rulebase import Rulebase
from .decide import record_decision
from .native import _COMPARE, Compiler, Env, Fn, Matches, Program

try:  # durable-rules is an optional extra
    import durable_rules_engine as _engine
except ImportError:  # pragma: no cover - exercised where the extra is missing
    _engine = None

SENTINEL_PRIORITY = 65535
MAX_BRANCHES = 64
_names = itertools.count(1)

Test = Any  # a durable-rules condition over one fact (JSON-like); True means "no test"
Join = tuple[str, bool]


def available() -> bool:
    return _engine is not None


def require() -> Any:
    if _engine is None:
        raise BackendUnavailableError(
            "the durable backend needs durable-rules: pip install 'sen-rules[durable]' "
            "(it builds on Python 3.11 and 3.12, not on 3.13 or later)")
    return _engine


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


_OPS = {"=": None, "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_INVERSE = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _compare(key: str, op: str, value: Any) -> Test:
    ex = {"$ex": {key: 1}}
    if op == "=":
        return AND([ex, {key: value}])
    return AND([ex, {_OPS[op]: {key: value}}])


def to_json(value: Any) -> str:
    """JSON for durable-rules' own parser, which reads ``1e-09`` as 1 followed by junk.

    Numbers with an exponent are written out in full decimal notation (the shortest text
    that reads back as the same double), everything else as the standard library writes it.
    """
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + to_json(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, float) and not isinstance(value, bool):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
        return text
    return json.dumps(value)


def fact_value(v: Any) -> Any:
    """How a value is written into a fact: dates as ordinals, nothing for unknown."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, date):
        return v.toordinal()
    if isinstance(v, (int, float, str)):
        return v
    raise TypeError(f"cannot put {type(v).__name__} in a fact")


# ---------------------------------------------------------------------------- formulas


@dataclass(frozen=True)
class Branch:
    test: Test
    joins: frozenset[Join]


Formula = list[Branch]
TRUE: Formula = [Branch(True, frozenset())]
FALSE: Formula = []


def f_and(a: Formula, b: Formula) -> Formula:
    out: list[Branch] = []
    for x in a:
        for y in b:
            joins = x.joins | y.joins
            names = [n for n, _ in joins]
            if len(names) != len(set(names)):
                continue  # needs a definition to be both true and false
            test = AND([x.test, y.test])
            if test is not False:
                out.append(Branch(test, joins))
    return _merge(out)


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


class Lowering:
    """Lowers one epoch's program to a durable-rules ruleset definition."""

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
        if isinstance(expr, ir.Not):
            return self.lower(expr.operand, kind, not negate, joins)
        if isinstance(expr, ir.BoolOp):
            parts = [self.lower(i, kind, negate, joins) for i in expr.items]
            conj = (expr.op == "and") != negate
            result = parts[0]
            for p in parts[1:]:
                result = f_and(result, p) if conj else f_or(result, p)
                if len(result) > MAX_BRANCHES:
                    return self.term(expr, kind, negate)
            return result
        if isinstance(expr, ir.Const):
            return TRUE if bool(expr.value) != negate else FALSE
        if isinstance(expr, ir.DefinitionRef) and expr.type.kind == "bool":
            key = self.rulebase.definition_key(expr.name, self.area)
            definition = self.rulebase.definitions[key]
            if definition.variable is not None:  # about each item: inline it
                saved = self.area
                self.area = definition.area
                try:
                    return self.lower(definition.expr, kind, negate, joins)
                finally:
                    self.area = saved
            if joins:
                return [Branch(True, frozenset({(self.definition_join(expr), not negate)}))]
            return self.term(expr, kind, negate)
        if kind is self.case and self.decisions_read(expr):
            return self.term(expr, kind, negate)  # a condition on decisions (see term)
        if isinstance(expr, ir.Quantifier) and expr.kind != "count" and joins:
            name = self.quantifier_join(expr)
            if name is not None:
                return [Branch(True, frozenset({(name, not negate)}))]
            return self.term(expr, kind, negate)
        if isinstance(expr, ir.Compare):
            return self.lower_compare(expr, kind, negate)
        if isinstance(expr, ir.Known) and self.is_slot(expr.operand, kind):
            key = self.slot(expr.operand, kind)
            exists = expr.negated == negate
            return [Branch({"$ex" if exists else "$nex": {key: 1}}, frozenset())]
        if isinstance(expr, ir.Membership):
            return self.lower_membership(expr, kind, negate)
        if isinstance(expr, (ir.FieldRef, ir.DecisionRef)) and self.is_slot(expr, kind):
            key = self.slot(expr, kind)
            if negate:
                return [Branch(OR([{key: False}, {"$nex": {key: 1}}]), frozenset())]
            return [Branch({key: True}, frozenset())]
        return self.term(expr, kind, negate)

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
            op = _FLIP[op]
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
        return [Branch(OR([{"$nex": {key: 1}}, _compare(key, _INVERSE[op], v)]), frozenset())]

    def lower_membership(self, e: ir.Membership, kind: FactKind, negate: bool) -> Formula:
        if isinstance(e.collection, ir.ListOf) and all(isinstance(i, ir.Const)
                                                       for i in e.collection.items):
            values = [i.value for i in e.collection.items]  # type: ignore[attr-defined]
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
    return bool(_COMPARE[op](a, b))


def _key(expr: ir.Expr) -> str:
    return canonical(expr)


def _mentions_other_variables(expr: ir.Expr, kind: FactKind) -> bool:
    return any(isinstance(n, ir.FieldRef) and n.root not in ("case", kind.variable)
               for n in ir.walk(expr))


# ---------------------------------------------------------------------------- running


class DurableProgram:
    """A registered durable-rules ruleset for one epoch, safe to share between threads."""

    def __init__(self, rulebase: Rulebase, program: Program) -> None:
        engine = require()
        lowering = Lowering(rulebase, program)
        lowering.build()
        self.program = program
        self.case_kind = lowering.case
        self.item_kinds = list(lowering.items.values())
        self.decision_kinds = lowering.decisions
        self.actions = lowering.actions
        self.definition = lowering.rules
        # the JSON of each derived fact, up to its session id (filled in per evaluation)
        self.derived_json = {
            (a.target, value): to_json({"t": "d", "_f": 1, "n": a.target, "v": value})[:-1]
            + ',"sid":"'
            for a in self.actions.values() if a.kind in ("def+", "def-")
            for value in (True, False)}
        self.name = f"sen_rules_{rulebase.sha256[:12]}_{program.epoch.start.isoformat()}_" \
                    f"{next(_names)}"
        try:
            self.handle = engine.create_ruleset(self.name, to_json(lowering.rules))
        except Exception as exc:
            raise EvaluationError(f"durable-rules could not compile the rulebase: {exc}",
                                  code="SR401") from None
        self.lock = threading.Lock()
        self.sessions = itertools.count(1)
        weakref.finalize(self, _delete_ruleset, self.handle)

    def facts(self, env: Env) -> list[dict[str, Any]]:
        facts: list[dict[str, Any]] = []
        for kind in self.item_kinds:
            assert kind.collection is not None and kind.variable is not None
            items = kind.collection(env) or ()
            bound = env.vars
            for index, item in enumerate(items):
                bound[kind.variable] = item
                fact = kind.write(env)
                fact["_i"] = index
                facts.append(fact)
            bound.pop(kind.variable, None)
        facts.append(self.case_kind.write(env))  # last: see guard 7
        return facts

    def match(self, env: Env) -> Matches:
        engine = require()
        facts = self.facts(env)
        areas: set[str] = set()
        rules: set[str] = set()
        elements: set[tuple[str, int]] = set()
        asserted: set[tuple[str, bool]] = set()
        undecided = [ap for ap in self.program.order if ap.area.id in self.decision_kinds]
        with self.lock:
            sid = str(next(self.sessions))
            for fact in facts:
                fact["sid"] = sid
            try:
                batch = _encode(facts)
                expected, seen = len(facts), 0
                # Forward chaining in rounds: derived facts found by one round of actions
                # are asserted together, which fires the next round. The result does not
                # depend on the order (derived facts are only ever added).
                while batch:
                    result = engine.assert_facts(self.handle, batch)
                    if result[0] not in (0, 2):
                        raise EvaluationError("durable-rules refused the facts "
                                              f"(code {result[0]})", code="SR402")
                    offset = result[1]
                    pending: list[str] = []
                    started = engine.start_action_for_state(self.handle, offset)
                    message = started[1] if started else None
                    while message:
                        name = message[2:message.index('"', 2)]
                        action = self.actions[name]
                        kind = action.kind
                        if kind == "def+" or kind == "def-":
                            value = kind == "def+"
                            key = (action.target, value)
                            if key not in asserted:
                                if (action.target, not value) in asserted:
                                    raise EvaluationError(
                                        f"derived fact {action.target!r} came out both true "
                                        "and false", code="SR404")
                                asserted.add(key)
                                if value and action.target.startswith("@"):
                                    areas.add(action.target[1:])
                                pending.append(self.derived_json[key] + sid + '"}')
                        elif kind == "rule":
                            rules.add(action.target)
                        elif kind == "element":
                            item = json.loads(message)[name]["e"]
                            elements.add((action.target, int(item["_i"])))
                        else:
                            seen += 1  # the sentinel sees every fact exactly once
                        message = engine.complete_and_start_action(self.handle, offset)
                    expected += len(pending)
                    batch = "[" + ",".join(pending) + "]" if pending else ""
                    if not batch and undecided:
                        # quiet: every area whose used decisions are made is fully matched
                        made = self.decide_ready(env, undecided, sid, areas, rules, elements)
                        expected += len(made)
                        batch = _encode(made) if made else ""
                if seen != expected:  # guard 9: never a silent, partial answer
                    raise EvaluationError(f"durable-rules took in {seen} of {expected} facts; "
                                          "the evaluation was stopped", code="SR405")
            finally:
                engine.delete_state(self.handle, sid)
        return Matches(frozenset(areas), frozenset(rules), frozenset(elements))

    def decide_ready(self, env: Env, undecided: list[Any], sid: str, areas: set[str],
                     rules: set[str], elements: set[tuple[str, int]]) -> list[dict[str, Any]]:
        """Decide each used area whose own used decisions are made, and write their facts."""
        done = set(env.decisions)
        ready = [ap for ap in undecided if all(u in done for u in ap.area.uses)]
        if not ready:
            raise EvaluationError("durable-rules stopped before every decision that other "
                                  "areas use was made", code="SR406")
        matches = Matches(frozenset(areas), frozenset(rules), frozenset(elements))
        facts = []
        for ap in ready:
            undecided.remove(ap)
            record_decision(self.program, ap, env, matches)
            fact = self.decision_kinds[ap.area.id].write(env)
            fact["a"] = ap.area.id
            fact["sid"] = sid
            facts.append(fact)
        return facts


def _encode(facts: list[dict[str, Any]]) -> str:
    """Facts as JSON; the standard encoder is much faster and only wrong for exponents."""
    plain = not any(type(v) is float and "e" in repr(v) for fact in facts for v in fact.values())
    return json.dumps(facts, separators=(",", ":")) if plain else to_json(facts)


def _delete_ruleset(handle: int) -> None:
    if _engine is not None:
        with contextlib.suppress(Exception):
            _engine.delete_ruleset(handle)

