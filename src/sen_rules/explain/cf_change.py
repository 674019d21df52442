"""One change to the facts of a case: applied to JSON case data, said in words."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..language.printer import humanise
from ..values import NOT_RECORDED
from .values import path_words, say_json

JsonPath = tuple[str | int, ...]

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
            return f"{where} {NOT_RECORDED} (instead of {say_json(self.before)})"
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

