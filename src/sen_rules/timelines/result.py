"""A timeline's result: the decisions at the start and at every date where one changes.

The JSON is deterministic (the same case, dates and rulebase give the same bytes, on either
backend) and each change names what changed and the rules that made it change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..engine.result import Evaluation, dumps


@dataclass(frozen=True, slots=True)
class AreaChange:
    """How one area's decision differs from the day before."""

    topic: str
    outcome: tuple[str | None, str | None] | None  # (before, after); None: unchanged
    details: Mapping[str, tuple[Any, Any]]  # name -> (before, after), dates as ISO text
    flags: tuple[tuple[str, ...], tuple[str, ...]]  # (raised, cleared)
    notes: tuple[tuple[str, ...], tuple[str, ...]]
    rules: tuple[tuple[str, ...], tuple[str, ...]]  # (now taking part, no longer)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"topic": self.topic}
        if self.outcome is not None:
            d["outcome"] = {"before": self.outcome[0], "after": self.outcome[1]}
        if self.details:
            d["details"] = {k: {"before": b, "after": a} for k, (b, a) in self.details.items()}
        for name, (raised, cleared) in (("flags", self.flags), ("notes", self.notes)):
            if raised or cleared:
                d[name] = {"raised": list(raised), "cleared": list(cleared)}
        d["rules"] = {"now": list(self.rules[0]), "no_longer": list(self.rules[1])}
        return d

    def text(self) -> str:
        parts = []
        if self.outcome is not None:
            before, after = (v or "(does not apply)" for v in self.outcome)
            parts.append(f"{before} → {after}")
        parts += [f"{k} {_show(b)} → {_show(a)}" for k, (b, a) in self.details.items()]
        for name, (raised, cleared) in (("flag", self.flags), ("note", self.notes)):
            parts += [f"{name} raised: {c}" for c in raised]
            parts += [f"{name} cleared: {c}" for c in cleared]
        rules = [f"now {', '.join(self.rules[0])}"] if self.rules[0] else []
        rules += [f"no longer {', '.join(self.rules[1])}"] if self.rules[1] else []
        return f"{self.topic}: {'; '.join(parts)}" + (f"  ({'; '.join(rules)})" if rules else "")


@dataclass(frozen=True, slots=True)
class ChangePoint:
    """A date on which at least one decision differs from the day before."""

    date: date
    law_change: bool  # a rule version or setting changed on this date
    changes: tuple[AreaChange, ...]
    evaluation: Evaluation  # every decision on this date

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "law_change": self.law_change,
                "changes": [c.to_dict() for c in self.changes],
                "decisions": self.evaluation.to_dict()["decisions"]}


@dataclass(frozen=True, slots=True)
class Timeline:
    """The decisions for a case from ``start`` to ``end``: those on ``start``, then every
    date where one changes. Between two change points every decision is the same, except
    the counts of days that move with the date (such as days left before a review)."""

    rulebase: Mapping[str, str]
    case_id: str
    start: date
    end: date
    initial: Evaluation
    points: tuple[ChangePoint, ...]
    dates_evaluated: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def on(self, day: date) -> Evaluation:
        """The decisions in force on ``day`` (counts of days as of the change point)."""
        found = self.initial
        for point in self.points:
            if point.date > day:
                break
            found = point.evaluation
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "rulebase": dict(self.rulebase),
            "case_id": self.case_id,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "days": self.days,
            "dates_evaluated": self.dates_evaluated,
            "start": {"date": self.start.isoformat(),
                      "decisions": self.initial.to_dict()["decisions"]},
            "changes": [p.to_dict() for p in self.points],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent=indent)

    def to_text(self) -> str:
        lines = [f"Timeline of case {self.case_id} from {self.start.isoformat()} to "
                 f"{self.end.isoformat()}: {len(self.points)} date"
                 f"{'' if len(self.points) == 1 else 's'} with a change "
                 f"({self.dates_evaluated} of {self.days} days evaluated)",
                 "", f"{self.start.isoformat()}  at the start"]
        for d in self.initial.decisions:
            lines.append(f"  {d.topic:<24} {d.outcome}")
        for point in self.points:
            lines.append("")
            law = "  (the law changed)" if point.law_change else ""
            lines.append(f"{point.date.isoformat()}{law}")
            lines += [f"  {c.text()}" for c in point.changes]
        return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    return "(none)" if value is None else str(value)
