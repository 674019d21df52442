"""What an evaluation returns: decisions with cited provenance, as immutable values.

The JSON form is the documented contract for integrating systems. Its minimum shape,
which they may rely on, is::

    {"rulebase": {"name", "version", "sha256"}, "as_of",
     "decisions": [{"topic", "outcome",
                    "rules": [{"id", "citations": [{"source", "quote"}]}]}],
     "not_applicable": [{"topic", "applies_when", "because": [...]}]}

``decisions`` lists the areas that apply, in manifest order; ``not_applicable`` lists every
other area, in manifest order, with its condition in words and the decisions of other areas
that condition read. Everything else (labels, details, flags, notes, settings, clause ids,
versions) is extra. The same
input gives byte-identical JSON, on either backend, in any process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from ..jsonwrite import indented
from ..rulebase import Citation, InForce, rule_key

_SCALARS = frozenset({str, int, float, bool, type(None), date})


def freeze(value: Any) -> Any:
    """A deep, immutable copy of JSON-like data (dates kept as dates).

    Runs for every detail of every decision, so the common kinds are tested by exact type
    before the general (and slow) ``Mapping`` check."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or kind is MappingProxyType:
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if kind is list or kind is tuple:
        return tuple([freeze(v) for v in value])
    if isinstance(value, Mapping):  # any other mapping (rare): the slow, general path
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    return value


def read_only(values: dict[str, Any]) -> Mapping[str, Any]:
    """``freeze(values)`` for a dict of its own with text keys: when every value is a
    scalar, the dict itself, behind a read-only view (nothing else holds it)."""
    for v in values.values():
        if type(v) not in _SCALARS:
            frozen: Mapping[str, Any] = freeze(values)
            return frozen
    return MappingProxyType(values)


def thaw(value: Any) -> Any:
    """JSON-ready plain data (dates as ISO text); exact types first, as in :func:`freeze`."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None or kind is float:
        return value
    if kind is MappingProxyType or kind is dict:
        return {k: thaw(v) for k, v in value.items()}
    if kind is tuple:
        return [thaw(v) for v in value]
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class RuleRef:
    """A rule that took part in a decision, with the clauses it cites."""

    id: str
    version: str
    title: str
    role: str  # outcome | otherwise | flag | note | check | criterion
    citations: tuple[Citation, ...]
    in_force: InForce
    chosen_by: VersionChoice | None = None  # for a rule with versions: the date that chose
    text: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "role": self.role,
            "citations": [c.as_dict() for c in self.citations],
        }
        if not self.in_force.always:
            d["in_force"] = self.in_force.as_dict()
        if self.chosen_by is not None:
            d["version_chosen_by"] = self.chosen_by.to_dict()
        return d

    def __repr__(self) -> str:
        return (f"RuleRef({rule_key(self.id, self.version)}, {self.role}, "
                f"{len(self.citations)} citations)")


@dataclass(frozen=True, slots=True)
class VersionChoice:
    """The date that chose a rule's version (the evaluation date, or a date of the case such
    as the date of a placement), and why the version applies, in words."""

    dated_by: str  # "as_of", or the expression of the case's date
    date: date | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"dated_by": self.dated_by,
                "date": None if self.date is None else self.date.isoformat(),
                "reason": self.reason}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> VersionChoice:
        day = d.get("date")
        return cls(d["dated_by"], None if day is None else date.fromisoformat(day), d["reason"])


@dataclass(frozen=True, slots=True)
class Finding:
    """A flag (something to act on) or a note (something to know) raised by a rule."""

    code: str
    rule: str
    message: str
    details: Mapping[str, Any]
    text: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "rule": self.rule, "message": self.message}
        if self.details:
            d["details"] = thaw(self.details)
        return d

    def __repr__(self) -> str:
        return f"Finding({self.code} by {self.rule})"


@dataclass(frozen=True, slots=True)
class SettingUsed:
    """A setting (a threshold or a convention such as the leap-day birthday) that a
    decision's rules read, directly or through a definition or a date function."""

    name: str
    title: str
    value: Any
    text: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "value": thaw(self.value)}


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision of one policy area."""

    topic: str
    title: str
    outcome: str
    outcome_label: str
    details: Mapping[str, Any]
    rules: tuple[RuleRef, ...]
    flags: tuple[Finding, ...]
    notes: tuple[Finding, ...]
    overridden: tuple[str, ...]  # rules that matched but did not decide (hit policy)
    settings: tuple[SettingUsed, ...] = ()  # what its rules read, conventions included
    uses: tuple[DecisionBasis, ...] = ()  # decisions of other areas its rules read
    text: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "topic": self.topic,
            "title": self.title,
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "details": thaw(self.details),
            "rules": [r.to_dict() for r in self.rules],
            "flags": [f.to_dict() for f in self.flags],
            "notes": [n.to_dict() for n in self.notes],
            "overridden": list(self.overridden),
            "settings": [s.to_dict() for s in self.settings],
        }
        if self.uses:
            d["uses"] = [u.to_dict() for u in self.uses]
        return d

    @property
    def deciding(self) -> tuple[RuleRef, ...]:
        """The rules that gave the outcome."""
        return tuple(r for r in self.rules if r.role in ("outcome", "otherwise"))

    def __repr__(self) -> str:
        parts = [f"{self.topic} = {self.outcome}",
                 "by " + ", ".join(r.id for r in self.rules if r.role in ("outcome",
                                                                           "otherwise"))]
        if self.flags:
            parts.append("flags " + ", ".join(f.code for f in self.flags))
        if self.notes:
            parts.append(f"{len(self.notes)} notes")
        return f"Decision({'; '.join(parts)})"


@dataclass(frozen=True, slots=True)
class DecisionBasis:
    """Another area's decision as something read it: whether it applies, its outcome, the
    rules that gave it, and the details that were read."""

    topic: str
    title: str
    applies: bool
    outcome: str | None
    outcome_label: str | None
    details: Mapping[str, Any]
    rules: tuple[RuleRef, ...]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"topic": self.topic, "title": self.title,
                             "applies": self.applies}
        if self.applies:
            d["outcome"] = self.outcome
            d["outcome_label"] = self.outcome_label
            d["details"] = thaw(self.details)
            d["rules"] = [r.id for r in self.rules]
        return d


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """A policy area that was considered and does not apply to the case, and why: its
    ``applies_when`` in words and as written, and the decisions of other areas it read."""

    topic: str
    title: str
    applies_when: str  # in plain words
    condition: str  # as written in the rule language
    because: tuple[DecisionBasis, ...]  # decisions the condition went through
    text: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "title": self.title, "applies_when": self.applies_when,
                "condition": self.condition, "because": [b.to_dict() for b in self.because]}

    def __repr__(self) -> str:
        return f"NotApplicable({self.topic}: {self.applies_when})"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The result of evaluating one case on one date against one rulebase."""

    rulebase: Mapping[str, str]
    as_of: date
    case_id: str
    decisions: tuple[Decision, ...]
    not_applicable: tuple[NotApplicable, ...] = ()  # every area considered that does not apply

    def decision(self, topic: str) -> Decision | None:
        return next((d for d in self.decisions if d.topic == topic), None)

    def outcomes(self) -> dict[str, str]:
        return {d.topic: d.outcome for d in self.decisions}

    def __repr__(self) -> str:
        outcomes = ", ".join(f"{d.topic}={d.outcome}" for d in self.decisions)
        return (f"Evaluation(case {self.case_id} on {self.as_of.isoformat()}, "
                f"{self.rulebase.get('name')} {self.rulebase.get('version')}: {outcomes})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "rulebase": dict(self.rulebase),
            "as_of": self.as_of.isoformat(),
            "case_id": self.case_id,
            "decisions": [d.to_dict() for d in self.decisions],
            "not_applicable": [n.to_dict() for n in self.not_applicable],
        }

    def to_json(self, indent: int | None = 2) -> str:
        if indent is None or indent == 2:  # composed from each part's text, kept on the part
            text = evaluation_json(self)
            return text if indent is None else indented(text)
        return dumps(self.to_dict(), indent=indent)


