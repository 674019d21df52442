"""The single changes worth trying for a case, from what an area's rules read.

For each field the rules read: a yes/no is flipped; an enumerated value takes each other
value; a date or number takes each boundary it is compared with and the day (or unit)
either side; an optional value is removed; a missing record (the Statement, the diagnosis)
is added; an entry of a list is removed, or one is added (a copy of an existing entry, or a
new one, with the values that matter set to boundary values). Facts the rulebase names as
fixed (``fixed_facts``, e.g. the date of birth) never change.

The entries of a list are tried within a bound, so that the cost grows gently with the
length of a list (:meth:`Candidates.items_tried`): a list of at most
:data:`MAX_ITEMS_PER_LIST` entries is tried whole; in a longer one, an entry with the same
values as an earlier one in every field the rules read (and its id) is not tried again (a
change to it would decide the same), and of the entries left the first and the last
``MAX_ITEMS_PER_LIST // 2`` are tried. The entries not tried are counted per list and said
with the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from json import dumps
from typing import Any

from ..case_description import FieldSpec, item_of, spec_at, synthesize
from ..dates import add_duration
from ..engine.native import Env, Program
from ..errors import EvaluationError
from ..language.syntax import Duration
from ..rulebase import Rulebase
from .cf_change import Change, JsonPath, path_text
from .cf_reads import AbsPath, Uses

MAX_VARIANTS = 30  # new entries or records tried per list or missing record
MAX_TEMPLATES = 2  # existing entries copied when trying an added entry
MAX_ITEMS_PER_LIST = 4  # entries of one list whose changes are tried (see items_tried)


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
        self.items_cache: dict[JsonPath, list[int]] = {}
        self.untried: dict[str, int] = {}  # list (JSON path) -> entries not tried

    # ------------------------------------------------------------------ values to try
    def boundary_values(self, path: AbsPath, spec: FieldSpec) -> list[Any]:
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
                items = node or []
                for k in self.items_tried(path[:i], at, items):
                    yield from go(items[k], at + (k,), i + 1)
                return
            yield from go(node.get(step) if isinstance(node, dict) else None, at + (step,), i + 1)

        yield from go(self.data, (), 0)

    def items_tried(self, list_path: AbsPath, at: JsonPath, items: Sequence[Any]) -> list[int]:
        """The entries of the list at ``at`` whose changes are tried (see the module
        docstring); the others are counted in ``untried``."""
        if len(items) <= MAX_ITEMS_PER_LIST:
            return list(range(len(items)))
        found = self.items_cache.get(at)
        if found is not None:
            return found
        inside = list_path + ("[]",)
        # an entry's id counts as read: the placement ranking orders ties by it
        read = sorted({q[len(inside)] for q in self.uses.fields
                       if len(q) > len(inside) and q[:len(inside)] == inside} | {"id"})
        shapes: set[str] = set()
        distinct: list[int] = []
        for k, item in enumerate(items):
            shape = dumps([item.get(n) for n in read] if isinstance(item, dict) else item,
                          sort_keys=True, default=str)
            if shape not in shapes:
                shapes.add(shape)
                distinct.append(k)
        half = MAX_ITEMS_PER_LIST // 2
        found = distinct if len(distinct) <= MAX_ITEMS_PER_LIST else (
            distinct[:half] + distinct[-half:])
        self.items_cache[at] = found
        self.untried[path_text(at)] = len(items) - len(found)
        return found

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

    def changes_at(self, p: AbsPath, spec: FieldSpec, at: JsonPath, value: Any) -> Iterator[Change]:
        if spec.kind == "model":
            if value is None:
                yield from self.new_records(p, spec, at)
            elif spec.optional:
                yield Change("remove", at, None, {"object": p[-1]}, rank=1)
            return
        item = item_of(spec)
        if item is not None:
            if item.kind == "model":
                for k in self.items_tried(p, at, value or []):
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

    def relevant_fields(self, p: AbsPath) -> list[tuple[str, FieldSpec]]:
        """The fields of a record at ``p`` that the rules read (one level down)."""
        out: list[tuple[str, FieldSpec]] = []
        for q in self.uses.fields:
            if len(q) == len(p) + 1 and q[:len(p)] == p:
                spec = spec_at(q)
                if spec is not None and spec.kind != "model" and item_of(spec) is None:
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

    def new_records(self, p: AbsPath, spec: FieldSpec, at: JsonPath) -> Iterator[Change]:
        assert spec.model is not None
        if not spec.optional:
            return
        shown = tuple(n for n, _ in self.relevant_fields(p))
        base = synthesize(spec.model, {}, self.as_of)
        for over in self.variants(p, base):
            record = synthesize(spec.model, over, self.as_of)
            yield Change("add", at, record, None, shown, rank=2)

    def new_entries(self, p: AbsPath, spec: FieldSpec, at: JsonPath,
                    current: list[Any]) -> Iterator[Change]:
        item = item_of(spec)
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


def _json_value(v: Any, spec: FieldSpec) -> Any:
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

