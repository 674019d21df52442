"""The impact of a change: evaluate a corpus under two rulebases and compare decisions.

``sen-rules diff OLD_RULES NEW_RULES --cases DIR|FILE.jsonl`` evaluates every case under
both rulebases (the native backend) and reports each decision that differs, grouped by
policy area and by the change (old outcome and deciding rules → new outcome and deciding
rules), with counts and examples that name the line of the corpus and the case. Changes to
flags, notes and details with the same outcome are reported too, and so are cases that
one rulebase can evaluate and the other cannot.

The corpus: a JSON Lines file (one case, or ``{"case": ..., "as_of": ...}``, per line, as
written by ``sen-rules generate-cases``), or a directory of ``*.json`` files (a case or
the same wrapper each) and ``*.jsonl`` files. A case without its own ``as_of`` is
evaluated on ``--as-of``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import codes, jsonread
from ..case import MAX_CASE_BYTES, parse_case
from ..engine.batch import (
    MAX_LINE_BYTES,
    map_with_rulebases,
    parse_line,
    read_line_fast,
    split_item,
)
from ..engine.result import Decision, Evaluation, dumps, thaw
from ..engine.service import evaluate_case
from ..errors import SenRulesError
from ..lines import iter_lines
from ..rulebase import Rulebase, rule_key
from .impact import changed_areas, needed_areas

EXAMPLES = 5


@dataclass(frozen=True)
class Item:
    where: str  # file:line, or the file name
    data: Any  # a case, or {"case", "as_of"}; or an error message for an unreadable line
    readable: bool = True
    line: bool = False  # data is a line of JSON Lines, still to be read (by a worker)


def read_corpus(path: Path) -> Iterator[Item]:
    """The items of a JSON Lines file or of a directory of case files, in a stable order."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".jsonl"))
        for f in files:
            if f.suffix == ".jsonl":
                yield from _jsonl(f)
            else:
                try:
                    with f.open("rb") as handle:
                        data = jsonread.loads(jsonread.read_limited(handle, MAX_CASE_BYTES),
                                              limit=MAX_CASE_BYTES)
                    yield Item(f.name, data)
                except (OSError, jsonread.JsonInputError) as exc:
                    yield Item(f.name, f"not a JSON file ({exc})", readable=False)
        return
    if not path.is_file():
        raise SenRulesError(f"{path}: no such file or directory", code=codes.SR180)
    yield from _jsonl(path)


def _jsonl(path: Path) -> Iterator[Item]:
    """Each line read as ``sen-rules evaluate --jsonl`` reads it (one error per bad line)."""
    try:
        with path.open("rb") as handle:
            for number, line in enumerate(iter_lines(handle, MAX_LINE_BYTES), start=1):
                if line.strip():  # read (with its limits) by the worker that compares it
                    yield Item(f"{path.name}:{number}", line, line=True)
    except OSError as exc:
        raise SenRulesError(f"{path}: {exc.strerror or exc}", code=codes.SR180) from None


@dataclass(frozen=True)
class Side:
    """What one rulebase decided in one area: outcome and deciding rules, or an error."""

    outcome: str | None  # None: the area does not apply
    rules: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    details: str = ""  # canonical JSON
    error: str | None = None

    def label(self) -> str:
        if self.error is not None:
            return f"error {self.error}"
        return self.outcome if self.outcome is not None else "(does not apply)"


def _side(decision: Decision | None) -> Side:
    if decision is None:
        return Side(None)
    deciding = tuple(rule_key(r.id, r.version) for r in decision.rules
                     if r.role in ("outcome", "otherwise"))
    return Side(decision.outcome, deciding, tuple(sorted(f.code for f in decision.flags)),
                tuple(sorted(n.code for n in decision.notes)),
                json.dumps(thaw(decision.details), sort_keys=True, default=str))


@dataclass
class Group:
    """Cases with the same change in one area: the same outcomes before and after, and the
    same deciding rules dropped and added."""

    topic: str
    kind: str  # outcome (the outcome changed) | rules (same outcome, other deciding rules)
    #            | flags | notes | details
    old: str
    new: str
    dropped: tuple[str, ...]  # deciding rules that no longer decide
    added: tuple[str, ...]  # deciding rules that now decide
    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "kind": self.kind, "old": self.old, "new": self.new,
                "no_longer_deciding": list(self.dropped), "now_deciding": list(self.added),
                "count": self.count, "examples": self.examples}

    def rules_text(self) -> str:
        parts = []
        if self.dropped:
            parts.append("no longer decided by " + ", ".join(self.dropped))
        if self.added:
            parts.append(("now by " if self.dropped else "now also decided by ")
                         + ", ".join(self.added))
        return "; ".join(parts)


