"""Counterfactuals: the smallest changes to the facts that would change a decision.

Candidates are computed from the compiled rules, never written by hand:

1. Every case field the rules of an area read (through definitions, quantifiers and the
   placement ranking) is collected from the IR, with what it is compared with: constants,
   settings, lists of allowed values, and computed values such as the start of compulsory
   school age or another date of the case (evaluated for this case, and shifted back
   through ``date + duration``).
2. For each such field in the case: a yes/no is flipped; an enumerated value takes each
   other value; a date or number takes each boundary it is compared with and the day (or
   unit) either side; an optional value is removed; a missing record (the Statement, the
   diagnosis) is added; an entry of a list is removed, or one is added (a copy of an
   existing entry, or a new one, with the values that matter set to boundary values).
   Facts the rulebase names as fixed (``fixed_facts``, e.g. the date of birth) never change.
3. Every candidate is applied to the case, validated like any case (an impossible case is
   dropped) and evaluated; one that changes an area's outcome (or its recommendation, or
   whether it applies at all) is a counterfactual. One change is preferred; pairs of the
   changes that moved a rule of the area are tried only if no single change works, within a
   fixed budget. The ones reported are evaluated once more on the backend of the decision.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from ..case import Case, parse_case
from ..dates import add_duration
from ..engine.decide import decide_area
from ..engine.native import Env, Matches, Program, match_native
from ..engine.result import Decision, Evaluation
from ..engine.service import compiled, evaluate_case
from ..errors import CaseError, EvaluationError
from ..language import ir
from ..language.printer import humanise
from ..language.syntax import Duration
from ..language.types import model_fields, strip_annotation
from ..rulebase import Area, Rule, Rulebase, short
from .values import path_words, say_json

MAX_SINGLES = 600  # single changes tried per decision
MAX_EVALUATIONS = 2500  # versions of one case evaluated in all (the search stops there)
MAX_PAIRS = 150  # pairs evaluated per decision when no single change works
MAX_PAIR_BASE = 20  # the most promising single changes combined into pairs
MAX_REPORTED = 6  # counterfactuals reported per decision
MAX_PAIRS_REPORTED = 3  # pairs reported per decision
MAX_GONE_REPORTED = 2  # changes reported that would take the area out of play
MAX_FLAG_REPORTED = 3  # changes reported per flag raised
MAX_VARIANTS = 30  # new entries or records tried per list or missing record
MAX_TEMPLATES = 2  # existing entries copied when trying an added entry

AbsPath = tuple[str, ...]  # "[]" marks a step into the items of a list
JsonPath = tuple[str | int, ...]


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Spec:
    """What a case field can hold."""

    kind: Literal["bool", "enum", "int", "float", "date", "str", "object", "list"]
    optional: bool
    required: bool
    choices: tuple[str, ...] = ()
    model: type[BaseModel] | None = None
    item: Spec | None = None


def _spec(annotation: Any, required: bool) -> Spec:
    ann, optional, _ = strip_annotation(annotation)
    origin = get_origin(ann)
    if origin is Literal:
        return Spec("enum", optional, required, tuple(str(v) for v in get_args(ann)))
    if origin is tuple:
        return Spec("list", optional, required, item=_spec(get_args(ann)[0], True))
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return Spec("object", optional, required, model=ann)
    kind = {bool: "bool", int: "int", float: "float", date: "date", str: "str"}.get(ann, "str")
    return Spec(kind, optional, required)  # type: ignore[arg-type]


@cache
def _fields(model: type[BaseModel]) -> dict[str, Spec]:
    return {name: _spec(annotation, info.is_required())
            for name, annotation, info in model_fields(model)}


def spec_at(path: AbsPath) -> Spec | None:
    spec = Spec("object", False, True, model=Case)
    for step in path:
        if step == "[]":
            if spec.kind != "list" or spec.item is None:
                return None
            spec = spec.item
            continue
        if spec.model is None:
            return None
        found = _fields(spec.model).get(step)
        if found is None:
            return None
        spec = found
    return spec


def synthesize(model: type[BaseModel], overrides: Mapping[str, Any],
               anchor: date) -> dict[str, Any]:
    """A minimal record of ``model``: required fields filled in, ``overrides`` applied."""
    out: dict[str, Any] = {}
    for name, spec in _fields(model).items():
        if name in overrides:
            out[name] = overrides[name]
        elif spec.required:
            out[name] = _default(spec, anchor)
    return out


def _default(spec: Spec, anchor: date) -> Any:
    if spec.kind == "object" and spec.model is not None:
        return synthesize(spec.model, {}, anchor)
    return {"bool": False, "int": 1, "float": 0.0, "date": anchor.isoformat(), "list": [],
            "str": "hypothetical", "enum": spec.choices[0] if spec.choices else ""}[spec.kind]


# ---------------------------------------------------------------------------- the IR


@dataclass(frozen=True)
class Comparand:
    """A field compared with something: the field's value that meets it is derived from
    the value of ``other`` (shifted back through ``field + duration``)."""

    path: AbsPath
    other: ir.Expr
    area: str | None
    shift: tuple[int, Duration] | None  # field + sign * duration is compared
    members: bool = False  # ``other`` is a list of allowed values


@dataclass
class Uses:
    """What an area's rules read from the case, and what they compare it with."""

    fields: dict[AbsPath, None] = field(default_factory=dict)
    comparands: list[Comparand] = field(default_factory=list)
    list_members: dict[AbsPath, set[Any]] = field(default_factory=dict)