def dumps(data: Any, indent: int | None = 2) -> str:
    """Deterministic JSON: fixed key order as built, UTF-8 text, no NaN; indented by two
    spaces from the compact text (:mod:`sen_rules.jsonwrite`), the same bytes as the
    standard library's indenting encoder, which is several times slower."""
    if indent is None or indent == 2:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text if indent is None else indented(text)
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False,
                      separators=(",", ": ") if indent else (",", ":"))


# ----------------------------------------------------------------------------- compact JSON
# Most parts of a decision are shared between evaluations: the rules cited (with their
# quotes), the settings, and whole decisions whose content does not depend on the case
# (``engine.decide.Outline``). Each part keeps its JSON text the first time it is written
# (the ``text`` slot: the classes are frozen), so writing an evaluation joins texts instead
# of encoding every quote again. The output is byte for byte ``dumps(to_dict(),
# indent=None)``: the JSON of an object is the JSON of its keys and values joined with the
# same separators (tests/test_result_json.py checks it on generated cases).

def _plain(value: Any) -> Any:
    """What the encoder cannot write itself: read-only mappings and dates (as :func:`thaw`)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


# read-only details are written as they are, without a plain copy first
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                           default=_plain).encode


def _kept(part: RuleRef | Finding | SettingUsed | NotApplicable) -> str:
    """A part's JSON, written once and kept on it (a list slot: the classes are frozen)."""
    text = part.text
    if not text:
        text.append(_encode(part.to_dict()))
    return text[0]


def _items(parts: tuple[Any, ...]) -> str:
    return "[" + ",".join([_kept(p) for p in parts]) + "]"


def decision_json(d: Decision) -> str:
    text = d.text
    if text:
        return text[0]
    fields = [
        '"topic":' + _encode(d.topic),
        '"title":' + _encode(d.title),
        '"outcome":' + _encode(d.outcome),
        '"outcome_label":' + _encode(d.outcome_label),
        '"details":' + _encode(d.details),
        '"rules":' + _items(d.rules),
        '"flags":' + _items(d.flags),
        '"notes":' + _items(d.notes),
        '"overridden":' + _encode(list(d.overridden)),
        '"settings":' + _items(d.settings),
    ]
    if d.uses:
        fields.append('"uses":' + _encode([u.to_dict() for u in d.uses]))
    written = "{" + ",".join(fields) + "}"
    text.append(written)
    return written


def evaluation_json(e: Evaluation) -> str:
    """``dumps(e.to_dict(), indent=None)``, from the parts' kept texts."""
    return ('{"rulebase":' + _encode(dict(e.rulebase))
            + ',"as_of":' + _encode(e.as_of.isoformat())
            + ',"case_id":' + _encode(e.case_id)
            + ',"decisions":[' + ",".join([decision_json(d) for d in e.decisions])
            + '],"not_applicable":['
            + ",".join([_kept(n) for n in e.not_applicable]) + "]}")