@dataclass
class DiffReport:
    old: dict[str, str]
    new: dict[str, str]
    cases: int = 0
    changed: int = 0
    unreadable: list[str] = field(default_factory=list)
    invalid: dict[str, int] = field(default_factory=dict)  # error code -> cases neither ran
    groups: dict[tuple[Any, ...], Group] = field(default_factory=dict)
    per_topic: dict[str, int] = field(default_factory=dict)  # cases changed per area
    # per area, per rule: [cases where it stopped deciding, cases where it started]
    per_rule: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def add(self, topic: str, kind: str, old_text: str, new_text: str, old: Side, new: Side,
            example: dict[str, Any]) -> None:
        dropped = tuple(r for r in old.rules if r not in new.rules)
        added = tuple(r for r in new.rules if r not in old.rules)
        key = (topic, kind, old_text, new_text, dropped, added)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(topic, kind, old_text, new_text, dropped, added)
        group.count += 1
        if len(group.examples) < EXAMPLES:
            group.examples.append(example)

    def count_rules(self, topic: str, old: Side, new: Side) -> None:
        rules = self.per_rule.setdefault(topic, {})
        for r in old.rules:
            if r not in new.rules:
                rules.setdefault(r, [0, 0])[0] += 1
        for r in new.rules:
            if r not in old.rules:
                rules.setdefault(r, [0, 0])[1] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old, "new": self.new, "cases": self.cases, "changed": self.changed,
            "unreadable": self.unreadable, "invalid": dict(sorted(self.invalid.items())),
            "areas": [{"topic": t, "changed": n,
                       "rules": [{"rule": r, "no_longer_deciding": a, "now_deciding": b}
                                 for r, (a, b) in sorted(self.per_rule.get(t, {}).items())],
                       "changes": [g.to_dict() for g in self.sorted_groups(t)]}
                      for t, n in self.sorted_topics()],
        }

    def sorted_topics(self) -> list[tuple[str, int]]:
        return sorted(self.per_topic.items(), key=lambda kv: (-kv[1], kv[0]))

    def sorted_groups(self, topic: str) -> list[Group]:
        kinds = {"outcome": 0, "rules": 1, "flags": 2, "notes": 3, "details": 4}
        return sorted((g for g in self.groups.values() if g.topic == topic),
                      key=lambda g: (kinds[g.kind], -g.count, g.old, g.new, g.dropped,
                                     g.added))

    def to_text(self) -> str:
        def ident(d: dict[str, str]) -> str:
            return f"{d['directory']} ({d['name']} {d['version']}, sha256 {d['sha256'][:12]}…)"

        share = f"{100 * self.changed / self.cases:.1f}%" if self.cases else "0%"
        lines = [f"old: {ident(self.old)}", f"new: {ident(self.new)}",
                 f"{self.cases} cases evaluated; {self.changed} ({share}) have a changed "
                 "decision in at least one area"]
        if self.invalid:
            lines.append("cases neither rulebase could evaluate: " + ", ".join(
                f"{n} ({code})" for code, n in sorted(self.invalid.items())))
        if self.unreadable:
            lines.append(f"unreadable lines or files: {len(self.unreadable)} (first: "
                         f"{self.unreadable[0]})")
        for topic, count in self.sorted_topics():
            lines.append("")
            lines.append(f"{topic}: {count} case{'s' if count != 1 else ''} changed")
            rules = self.per_rule.get(topic, {})
            if rules:
                lines.append("  rules: " + "; ".join(
                    ", ".join(part for part in (
                        f"{r} no longer decides in {a}" if a else "",
                        f"{r} now decides in {b}" if b else "") if part)
                    for r, (a, b) in sorted(rules.items())))
            for g in self.sorted_groups(topic):
                plural = "s" if g.count != 1 else ""
                if g.kind == "outcome":
                    head = f"{g.old} → {g.new}"
                elif g.kind == "rules":
                    head = f"{g.old} (unchanged), other deciding rules"
                elif g.kind == "details":
                    head = f"{g.old} (unchanged), details changed: {g.new}"
                else:
                    head = f"{g.kind} {g.old} → {g.new}"
                lines.append(f"  {head}: {g.count} case{plural}")
                if g.rules_text():
                    lines.append(f"      {g.rules_text()}")
                shown = "; ".join(f"{e['where']} (case {e['case_id']} on {e['as_of']})"
                                  for e in g.examples[:3])
                lines.append(f"      e.g. {shown}")
        if not self.groups:
            lines.append("no decision changed")
        return "\n".join(lines) + "\n"


def _identity(rb: Rulebase) -> dict[str, str]:
    import os

    directory = rb.directory
    try:
        relative = os.path.relpath(directory)
        if not relative.startswith(".."):
            directory = relative
    except ValueError:
        pass
    return {**rb.identity(), "directory": directory}


Change = tuple[str, Side, Side]  # an area whose decision differs: (topic, old, new)
# what comparing one item gives: ("unreadable", message) | ("invalid", code) |
# ("compared", example, changes)
Compared = tuple[Any, ...]


