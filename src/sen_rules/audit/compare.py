"""Comparing a recorded evaluation (and trace) with the one a replay gives.

Two JSON values are *the same* when their canonical JSON (keys sorted, no spaces, ASCII:
the text the seal is computed over) is the same text: the order of an object's keys does
not count (the seal does not cover it), the order of a list does (decisions are in the
engine's fixed order), and so does the JSON type (``1``, ``1.0`` and ``true`` are three
values, although Python compares them equal).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..rulebase import rule_key, short
from .record import canonical_json


@dataclass(frozen=True)
class Difference:
    """One way a replayed decision differs from the recorded one."""

    topic: str
    what: str  # decision | outcome | rules | flags | notes | details | overridden | citations
    recorded: Any
    now: Any

    @property
    def text(self) -> str:
        if self.what == "decision":
            return (f"{self.topic}: a decision was {'made' if self.recorded else 'not made'} "
                    f"when recorded; now it is {'made' if self.now else 'not made'}")
        return f"{self.topic}: {self.what} was {_show(self.recorded)}, now {_show(self.now)}"

    def __repr__(self) -> str:
        return f"Difference({short(self.text, 100)})"

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "what": self.what, "recorded": self.recorded,
                "now": self.now, "text": self.text}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def same(recorded: Any, now: Any) -> bool:
    """The two JSON values are the same, type for type (see the module's text)."""
    return canonical_json(recorded) == canonical_json(now)


def first_difference(recorded: Any, now: Any, path: str = "trace") -> tuple[str, Any, Any] | None:
    """Where two JSON values first differ: (path, recorded part, replayed part). A key only
    one side has is named so in the path, and the other side is ``None``."""
    stack = [(path, recorded, now)]
    while stack:
        where, x, y = stack.pop()
        if same(x, y):
            continue
        if isinstance(x, dict) and isinstance(y, dict):
            for k in [k for k in x if k not in y] + [k for k in y if k not in x]:
                return _one_sided(f"{where}.{k}", x, y, k)
            stack.extend((f"{where}.{k}", x[k], y[k]) for k in reversed(list(x)))
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            stack.extend((f"{where}[{i}]", x[i], y[i]) for i in reversed(range(len(x))))
        else:
            return where, x, y
    return None


def _one_sided(where: str, x: Mapping[str, Any], y: Mapping[str, Any], key: str
               ) -> tuple[str, Any, Any]:
    if key in x:
        return f"{where} (a part the replay does not give)", x[key], None
    return f"{where} (a part the record lacks)", None, y[key]


_PARTS = ("outcome", "details", "flags", "notes", "overridden")


def compare_decisions(recorded: list[Any], now: list[Any]) -> list[Difference]:
    """What differs between two lists of decisions (JSON form), topic by topic."""
    before = {d.get("topic"): d for d in recorded if isinstance(d, dict)}
    after = {d["topic"]: d for d in now}
    out: list[Difference] = []
    for topic in list(before) + [t for t in after if t not in before]:
        a, b = before.get(topic), after.get(topic)
        if a is None or b is None:
            out.append(Difference(str(topic), "decision", a is not None, b is not None))
            continue
        out.extend(_compare_one(str(topic), a, b))
    return out


def _compare_one(topic: str, a: dict[str, Any], b: dict[str, Any]) -> list[Difference]:
    out: list[Difference] = []
    for part in _PARTS:
        x, y = a.get(part), b.get(part)
        if part in ("flags", "notes") and not same(x, y):
            codes_x = [f.get("code") for f in x or []]
            codes_y = [f.get("code") for f in y or []]
            if codes_x != codes_y:  # show the codes when they differ, else the findings
                x, y = codes_x, codes_y
        if not same(x, y):
            out.append(Difference(topic, part, x, y))
    rules_a = [_rule_key(r) for r in a.get("rules") or []]
    rules_b = [_rule_key(r) for r in b.get("rules") or []]
    if rules_a != rules_b:
        out.append(Difference(topic, "rules", rules_a, rules_b))
    elif not same(a.get("rules"), b.get("rules")):
        out.append(Difference(topic, "citations",
                              [r.get("citations") for r in a.get("rules") or []],
                              [r.get("citations") for r in b.get("rules") or []]))
    labels = ("title", "outcome_label")
    if not same([a.get(k) for k in labels], [b.get(k) for k in labels]):
        out.append(Difference(topic, "labels", [a.get("title"), a.get("outcome_label")],
                              [b.get("title"), b.get("outcome_label")]))
    known = set(_PARTS) | {"topic", "rules", *labels}
    for part in [k for k in a if k not in known] + [k for k in b if k not in known
                                                      and k not in a]:
        if part not in a or part not in b:  # a part only one side has
            out.append(Difference(topic, *_one_sided(part, a, b, part)))
        elif not same(a[part], b[part]):  # any other part
            out.append(Difference(topic, part, a[part], b[part]))
    return out


def compare_evaluations(recorded: Mapping[str, Any], now: Mapping[str, Any],
                        *, rulebase: bool = True) -> list[Difference]:
    """Every way the recorded evaluation differs from the replayed one: the decisions
    (topic by topic, then their order and anything else about them), the areas not in
    play and every other part the engine writes, with exactly the engine's keys.
    ``rulebase=False`` leaves out the evaluation's rulebase identity (for a replay under
    another rulebase, whose identity differs of course)."""
    decisions = recorded["decisions"], now["decisions"]
    out = compare_decisions(*decisions)
    if not out and not same(*decisions):
        topics = [[d.get("topic") for d in side] for side in decisions]
        if topics[0] != topics[1]:
            out.append(Difference("evaluation", "order of the decisions", *topics))
        else:  # anything else about them (a value of another JSON type, say)
            out.append(Difference("evaluation", *_found(decisions, "decisions")))
    skip = {"decisions"} if rulebase else {"decisions", "rulebase"}
    for key in [k for k in recorded if k not in skip] + [k for k in now if k not in skip
                                                            and k not in recorded]:
        if key not in recorded or key not in now:
            out.append(Difference("evaluation", *_one_sided(key, recorded, now, key)))
        elif not same(recorded[key], now[key]):
            out.append(Difference("evaluation", *_found((recorded[key], now[key]), key)))
    return out


def _found(pair: tuple[Any, Any], path: str) -> tuple[str, Any, Any]:
    found = first_difference(*pair, path)
    assert found is not None  # called only for values that are not the same
    return found


def _rule_key(r: Any) -> str:
    if not isinstance(r, dict):
        return repr(r)
    return rule_key(f"{r.get('id')}", r.get("version", "1"))
