"""The whole story of a case at once: its decisions on every date where one changes.

The dates come from the compiled rules and the case (:mod:`.points`), not from evaluating
every day: the decisions are evaluated on those dates only, and the dates where nothing
changed are dropped. See docs/timeline.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from .. import codes
from ..case import Case, parse_case
from ..engine.result import Decision, Evaluation, thaw
from ..engine.service import check_backend, evaluate_case, parse_as_of
from ..errors import CaseError, SenRulesError
from ..rulebase import Rulebase, rule_key
from .points import Candidates, candidate_days
from .result import AreaChange, ChangePoint, Timeline
from .smooth import smooth_details

__all__ = ["AreaChange", "ChangePoint", "Timeline", "build_timeline", "decision_key"]

DAY = timedelta(days=1)


def _day(value: date | str, name: str) -> date:
    try:
        return parse_as_of(value)
    except CaseError as exc:
        raise SenRulesError(f"the timeline's '{name}' date: {exc.problems[0][1]}",
                            code=codes.SR202) from None


def build_timeline(rulebase: Rulebase, case: Case | Mapping[str, Any] | str | bytes,
                   start: date | str, end: date | str, backend: str = "native") -> Timeline:
    """The decisions on ``start`` and on every date up to ``end`` where one changes."""
    check_backend(backend)
    first, last = _day(start, "from"), _day(end, "to")
    if first > last:
        raise SenRulesError(f"the timeline runs from {first.isoformat()} to "
                            f"{last.isoformat()}: 'from' must not be after 'to'", code=codes.SR203)
    valid = parse_case(case)
    latest = valid._latest_date
    if latest is not None and latest > first:
        raise SenRulesError(f"the case records facts dated up to {latest.isoformat()}, so "
                            "its decisions cannot be worked out before then: start the "
                            f"timeline on or after {latest.isoformat()}", code=codes.SR203)
    found: Candidates = candidate_days(rulebase, valid, first, last)
    evaluations: dict[date, Evaluation] = {}
    pending = sorted(found.days)
    while pending:  # dates that decisions produce are candidates too, with the day after
        more: set[date] = set()
        for day in pending:
            evaluations[day] = evaluate_case(rulebase, valid, day, backend)
            for value in _dates_in(evaluations[day]):
                for d in (value, value + DAY):
                    if first < d <= last and d not in evaluations:
                        more.add(d)
        pending = sorted(more)
    points: list[ChangePoint] = []
    days = sorted(evaluations)
    before = evaluations[days[0]]
    for day in days[1:]:
        after = evaluations[day]
        changes = _changes(rulebase, before, after)
        if changes:
            law = rulebase.epoch(day).start == day
            points.append(ChangePoint(day, law, changes, after))
        before = after
    return Timeline(dict(rulebase.identity()), valid.child.id, first, last,
                    evaluations[days[0]], tuple(points), len(evaluations))


def decision_key(rulebase: Rulebase, evaluation: Evaluation) -> dict[str, Any]:
    """What a timeline compares: each decision without the counts of days that move with
    the date, without the evaluation date where that date chose a rule version, and without
    the copies of the decisions it read (each is compared as a decision of its own)."""
    smooth = smooth_details(rulebase, rulebase.epoch(evaluation.as_of))
    return {d.topic: _comparable(d, smooth) for d in evaluation.decisions}


def _comparable(d: Decision, smooth: Mapping[str, frozenset[str]]) -> dict[str, Any]:
    data = d.to_dict()
    hidden = smooth.get(d.topic, frozenset())
    data["details"] = {k: v for k, v in data["details"].items() if k not in hidden}
    for kind in ("flags", "notes"):
        for f in data[kind]:
            moving = smooth.get(f"{d.topic}:{f['code']}", frozenset())
            if "details" in f:
                f["details"] = {k: v for k, v in f["details"].items() if k not in moving}
    data.pop("uses", None)  # the decisions it read: compared under their own topics
    for r in data["rules"]:
        if r.get("version_chosen_by", {}).get("dated_by") == "as_of":
            del r["version_chosen_by"]
    return data


def _changes(rulebase: Rulebase, before: Evaluation, after: Evaluation
             ) -> tuple[AreaChange, ...]:
    a, b = decision_key(rulebase, before), decision_key(rulebase, after)
    out = []
    for topic in [t for t in a if t not in b] + list(b):
        was, now = a.get(topic), b.get(topic)
        if was == now:
            continue
        was, now = was or {}, now or {}
        outcome = (was.get("outcome"), now.get("outcome"))
        details_was, details_now = was.get("details", {}), now.get("details", {})
        details = {k: (details_was.get(k), details_now.get(k))
                   for k in sorted(set(details_was) | set(details_now))
                   if details_was.get(k) != details_now.get(k)}
        out.append(AreaChange(topic, outcome if outcome[0] != outcome[1] else None, details,
                              _diff(was, now, "flags", "code"),
                              _diff(was, now, "notes", "code"),
                              _diff(was, now, "rules", "id")))
    return tuple(out)


def _diff(was: Mapping[str, Any], now: Mapping[str, Any], kind: str, name: str
          ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    def keys(d: Mapping[str, Any]) -> list[str]:
        return [rule_key(x[name], x.get("version", "1")) for x in d.get(kind, [])]

    old, new = keys(was), keys(now)
    return (tuple(k for k in new if k not in old), tuple(k for k in old if k not in new))


def _dates_in(evaluation: Evaluation) -> Iterator[date]:
    """The dates in the decisions' details (``cease_from``, ``due_by``, ...)."""
    for d in evaluation.decisions:
        values = list(thaw(d.details).values())
        for f in d.flags + d.notes:
            values += list(thaw(f.details).values())
        while values:
            v = values.pop()
            if isinstance(v, list):
                values.extend(v)
            elif isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
                try:
                    yield date.fromisoformat(v)
                except ValueError:
                    continue