class _Collector:
    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.uses = Uses()
        self.seen_defs: set[str] = set()
        self.seen_areas: set[str] = set()
        self.in_force: frozenset[str] = frozenset()

    def abs_path(self, e: ir.FieldRef, scope: Mapping[str, AbsPath | None]) -> AbsPath | None:
        if e.root == "case":
            base: AbsPath = ()
        else:
            found = scope.get(e.root)
            if found is None:
                return None
            base = found
        for name, over_list in zip(e.path, e.through_list, strict=True):
            base += (("[]", name) if over_list else (name,))
        return base

    def free(self, e: ir.Expr, area: str | None) -> bool:
        """Whether ``e`` can be evaluated outside any quantifier (reads no bound item)."""
        for n in ir.walk(e):
            if isinstance(n, ir.FieldRef) and n.root != "case":
                return False
            if isinstance(n, ir.Quantifier):
                return False  # keep it simple: a comparand is a plain value
            if isinstance(n, ir.DefinitionRef):
                d = self.rulebase.definitions.get(self.rulebase.definition_key(n.name, area))
                if d is None or d.variable is not None:
                    return False
        return True

    def targets(self, e: ir.Expr, area: str | None, scope: Mapping[str, AbsPath | None],
                depth: int = 0) -> list[tuple[AbsPath, tuple[int, Duration] | None]]:
        """The fields whose value ``e`` is (possibly shifted by a duration)."""
        if depth > 8:
            return []
        if isinstance(e, ir.FieldRef):
            p = self.abs_path(e, scope)
            return [(p, None)] if p is not None else []
        if isinstance(e, ir.Arith) and isinstance(e.right, ir.Const) and isinstance(
                e.right.value, Duration):
            sign = 1 if e.op == "+" else -1
            return [(p, (sign, e.right.value)) for p, s in self.targets(e.left, area, scope,
                                                                         depth + 1) if s is None]
        if isinstance(e, ir.DefinitionRef):
            key = self.rulebase.definition_key(e.name, area)
            d = self.rulebase.definitions[key]
            if d.variable is not None:
                return []
            return self.targets(d.expr, d.area, {}, depth + 1)
        if isinstance(e, ir.IfThenElse):
            return (self.targets(e.then, area, scope, depth + 1)
                    + self.targets(e.otherwise, area, scope, depth + 1))
        if isinstance(e, ir.Call) and e.function in ("earliest", "latest"):
            return [t for a in e.args for t in self.targets(a, area, scope, depth + 1)]
        return []

    def walk(self, e: ir.Expr, area: str | None, scope: Mapping[str, AbsPath | None]) -> None:
        if isinstance(e, ir.DecisionRef):  # a fact can change this through that decision
            self.walk_area(e.area)
            return
        if isinstance(e, ir.FieldRef):
            p = self.abs_path(e, scope)
            if p is not None:
                self.uses.fields.setdefault(p)
            return
        if isinstance(e, ir.DefinitionRef):
            key = self.rulebase.definition_key(e.name, area)
            if key in self.seen_defs:
                return
            self.seen_defs.add(key)
            d = self.rulebase.definitions[key]
            inner = {d.variable: scope.get(d.variable)} if d.variable else {}
            self.walk(d.expr, d.area, inner)
            return
        if isinstance(e, ir.Quantifier):
            self.walk(e.collection, area, scope)
            coll = (self.abs_path(e.collection, scope)
                    if isinstance(e.collection, ir.FieldRef) else None)
            if e.condition is not None:
                self.walk(e.condition, area, {**scope, e.variable: coll + ("[]",)
                                              if coll is not None else None})
            return
        if isinstance(e, ir.Compare):
            for side, other in ((e.left, e.right), (e.right, e.left)):
                if not self.free(other, area):
                    continue
                for p, shift in self.targets(side, area, scope):
                    self.uses.comparands.append(Comparand(p, other, area, shift))
        if isinstance(e, ir.Membership):
            members = e.collection
            if self.free(members, area):
                for p, shift in self.targets(e.item, area, scope):
                    if shift is None:
                        self.uses.comparands.append(Comparand(p, members, area, None, True))
            if isinstance(e.item, ir.Const) and isinstance(members, ir.FieldRef):
                list_path = self.abs_path(members, scope)
                if list_path is not None:
                    self.uses.list_members.setdefault(list_path, set()).add(e.item.value)
        for child in e.children():
            self.walk(child, area, scope)

    def walk_area(self, area_id: str) -> None:
        """What an area whose decision is read decides from: its applies_when, and the
        conditions and details of its rules (once)."""
        if area_id in self.seen_areas:
            return
        self.seen_areas.add(area_id)
        used = self.rulebase.area(area_id)
        if used is None:
            return
        if used.applies_when is not None:
            self.walk(used.applies_when, used.id, {})
        for rule in used.all_rules:
            if rule.key in self.in_force:
                self.walk(rule.condition, used.id, {})
                for e in rule.details.values():
                    self.walk(e, used.id, {})


