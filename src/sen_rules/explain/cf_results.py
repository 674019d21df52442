"""What a counterfactual reports: an area's outcome before and after, and how much was
searched; the order in which the changes found are preferred."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from ..engine.result import Decision, Evaluation
from ..rulebase import short
from .cf_candidates import MAX_ITEMS_PER_LIST
from .cf_change import Change
from .values import path_words


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
    return outcome_from(d)


def outcome_from(d: Decision) -> Outcome:
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
    untried: tuple[tuple[str, int], ...] = ()  # (list, entries whose changes were not tried)

    def untried_words(self) -> str:
        """The entries of long lists whose changes were not tried, in a sentence ("" when
        every entry was tried)."""
        if not self.untried:
            return ""
        parts = [f"{n} of the entries of {path_words(where)}" for where, n in self.untried]
        said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return (f"Changes to {said} were not tried: of a list longer than "
                f"{MAX_ITEMS_PER_LIST} entries, only the first and the last "
                f"{MAX_ITEMS_PER_LIST // 2} that differ in the facts the rules read are.")


# ---------------------------------------------------------------------------- ranking


F = TypeVar("F", bound="Found")


class Found(Protocol):
    """A version of the case that was tried: its changes and what it decides."""

    @property
    def changes(self) -> tuple[Change, ...]: ...

    def outcome(self, topic: str) -> Outcome | None: ...


def score(changes: Sequence[Change]) -> tuple[Any, ...]:
    return (len(changes), sum(c.rank for c in changes), sorted(c.order for c in changes),
            sum(c.distance for c in changes), [c.path_text for c in changes],
            [repr(c.value) for c in changes])


def overlap(a: Change, b: Change) -> bool:
    n = min(len(a.path), len(b.path))
    return a.path[:n] == b.path[:n]


def best(found: list[F], topic: str, limit: int) -> list[F]:
    """The smallest changes, one per field and result (the closest boundary)."""
    found = sorted(found, key=lambda t: score(t.changes))
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