def compare_item(rulebases: Sequence[Rulebase], task: tuple[Item, str | None, str, bool]
                 ) -> Compared:
    """Evaluate one item under the old and the new rulebase; the areas whose decision differs.

    Only the areas the change can affect are evaluated (:mod:`.impact`), unless the last
    part of ``task`` says every area. Runs in a worker process when ``diff`` has workers:
    the item goes in, and only the changes (usually none) come back.
    """
    item, as_of, backend, only_changed = task
    old, new = rulebases
    if not item.readable:
        return ("unreadable", f"{item.where}: {item.data}")
    quick = read_line_fast(item.data, as_of) if item.line else None
    if quick is None:
        try:
            data = parse_line(item.data) if item.line else item.data
        except SenRulesError as exc:
            return ("unreadable", f"{item.where}: {exc.message}")
    try:
        case, day = quick if quick is not None else split_item(data, as_of)
        case = parse_case(case)  # once: both rulebases read the same case model
    except SenRulesError as exc:
        return ("invalid", exc.code)
    changed, need_old, need_new = _affected(old, new) if only_changed else (None, None, None)
    a, b = _run(old, case, day, backend, need_old), _run(new, case, day, backend, need_new)
    if isinstance(a, SenRulesError) and isinstance(b, SenRulesError):
        return ("invalid", a.code)
    if isinstance(a, SenRulesError) or isinstance(b, SenRulesError):
        changed = None  # every area of the side that could be evaluated is a change
        a, b = (a if isinstance(a, SenRulesError) else _run(old, case, day, backend, None),
                b if isinstance(b, SenRulesError) else _run(new, case, day, backend, None))
    valid = a if isinstance(a, Evaluation) else b
    assert isinstance(valid, Evaluation)
    example = {"where": item.where, "case_id": valid.case_id, "as_of": valid.as_of.isoformat()}
    changes: list[Change] = []
    for topic in _topics(old, new):
        if changed is not None and topic not in changed:
            continue  # decided the same under both, by what it is made of
        if isinstance(a, SenRulesError):
            sa, sb = Side(None, error=a.code), _side(valid.decision(topic))
        elif isinstance(b, SenRulesError):
            sa, sb = _side(a.decision(topic)), Side(None, error=b.code)
        else:
            da, db = a.decision(topic), b.decision(topic)
            if da == db:  # the same decision, to the last citation: nothing to compare
                continue
            sa, sb = _side(da), _side(db)
        if sa != sb:
            changes.append((topic, sa, sb))
    return ("compared", example, changes)


@lru_cache(maxsize=4)
def _affected(old: Rulebase, new: Rulebase
              ) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The areas the change can affect, and the areas each side evaluates for them (worked
    out once per pair of rulebases in each process)."""
    changed = changed_areas(old, new)
    return changed, needed_areas(old, changed), needed_areas(new, changed)


def _topics(old: Rulebase, new: Rulebase) -> list[str]:
    return [a.id for a in new.areas] + [a.id for a in old.areas if new.area(a.id) is None]


def _run(rulebase: Rulebase, case: Any, day: Any, backend: str,
         areas: frozenset[str] | None) -> Evaluation | SenRulesError:
    try:
        return evaluate_case(rulebase, case, day, backend, areas)
    except SenRulesError as exc:
        return exc


def diff(old: Rulebase, new: Rulebase, items: Iterable[Item], *, as_of: str | None = None,
         backend: str = "native", progress: Callable[[], None] | None = None,
         workers: int = 1, only_changed: bool = True) -> DiffReport:
    """Evaluate every item under both rulebases and collect what changed (``workers``
    processes share the evaluations; the report does not depend on how many). With
    ``only_changed`` (the default) only the areas the change can affect are evaluated; the
    report is the same either way."""
    report = DiffReport(_identity(old), _identity(new))
    tasks = ((item, as_of, backend, only_changed) for item in items)
    for result in map_with_rulebases(compare_item, tasks, (old, new), workers=workers,
                                     chunk_size=256):
        if progress is not None:
            progress()
        report.cases += 1
        if result[0] == "unreadable":
            report.unreadable.append(result[1])
        elif result[0] == "invalid":
            report.invalid[result[1]] = report.invalid.get(result[1], 0) + 1
        else:
            _, example, changes = result
            if changes:
                report.changed += 1
            for topic, sa, sb in changes:
                _record(report, topic, sa, sb, example)
    return report


def _record(report: DiffReport, topic: str, sa: Side, sb: Side,
            example: dict[str, Any]) -> None:
    report.per_topic[topic] = report.per_topic.get(topic, 0) + 1
    report.count_rules(topic, sa, sb)
    if sa.label() != sb.label():
        report.add(topic, "outcome", sa.label(), sb.label(), sa, sb, example)
        return
    if sa.rules != sb.rules:
        report.add(topic, "rules", sa.label(), sb.label(), sa, sb, example)
    for kind, x, y in (("flags", sa.flags, sb.flags), ("notes", sa.notes, sb.notes)):
        if x != y:
            report.add(topic, kind, "[" + ", ".join(x) + "]", "[" + ", ".join(y) + "]",
                       sa, sb, example)
    if sa.details != sb.details and sa.rules == sb.rules:
        report.add(topic, "details", sa.label(), _changed_details(sa.details, sb.details),
                   sa, sb, example)


def _changed_details(a: str, b: str) -> str:
    x, y = json.loads(a), json.loads(b)
    keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
    return ", ".join(keys)


def report_json(report: DiffReport) -> str:
    return dumps(report.to_dict())
