"""Searching for a concrete case: one that makes a rule fire, or two rules fire together.

The search is guided by the rules themselves. It reads the IR of a policy area (conditions,
definitions written out, ranking criteria) for the case fields it mentions and the
constants, settings and durations it compares them with, and builds small valid cases
from those values (a funding level compared with a setting of 3 is tried at 2, 3 and 4; a
date compared with "as_of - 12 months" is tried on that day and the days either side).
Dates that the rules compute from the date of birth (the start of compulsory school age,
the 19th birthday) are computed for each candidate child and tried too. A partial model
from :mod:`.logic` (values that satisfy one alternative of the condition) seeds the
fields it names.

Every candidate is validated as a case and evaluated with the native backend: a witness
is a case the engine itself says fires the rules, never a guess. The search is seeded,
so the same rulebase gives the same witnesses (and the same lint output) every time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from ..case import Case, check_against_date, parse_case
from ..case_description import FieldSpec, fields_of
from ..dates import add_duration
from ..engine.native import Env, Matches, match_native
from ..engine.service import compiled
from ..errors import SenRulesError
from ..language import ir
from ..language.syntax import Duration
from ..rulebase import Area, Epoch, InForce, Rulebase
from .logic import Check

Path = tuple[str, ...]
PREFERRED = (date(2002, 1, 1), date(2014, 12, 31))  # the policy's years, and a few more
CASE_RANGE = (date(1900, 1, 1), date(2199, 12, 31))


@dataclass
class Witness:
    case: dict[str, Any]
    as_of: date
    matches: Matches

    def describe(self) -> str:
        return f"on {self.as_of.isoformat()}: {json.dumps(self.case, ensure_ascii=False)}"


@dataclass
class _Facts:
    """What the rules of an area mention, gathered once."""

    paths: set[Path] = field(default_factory=set)  # every mentioned case path and prefix
    values: dict[Path, list[Any]] = field(default_factory=dict)  # constants per path
    strings: set[str] = field(default_factory=set)
    numbers: set[float] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    durations: set[Duration] = field(default_factory=set)
    derived: list[ir.Expr] = field(default_factory=list)  # date values of dob/as_of only


def _span_dates(spans: Iterable[InForce]) -> tuple[date, date] | None:
    lo, hi = CASE_RANGE
    for s in spans:
        lo, hi = max(lo, s.start), min(hi, s.end)
    if lo > hi:
        return None
    plo, phi = max(lo, PREFERRED[0]), min(hi, PREFERRED[1])
    return (plo, phi) if plo <= phi else (lo, hi)


class CaseSearch:
    """Builds and tests guided candidate cases for one policy area."""

    def __init__(self, rulebase: Rulebase, area: Area, seed: str) -> None:
        self.rulebase = rulebase
        self.area = area
        self.rng = random.Random(f"sen-rules:{seed}")
        self.facts = _Facts()
        self._seen_defs: set[str] = set()
        self._derived_fns: dict[date, list[Callable[[Env], Any]]] = {}
        exprs: list[ir.Expr] = [r.condition for r in area.rules]
        exprs += [e for r in area.rules for e in r.details.values()]
        if area.applies_when is not None:
            exprs.append(area.applies_when)
        for e in exprs:
            self._collect(e, {})
        if area.ranking is not None:
            coll = area.ranking.collection.path
            for c in area.ranking.checks + area.ranking.criteria:
                for e in (c.prefer, c.over):
                    self._collect(e, {area.ranking.variable: coll})
        self.attempts = 0

    # ------------------------------------------------------------------ gathering
    def _definition(self, name: str) -> tuple[str, ir.Expr, str | None] | None:
        key = self.rulebase.definition_key(name, self.area.id)
        d = self.rulebase.definitions.get(key)
        return (key, d.expr, d.variable) if d is not None else None

    def _path_of(self, e: ir.Expr, variables: dict[str, Path]) -> Path | None:
        if not isinstance(e, ir.FieldRef):
            return None
        if e.root == "case":
            return e.path
        base = variables.get(e.root)
        return None if base is None else base + e.path

    def _note(self, path: Path | None, values: Iterable[Any]) -> None:
        if path is None:
            return
        bucket = self.facts.values.setdefault(path, [])
        for v in values:
            if v not in bucket:
                bucket.append(v)

    def _setting_values(self, name: str) -> list[Any]:
        setting = self.rulebase.settings.get(name)
        out: list[Any] = []
        if setting is None:
            return out
        for version in setting.versions:
            v = version.value
            out.extend(v if isinstance(v, (list, tuple)) else [v])
        return out

    def _collect(self, e: ir.Expr, variables: dict[str, Path]) -> None:
        f = self.facts
        for node in _walk_scoped(e):
            if isinstance(node, ir.FieldRef):
                path = self._path_of(node, variables)
                if path is not None:
                    for i in range(1, len(path) + 1):
                        f.paths.add(path[:i])
            elif isinstance(node, ir.Const):
                v = node.value
                if isinstance(v, bool):
                    continue
                if isinstance(v, str):
                    f.strings.add(v)
                elif isinstance(v, (int, float)):
                    f.numbers.add(v)
                elif isinstance(v, date):
                    f.dates.add(v)
                elif isinstance(v, Duration):
                    f.durations.add(v)
            elif isinstance(node, ir.SettingRef):
                for v in self._setting_values(node.name):
                    if isinstance(v, str):
                        f.strings.add(v)
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        f.numbers.add(v)
            elif isinstance(node, ir.DefinitionRef):
                found = self._definition(node.name)
                if found is not None and found[0] not in self._seen_defs:
                    self._seen_defs.add(found[0])
                    _, expr, variable = found
                    scoped = dict(variables)
                    if variable is not None and self.area.ranking is not None:
                        scoped[variable] = self.area.ranking.collection.path
                    self._collect(expr, scoped)
            elif isinstance(node, ir.Quantifier):
                coll = self._path_of(node.collection, variables)
                inner = dict(variables)
                if coll is not None:
                    inner[node.variable] = coll
                self._collect(node.collection, variables)
                if node.condition is not None:
                    self._collect(node.condition, inner)
            if isinstance(node, (ir.Compare, ir.Membership)):
                left = node.left if isinstance(node, ir.Compare) else node.item
                right = node.right if isinstance(node, ir.Compare) else node.collection
                for a, b in ((left, right), (right, left)):
                    path = self._path_of(a, variables)
                    if isinstance(b, ir.Const):
                        self._note(path, [b.value])
                    elif isinstance(b, ir.ListOf):
                        self._note(path, [i.value for i in b.items if isinstance(i, ir.Const)])
                    elif isinstance(b, ir.SettingRef):
                        self._note(path, self._setting_values(b.name))
            if node.type.kind == "date" and isinstance(node, (ir.Call, ir.Arith)):
                refs = {r.dotted for r in ir.field_refs(node)}
                if refs <= {"child.date_of_birth"} and not ir.definition_refs(node):
                    f.derived.append(node)

    # ------------------------------------------------------------------ values
    def _derived(self, epoch: Epoch) -> list[Callable[[Env], Any]]:
        fns = self._derived_fns.get(epoch.start)
        if fns is None:
            program = compiled(self.rulebase).program(epoch)
            fns = [program.function(e, self.area.id) for e in self.facts.derived]
            self._derived_fns[epoch.start] = fns
        return fns

    def _date_pool(self, dob: date, as_of: date, epoch: Epoch) -> list[date]:
        rng = self.rng
        pool = {dob, as_of, as_of - timedelta(days=1), dob + timedelta(days=1)}
        for d in self.facts.dates:
            pool.update((d - timedelta(days=1), d, d + timedelta(days=1)))
        for dur in self.facts.durations:
            for sign in (-1, 1):
                try:
                    base = add_duration(as_of, **{dur.unit: sign * dur.amount})
                    pool.update((base - timedelta(days=1), base, base + timedelta(days=1)))
                    base = add_duration(dob, **{dur.unit: dur.amount})
                    pool.update((base - timedelta(days=1), base, base + timedelta(days=1)))
                except (OverflowError, ValueError):
                    continue
        try:
            env = Env(parse_case({"child": {"id": "W1", "date_of_birth": dob.isoformat()}}),
                      as_of)
            for fn in self._derived(epoch):
                try:
                    v = fn(env)
                except SenRulesError:
                    continue
                if isinstance(v, date):
                    pool.update((v - timedelta(days=1), v, v + timedelta(days=1)))
        except SenRulesError:
            pass
        span = (as_of - dob).days
        for _ in range(4):
            pool.add(dob + timedelta(days=rng.randint(0, max(span, 0))))
        return sorted(d for d in pool if dob <= d <= as_of)

    def _pick_as_of(self, span: tuple[date, date]) -> date:
        lo, hi = span
        rng = self.rng
        choices = [d for d in self.facts.dates if lo <= d <= hi]
        if choices and rng.random() < 0.3:
            base = rng.choice(sorted(choices))
            return min(hi, max(lo, base + timedelta(days=rng.choice((-1, 0, 1, 30, 400)))))
        if rng.random() < 0.1:
            return rng.choice((lo, hi))
        return lo + timedelta(days=rng.randint(0, (hi - lo).days))

    def _pick_dob(self, as_of: date) -> date:
        rng = self.rng
        ages = [n for n in self.facts.numbers if isinstance(n, int) and 0 <= n <= 25]
        if ages and rng.random() < 0.4:
            years = rng.choice(sorted(ages)) + rng.choice((-1, 0, 0))
        else:
            years = rng.randint(0, 21)
        years = max(0, years)
        try:
            base = as_of.replace(year=as_of.year - years)
        except ValueError:
            base = as_of.replace(year=as_of.year - years, day=28)
        offset = rng.choice((0, 0, 1, -1, rng.randint(0, 364), rng.randint(0, 364)))
        dob = base - timedelta(days=offset)
        return max(CASE_RANGE[0], min(as_of, dob))

    # ------------------------------------------------------------------ building
    def candidate(self, span: tuple[date, date], hints: Check | None = None,
                  hint_paths: dict[str, Path] | None = None) -> tuple[dict[str, Any], date]:
        as_of = self._pick_as_of(span)
        dob = self._pick_dob(as_of)
        epoch = self.rulebase.epoch(as_of)
        ctx = _Build(self, dob, as_of, self._date_pool(dob, as_of, epoch),
                     self._hints(hints, hint_paths))
        return ctx.build(Case, ()), as_of

    def _hints(self, check: Check | None, paths: dict[str, Path] | None) -> dict[Path, Any]:
        if check is None or paths is None:
            return {}
        out: dict[Path, Any] = {}
        for term, value in check.values.items():
            path = paths.get(term)
            if path is None or self.rng.random() < 0.15:
                continue
            out[path] = value
        return out

    def evaluate(self, data: dict[str, Any], as_of: date) -> Matches | None:
        self.attempts += 1
        try:
            case = parse_case(data)
            check_against_date(case, as_of)
            program = compiled(self.rulebase).program(self.rulebase.epoch(as_of))
            return match_native(program, Env(case, as_of))
        except SenRulesError:
            return None

    def search(self, span: tuple[date, date] | None, accept: Callable[[Matches], bool],
               attempts: int, models: list[Check] | None = None,
               paths: dict[str, Path] | None = None) -> Witness | None:
        if span is None:
            return None
        for i in range(attempts):
            hints = models[i % len(models)] if models and i % 3 != 2 else None
            data, as_of = self.candidate(span, hints, paths)
            matches = self.evaluate(data, as_of)
            if matches is not None and accept(matches):
                return self.shrink(Witness(data, as_of, matches), accept)
        return None

    def shrink(self, w: Witness, accept: Callable[[Matches], bool], budget: int = 250) -> Witness:
        """Remove what is not needed: a witness should be easy to read."""
        best = w
        improved = True
        while improved and budget > 0:
            improved = False
            for trial in _smaller(best.case):
                budget -= 1
                if budget <= 0:
                    break
                matches = self.evaluate(trial, best.as_of)
                if matches is not None and accept(matches):
                    best = Witness(trial, best.as_of, matches)
                    improved = True
                    break
        return best


def span_of(*spans: InForce) -> tuple[date, date] | None:
    """The dates to search: where all the given spans overlap (preferring 2000-2035)."""
    return _span_dates(spans)


class _Build:
    def __init__(self, search: CaseSearch, dob: date, as_of: date, dates: list[date],
                 hints: dict[Path, Any]) -> None:
        self.s = search
        self.rng = search.rng
        self.dob = dob
        self.as_of = as_of
        self.dates = dates
        self.hints = hints
        self.ids: list[str] = []

    def build(self, model: type[BaseModel], prefix: Path, index: int | None = None
              ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        rng = self.rng
        for f in fields_of(model):
            path = prefix + (f.name,)
            if path == ("child", "date_of_birth"):
                out[f.name] = self.dob.isoformat()
                continue
            if path in self.hints:
                hinted = self.hints[path]
                if hinted is None:
                    if not f.required:
                        continue
                elif f.kind not in ("model", "list_model"):
                    value = self.hinted(f, hinted)
                    if value is not None:
                        out[f.name] = value
                        continue
            mentioned = path in self.s.facts.paths
            if not f.required and (not mentioned or (f.optional and rng.random() < 0.25)) \
                    and path not in self.hints:
                continue
            value = self.value(f, path, index)
            if value is not None:
                out[f.name] = value
        return out

    def hinted(self, f: FieldSpec, value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat() if self.dob <= value <= self.as_of else None
        if isinstance(value, str):
            return value if not value.startswith("\x00") else "Another"
        if isinstance(value, (bool, int, float)):
            if f.kind == "float":
                return float(value)
            return value
        return None

    def value(self, f: FieldSpec, path: Path, index: int | None) -> Any:
        rng = self.rng
        known = self.s.facts.values.get(path, [])
        if f.kind == "model" and f.model is not None:
            return self.build(f.model, path)
        if f.kind == "list_model" and f.model is not None:
            n = rng.choice((0, 1, 1, 1, 2, 2, 3)) if path in self.s.facts.paths else 0
            return [self.build(f.model, path, i) for i in range(n)]
        if f.kind == "list_enum":
            return rng.sample(list(f.choices), k=rng.randint(0, min(2, len(f.choices))))
        if f.kind == "enum":
            return rng.choice(list(f.choices))
        if f.kind == "bool":
            return rng.random() < 0.5
        if f.kind in ("int", "float"):
            lo = f.ge if f.ge is not None else 0
            hi = f.le if f.le is not None else 30
            pool = [v for k in known if isinstance(k, (int, float)) and not isinstance(k, bool)
                    for v in (k - 1, k, k + 1)]
            value: float = (rng.choice(pool) if pool and rng.random() < 0.7
                            else rng.uniform(lo, min(hi, lo + 100)))
            value = min(hi, max(lo, value))
            return round(value) if f.kind == "int" else float(value)
        if f.kind == "date":
            return rng.choice(self.dates).isoformat() if self.dates else self.dob.isoformat()
        if f.kind == "str":
            if f.pattern:
                if path == ("child", "id"):
                    return "W1"
                if f.name == "id":
                    if index is None:
                        return "P0"
                    self.ids.append(f"C{index}")
                    return f"C{index}"
                return rng.choice(self.ids) if self.ids and rng.random() < 0.8 else None
            strings = [k for k in known if isinstance(k, str)]
            if not strings and path in self.s.facts.paths:
                strings = sorted(self.s.facts.strings)
            if strings and rng.random() < 0.85:
                return rng.choice(strings)[: f.max_length or 200] or "X"
            return "Another"
        return None


def _walk_scoped(e: ir.Expr) -> Iterable[ir.Expr]:
    """The nodes of ``e`` outside quantifier bodies and definitions (they are scoped)."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ir.Quantifier):
            continue
        stack.extend(reversed(node.children()))


def _smaller(case: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Each case that drops one key or one list item (the child is always kept)."""
    def variants(value: Any, top: bool) -> Iterable[Any]:
        if isinstance(value, dict):
            for key in list(value):
                if top and key == "child":
                    continue
                yield {k: v for k, v in value.items() if k != key}
            for key in list(value):
                for smaller in variants(value[key], False):
                    yield {**value, key: smaller}
        elif isinstance(value, list):
            for i in range(len(value)):
                yield value[:i] + value[i + 1:]
            for i, item in enumerate(value):
                for smaller in variants(item, False):
                    yield value[:i] + [smaller] + value[i + 1:]

    yield from variants(case, True)