def area_uses(rulebase: Rulebase, program: Program, area: Area) -> Uses:
    collector = _Collector(rulebase)
    in_force = program.epoch.rule_keys
    collector.in_force = in_force
    collector.seen_areas.add(area.id)
    if area.applies_when is not None:
        collector.walk(area.applies_when, area.id, {})
    for rule in area.all_rules:
        if rule.key in in_force:
            collector.walk(rule.when_in_force, area.id, {})
    if area.ranking is not None:
        r = area.ranking
        coll = collector.abs_path(r.collection, {})
        collector.walk(r.collection, area.id, {})
        scope = {r.variable: coll + ("[]",) if coll is not None else None}
        for c in r.checks + r.criteria:
            collector.walk(c.prefer, area.id, scope)
            collector.walk(c.over, area.id, scope)
    return collector.uses


# ---------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class Change:
    """One change to the facts of a case."""

    op: Literal["set", "remove", "add"]
    path: JsonPath  # the field (set), the record or entry (remove), the list (add)
    value: Any = None  # JSON value (set: the new value; add: the new entry or record)
    before: Any = None  # JSON value before the change
    shown: tuple[str, ...] = ()  # the fields of an added entry worth naming
    entry: bool = False  # add: an entry appended to a list (not a missing record)
    order: int = 0  # where the rules first read the field (earlier rules first)
    rank: int = 0  # 0 a value changed; 1 a value or entry removed; 2 an entry added
    distance: float = 0.0  # how far a date (days) or number moved

    @property
    def path_text(self) -> str:
        return path_text(self.path)

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        """A changed copy of JSON case data (containers on the path are copied, the rest
        is shared, so ``data`` itself is left as it was)."""
        root: Any = copy.copy(data)
        parent = root
        for step in self.path[:-1]:
            child = copy.copy(parent[step])
            parent[step] = child
            parent = child
        last = self.path[-1]
        if self.op == "add" and self.entry:
            parent[last] = [*parent[last], copy.deepcopy(self.value)]
        elif self.op == "remove" and isinstance(last, int):
            del parent[last]
        elif self.op == "remove":
            parent[last] = None
        else:
            parent[last] = copy.deepcopy(self.value)
        out: dict[str, Any] = root
        return out

    def words(self) -> str:
        where = path_words(self.path_text)
        if self.op == "set" and self.value is None:
            return f"{where} not recorded (instead of {say_json(self.before)})"
        if self.op == "set":
            return f"{where} {say_json(self.value)} instead of {say_json(self.before)}"
        if self.op == "remove":
            return f"no {where}"
        parts = "; ".join(f"{humanise(k)} {say_json(_get(self.value, k))}" for k in self.shown)
        detail = f" ({parts})" if parts else ""
        if self.entry:
            return f"an added {where} entry{detail}"
        return f"{where} recorded{detail}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "path": self.path_text}
        if self.op != "remove":
            d["value"] = self.value
        if self.entry:
            d["entry"] = True
        if self.before is not None or self.op == "set":
            d["before"] = self.before
        return d

    def key(self) -> tuple[Any, ...]:
        return (self.op, self.path, repr(self.value))


def _get(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def path_text(path: Sequence[str | int]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _is_fixed(abs_path: AbsPath, fixed: Iterable[str]) -> bool:
    dotted = ".".join(p for p in abs_path if p != "[]")
    return any(dotted == f or dotted.startswith(f + ".") for f in fixed)


def _shift(value: Any, shift: tuple[int, Duration] | None) -> Any:
    if shift is None or not isinstance(value, date):
        return value
    sign, dur = shift
    try:
        return add_duration(value, **{dur.unit: -sign * dur.amount})
    except (OverflowError, ValueError):
        return None


def _around(value: Any, kind: str) -> list[Any]:
    if kind == "date" and isinstance(value, date):
        out = []
        for days in (-1, 0, 1):
            try:
                out.append(value + timedelta(days=days))
            except OverflowError:
                continue
        return out
    if kind in ("int", "float") and isinstance(value, (int, float)) and not isinstance(
            value, bool):
        return [value - 1, value, value + 1]
    return [value]


class Candidates:
    """Every single change worth trying for a case, from what the rules read."""

    def __init__(self, rulebase: Rulebase, fns: Program, env: Env,
                 data: dict[str, Any], uses: Uses, as_of: date) -> None:
        self.rulebase = rulebase
        self.fns = fns
        self.env = env
        self.data = data
        self.uses = uses
        self.as_of = as_of
        self.values_cache: dict[AbsPath, list[Any]] = {}

    # ------------------------------------------------------------------ values to try
    def boundary_values(self, path: AbsPath, spec: Spec) -> list[Any]:
        """Values of a field that sit on the boundaries the rules compare it with."""
        cached = self.values_cache.get(path)
        if cached is not None:
            return cached
        out: list[Any] = []
        for c in self.uses.comparands:
            if c.path != path:
                continue
            try:
                self.env.steps = 0
                value = self.fns.function(c.other, c.area)(self.env)
            except EvaluationError:
                continue
            if value is None:
                continue
            values = list(value) if c.members and isinstance(value, (tuple, list, frozenset)) \
                else [value]
            for v in values:
                shifted = _shift(v, c.shift)
                if shifted is None:
                    continue
                out.extend(_around(shifted, spec.kind) if not c.members else [shifted])
        if spec.kind == "enum":
            out.extend(spec.choices)
        elif spec.kind == "bool":
            out.extend([True, False])
        found: list[Any] = []
        for v in out:
            j = _json_value(v, spec)
            if j is not _BAD and j not in found:
                found.append(j)
        self.values_cache[path] = found
        return found

    # ------------------------------------------------------------------ instances
    def instances(self, path: AbsPath) -> Iterator[tuple[JsonPath, Any, int]]:
        """Each place ``path`` occurs in the case: (JSON path, value, depth reached).

        A depth short of the whole path means a record on the way is missing."""
        def go(node: Any, at: JsonPath, i: int) -> Iterator[tuple[JsonPath, Any, int]]:
            if i == len(path):
                yield at, node, i
                return
            if node is None:
                yield at, None, i
                return
            step = path[i]
            if step == "[]":
                for k, item in enumerate(node or ()):
                    yield from go(item, at + (k,), i + 1)
                return
            yield from go(node.get(step) if isinstance(node, dict) else None, at + (step,), i + 1)

        yield from go(self.data, (), 0)

    # ------------------------------------------------------------------ generation
    def all(self) -> list[Change]:
        fixed = self.rulebase.fixed_facts
        seen: set[tuple[Any, ...]] = set()
        out: list[Change] = []

        def add(ch: Change) -> None:
            if ch.key() not in seen:
                seen.add(ch.key())
                out.append(ch)

        paths = list(self.uses.fields)
        # every prefix that is a record or a list may be added or removed
        prefixes: dict[AbsPath, None] = {}
        first_read: dict[AbsPath, int] = {}
        for i, p in enumerate(paths):
            for n in range(1, len(p) + 1):
                prefixes.setdefault(p[:n])
                first_read.setdefault(p[:n], i)
        for p in prefixes:
            if p[-1] == "[]" or _is_fixed(p, fixed):
                continue
            spec = spec_at(p)
            if spec is None:
                continue
            for at, value, depth in self.instances(p):
                if depth < len(p):
                    continue  # a record on the way is missing: it is added at its own prefix
                for ch in self.changes_at(p, spec, at, value):
                    add(replace(ch, order=first_read[p]))
        return out

    def changes_at(self, p: AbsPath, spec: Spec, at: JsonPath, value: Any) -> Iterator[Change]:
        if spec.kind == "object":
            if value is None:
                yield from self.new_records(p, spec, at)
            elif spec.optional:
                yield Change("remove", at, None, {"object": p[-1]}, rank=1)
            return
        if spec.kind == "list":
            assert spec.item is not None
            if spec.item.kind == "object":
                for k in range(len(value or ())):
                    yield Change("remove", at + (k,), None, None, rank=1)
                yield from self.new_entries(p, spec, at, value or [])
            else:
                members = self.uses.list_members.get(p, set())
                for m in sorted(members, key=repr):
                    if m not in (value or []):
                        yield Change("set", at, [*(value or []), m], value, rank=0)
                for k in range(len(value or [])):
                    yield Change("set", at, [v for i, v in enumerate(value) if i != k], value,
                                 rank=1)
            return
        for v in self.boundary_values(p, spec):
            if v != value:
                yield Change("set", at, v, value, rank=0, distance=_distance(value, v))
        if spec.optional and value is not None:
            yield Change("set", at, None, value, rank=1)

    def relevant_fields(self, p: AbsPath) -> list[tuple[str, Spec]]:
        """The fields of a record at ``p`` that the rules read (one level down)."""
        out: list[tuple[str, Spec]] = []
        for q in self.uses.fields:
            if len(q) == len(p) + 1 and q[:len(p)] == p:
                spec = spec_at(q)
                if spec is not None and spec.kind not in ("object", "list"):
                    out.append((q[-1], spec))
        return out

    def variants(self, p: AbsPath, base: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Overrides for a new record: each relevant field at each boundary, and pairs."""
        fields = self.relevant_fields(p)
        options: list[list[tuple[str, Any]]] = []
        for name, fspec in fields:
            values = [v for v in self.boundary_values(p + (name,), fspec) if v != base.get(name)]
            options.append([(name, v) for v in values])
        out: list[dict[str, Any]] = [{}]
        for opts in options:
            out.extend({n: v} for n, v in opts)
        for i, a in enumerate(options):
            for b in options[i + 1:]:
                out.extend({n1: v1, n2: v2} for n1, v1 in a for n2, v2 in b)
        return out[:MAX_VARIANTS]

    def new_records(self, p: AbsPath, spec: Spec, at: JsonPath) -> Iterator[Change]:
        assert spec.model is not None
        if not spec.optional:
            return
        shown = tuple(n for n, _ in self.relevant_fields(p))
        base = synthesize(spec.model, {}, self.as_of)
        for over in self.variants(p, base):
            record = synthesize(spec.model, over, self.as_of)
            yield Change("add", at, record, None, shown, rank=2)

    def new_entries(self, p: AbsPath, spec: Spec, at: JsonPath,
                    current: list[Any]) -> Iterator[Change]:
        item = spec.item
        assert item is not None and item.model is not None
        entry_path = p + ("[]",)
        shown = tuple(n for n, _ in self.relevant_fields(entry_path))
        base = synthesize(item.model, {}, self.as_of)
        for over in self.variants(entry_path, base):
            yield Change("add", at, synthesize(item.model, over, self.as_of), None, shown,
                         rank=2, entry=True)
        for template in current[:MAX_TEMPLATES]:
            for over in self.variants(entry_path, template)[1:]:
                if len(over) > 1:
                    continue
                yield Change("add", at, {**template, **over}, None, shown, rank=2, entry=True)


_BAD = object()


def _json_value(v: Any, spec: Spec) -> Any:
    if spec.kind == "date":
        return v.isoformat() if isinstance(v, date) else _BAD
    if spec.kind == "bool":
        return v if isinstance(v, bool) else _BAD
    if spec.kind == "int":
        return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and float(
            v).is_integer() else _BAD
    if spec.kind == "float":
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else _BAD
    if spec.kind == "enum":
        return v if isinstance(v, str) and v in spec.choices else _BAD
    if spec.kind == "str":
        return v if isinstance(v, str) else _BAD
    return _BAD


def _distance(before: Any, after: Any) -> float:
    try:
        if isinstance(before, str) and isinstance(after, str) and len(before) == 10:
            return float(abs((date.fromisoformat(after) - date.fromisoformat(before)).days))
    except ValueError:
        return 0.0
    if isinstance(before, (int, float)) and isinstance(after, (int, float)) and not isinstance(
            before, bool):
        return float(abs(after - before))
    return 0.0


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Outcome:
    """What an area decides, for comparing one version of a case with another."""

    applies: bool
    outcome: str | None
    label: str | None
    recommended: tuple[str, ...]
    flags: frozenset[str]

    @property
    def signature(self) -> tuple[Any, ...]:
        return (self.applies, self.outcome, self.recommended)


def outcome_of(evaluation: Evaluation, topic: str) -> Outcome:
    d = evaluation.decision(topic)
    if d is None:
        return Outcome(False, None, None, (), frozenset())
    return _outcome(d)


def _outcome(d: Decision) -> Outcome:
    rec = d.details.get("recommended")
    return Outcome(True, d.outcome, d.outcome_label,
                   tuple(str(x) for x in rec) if isinstance(rec, (tuple, list)) else (),
                   frozenset(f.code for f in d.flags))


@dataclass(frozen=True)
class Counterfactual:
    """Changes to the facts and what they would do to one decision, verified."""

    topic: str
    title: str
    kind: Literal["outcome", "flag"]
    changes: tuple[Change, ...]
    before: Outcome
    after: Outcome
    backend: str  # the backend that verified it
    flag: str | None = None  # for kind "flag": the flag this change clears

    @property
    def text(self) -> str:
        what = " and ".join(c.words() for c in self.changes)
        return f"With {what}, {self.effect_words()}."

    def __repr__(self) -> str:
        return f"Counterfactual({short(self.text, 160)})"

    def effect_words(self) -> str:
        b, a = self.before, self.after
        parts = []
        if not a.applies:
            parts.append(f"there would be no decision on {self.title} (the area would not "
                         "apply)")
        elif not b.applies:
            parts.append(f"{self.title} would apply, with “{a.label}”")
        elif a.outcome != b.outcome:
            parts.append(f"{self.title} would be “{a.label}” instead of “{b.label}”")
        elif a.recommended != b.recommended:
            parts.append(f"{self.title} would recommend {', '.join(a.recommended) or 'nothing'}"
                         f" instead of {', '.join(b.recommended) or 'nothing'}")
        if a.applies:
            for code in sorted(b.flags - a.flags):
                parts.append(f"the flag “{code}” would not be raised")
            for code in sorted(a.flags - b.flags):
                parts.append(f"the flag “{code}” would be raised")
        if not parts:
            parts.append(f"{self.title} would be unchanged")
        return ", and ".join(parts) if len(parts) <= 2 else (
            ", ".join(parts[:-1]) + ", and " + parts[-1])

    def to_dict(self) -> dict[str, Any]:
        def side(o: Outcome) -> dict[str, Any]:
            return {"applies": o.applies, "outcome": o.outcome, "recommended": list(
                o.recommended), "flags": sorted(o.flags)}

        return {"topic": self.topic, "kind": self.kind,
                **({"flag": self.flag} if self.flag else {}),
                "changes": [c.to_dict() for c in self.changes],
                "before": side(self.before), "after": side(self.after),
                "verified_with": self.backend, "text": self.text}


@dataclass(frozen=True)
class SearchSummary:
    """How much was searched for one decision (stated next to the results)."""

    topic: str
    singles: int
    pairs: int
    found: int
    complete: bool = True  # False: the search stopped at its budget (MAX_EVALUATIONS)


# ---------------------------------------------------------------------------- search


class _Tried:
    """A version of the case with some changes, matched once; decided per area on demand."""

    def __init__(self, search: _Search, changes: tuple[Change, ...], case: Case | None,
                 matches: Matches | None, env: Env | None = None) -> None:
        self.search = search
        self.changes = changes
        self.case = case
        self.matches = matches
        self.env = env  # holds the decisions that other areas use, made while matching
        self.outcomes: dict[str, Outcome | None] = {}

    @property
    def valid(self) -> bool:
        return self.matches is not None

    def outcome(self, topic: str) -> Outcome | None:
        """The decision of one area for this version (None: no complete answer)."""
        if topic in self.outcomes:
            return self.outcomes[topic]
        found: Outcome | None = None
        if self.case is not None and self.matches is not None:
            if topic not in self.matches.areas:
                found = Outcome(False, None, None, (), frozenset())
            else:
                s = self.search
                try:
                    env = Env(self.case, s.as_of)
                    if self.env is not None:
                        env.decisions = self.env.decisions
                    decision = decide_area(s.program, s.area_programs[topic], env,
                                           self.matches)
                    found = _outcome(decision)
                except EvaluationError:
                    found = None
        self.outcomes[topic] = found
        return found


class _Search:
    def __init__(self, rulebase: Rulebase, case: Case, as_of: date) -> None:
        self.rulebase = rulebase
        self.as_of = as_of
        self.case = case
        self.data = case.model_dump(mode="json")
        self.epoch = rulebase.epoch(as_of)
        self.program = compiled(rulebase).program(self.epoch)
        self.area_programs = {ap.area.id: ap for ap in self.program.areas}
        self.cache: dict[tuple[Any, ...], _Tried] = {}
        self.evaluations = 0
        self.exhausted = False

    def case_with(self, changes: Sequence[Change]) -> dict[str, Any] | None:
        data = self.data
        try:
            for ch in changes:
                data = ch.apply(data)
        except (KeyError, IndexError, TypeError):
            return None
        return data

    def evaluate(self, changes: tuple[Change, ...]) -> _Tried:
        key = tuple(sorted(c.key() for c in changes))
        found = self.cache.get(key)
        if found is not None:
            return found
        tried = _Tried(self, changes, None, None)
        if self.evaluations >= MAX_EVALUATIONS:
            self.exhausted = True
            return tried  # not cached: it was not tried
        data = self.case_with(changes)
        if data is not None:
            self.evaluations += 1
            try:
                if _dated_after(changes, self.as_of):
                    raise CaseError([("", "a changed date is after the evaluation date")])
                case = parse_case(data)  # every other date was checked with the case
                env = Env(case, self.as_of)
                tried = _Tried(self, changes, case, match_native(self.program, env), env)
            except (CaseError, EvaluationError):
                pass
        self.cache[key] = tried
        return tried


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _dated_after(changes: Sequence[Change], as_of: date) -> bool:
    """Whether a change brings in a date after the evaluation date (a case states what is
    known on that date; the other dates of the case were checked when it was read)."""
    limit = as_of.isoformat()

    def late(value: Any) -> bool:
        if isinstance(value, str):
            return bool(_ISO.match(value)) and value > limit
        if isinstance(value, dict):
            return any(late(v) for v in value.values())
        if isinstance(value, list):
            return any(late(v) for v in value)
        return False

    return any(late(c.value) for c in changes)


def _score(changes: Sequence[Change]) -> tuple[Any, ...]:
    return (len(changes), sum(c.rank for c in changes), sorted(c.order for c in changes),
            sum(c.distance for c in changes), [c.path_text for c in changes],
            [repr(c.value) for c in changes])


def _overlap(a: Change, b: Change) -> bool:
    n = min(len(a.path), len(b.path))
    return a.path[:n] == b.path[:n]


def _best(found: list[_Tried], topic: str, limit: int) -> list[_Tried]:
    """The smallest changes, one per field and result (the closest boundary)."""
    found = sorted(found, key=lambda t: _score(t.changes))
    seen: set[tuple[Any, ...]] = set()
    out = []
    for t in found:
        after = t.outcome(topic)
        assert after is not None
        key = (tuple(c.path for c in t.changes), tuple(c.op for c in t.changes),
               after.signature)
        if key in seen:
            continue
        seen.add(key)
        out.append(t)
        if len(out) >= limit:
            break
    return out


def find_counterfactuals(rulebase: Rulebase, case: Case, as_of: date, evaluation: Evaluation,
                         backend: str) -> tuple[list[Counterfactual], list[SearchSummary]]:
    """Counterfactuals for every decision of ``evaluation`` (see the module docstring)."""
    search = _Search(rulebase, case, as_of)
    fns = compiled(rulebase).program(search.epoch)
    env = Env(case, as_of)
    results: list[Counterfactual] = []
    summaries: list[SearchSummary] = []
    for decision in evaluation.decisions:
        topic = decision.topic
        area = search.area_programs[topic].area
        uses = area_uses(rulebase, search.program, area)
        singles = Candidates(rulebase, fns, env, search.data, uses, as_of).all()[:MAX_SINGLES]
        before = _outcome(decision)
        valid = [t for t in (search.evaluate((ch,)) for ch in singles)
                 if t.outcome(topic) is not None]
        changers = [t for t in valid if _sig(t, topic) != before.signature]
        # another outcome (or recommendation) first; "the area would not apply" after it
        real = [t for t in changers if _applies(t, topic)]
        gone = [t for t in changers if not _applies(t, topic)]
        chosen = [(t, "outcome") for t in _best(real, topic, MAX_REPORTED)]
        pairs_tried = 0
        if not real:
            pairs, pairs_tried = _pairs(search, area, topic, before, valid)
            chosen += [(t, "outcome") for t in _best(pairs, topic, MAX_PAIRS_REPORTED)]
        chosen += [(t, "outcome") for t in _best(gone, topic, MAX_GONE_REPORTED)]
        listed = {tuple(c.key() for c in t.changes) for t, _ in chosen}
        for code in sorted(before.flags):
            clearing = [t for t in valid if code not in _flags(t, topic)
                        and tuple(c.key() for c in t.changes) not in listed]
            # changes that leave the outcome as it is come first
            same = [t for t in clearing if _sig(t, topic) == before.signature]
            picked = _best(same, topic, MAX_FLAG_REPORTED) or _best(clearing, topic,
                                                                    MAX_FLAG_REPORTED)
            chosen.extend((t, f"flag:{code}") for t in picked)
            listed |= {tuple(c.key() for c in t.changes) for t in picked}
        for t, kind in chosen:
            after = _verify(search, t, topic, backend)
            flag = kind.partition(":")[2] or None
            results.append(Counterfactual(topic, decision.title,
                                          "flag" if flag else "outcome",
                                          t.changes, before, after, backend, flag))
        summaries.append(SearchSummary(topic, len(singles), pairs_tried, len(chosen),
                                       not search.exhausted))
    for na in evaluation.not_applicable:
        if na.because:  # kept out by another decision: what would bring it back in play
            results.extend(_bring_back(search, fns, env, na.topic, na.title, backend))
    return results, summaries


def _bring_back(search: _Search, fns: Program, env: Env, topic: str, title: str,
                backend: str) -> list[Counterfactual]:
    """Single changes that would make an area apply that does not (through the decisions
    its condition reads as well as the facts it reads itself)."""
    area = search.area_programs[topic].area
    uses = area_uses(search.rulebase, search.program, area)
    singles = Candidates(search.rulebase, fns, env, search.data, uses,
                         search.as_of).all()[:MAX_SINGLES]
    before = Outcome(False, None, None, (), frozenset())
    valid = [t for t in (search.evaluate((ch,)) for ch in singles)
             if t.outcome(topic) is not None]
    back = sorted((t for t in valid if _applies(t, topic)), key=lambda t: _score(t.changes))
    chosen: dict[tuple[Any, ...], _Tried] = {}
    for t in back:  # per field: the closest other value, and removing it
        key = tuple((c.path, c.op, c.value is None) for c in t.changes)
        chosen.setdefault(key, t)
    return [Counterfactual(topic, title, "outcome", t.changes, before,
                           _verify(search, t, topic, backend), backend)
            for t in list(chosen.values())[:MAX_REPORTED]]


def _sig(t: _Tried, topic: str) -> tuple[Any, ...]:
    found = t.outcome(topic)
    return found.signature if found is not None else ()


def _applies(t: _Tried, topic: str) -> bool:
    found = t.outcome(topic)
    return found is not None and found.applies


def _flags(t: _Tried, topic: str) -> frozenset[str]:
    found = t.outcome(topic)
    return found.flags if found is not None else frozenset()


def _pairs(search: _Search, area: Area, topic: str, before: Outcome,
           valid: list[_Tried]) -> tuple[list[_Tried], int]:
    """Pairs of promising single changes, within a budget.

    A single change is promising when it moves a rule of the area (it fires where it did
    not, or the other way round) or brings a rule with another outcome closer to firing
    (more of its ``and``-ed conditions hold)."""
    in_force = search.program.epoch.rule_keys
    rule_keys = {r.key for r in area.rules} | ({area.otherwise.key} if area.otherwise else set())
    base_matches = match_native(search.program, Env(search.case, search.as_of))
    base_rules = base_matches.rules & rule_keys
    others = [r for r in area.rules if r.key in in_force and r.effect == "outcome"
              and r.value != before.outcome]
    fns = compiled(search.rulebase).program(search.epoch)

    def parts_met(rule: Rule, case: Case) -> int:
        cond = rule.when_in_force
        parts = cond.items if isinstance(cond, ir.BoolOp) and cond.op == "and" else (cond,)
        env = Env(case, search.as_of)
        met = 0
        for part in parts:
            try:
                met += bool(fns.function(part, area.id)(env))
            except EvaluationError:
                continue
        return met

    base_met = {r.key: parts_met(r, search.case) for r in others}

    def promising(t: _Tried) -> bool:
        if t.matches is None or t.case is None:
            return False
        if (t.matches.rules & rule_keys) != base_rules:
            return True
        return any(parts_met(r, t.case) > base_met[r.key] for r in others)

    moving = sorted((t for t in valid if promising(t)), key=lambda t: _score(t.changes))
    moving = moving[:MAX_PAIR_BASE]
    found: list[_Tried] = []
    count = 0
    for i, a in enumerate(moving):
        for b in moving[i + 1:]:
            if count >= MAX_PAIRS:
                return found, count
            if _overlap(a.changes[0], b.changes[0]):
                continue
            count += 1
            t = search.evaluate((a.changes[0], b.changes[0]))
            if _applies(t, topic) and _sig(t, topic) != before.signature:
                found.append(t)
    return found, count


def _verify(search: _Search, t: _Tried, topic: str, backend: str) -> Outcome:
    """Evaluate the changed case once more, on the backend of the decision."""
    data = search.case_with(t.changes)
    again = evaluate_case(search.rulebase, data or {}, search.as_of, backend)
    claimed, verified = t.outcome(topic), outcome_of(again, topic)
    if claimed != verified:
        raise EvaluationError(
            f"the {backend} backend does not confirm a counterfactual for {topic!r} "
            f"({' and '.join(c.path_text for c in t.changes)}); this is a defect of "
            "sen-rules, please report it", code="SR307")
    return verified
