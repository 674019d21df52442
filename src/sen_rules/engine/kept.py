"""Values worked out once per key and kept, up to a bound: the engine's caches of what is
the same for every case that reaches them (decision outlines, the decisions read, ranking
standings, layers and steps)."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Kept(dict[K, V]):
    """A dict that keeps at most ``limit`` entries; past them a value is worked out each
    time it is asked for, so a stream of unusual cases cannot grow it without bound. No
    lock: a value two threads work out at once is equal, whichever is kept."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: K, value: V) -> V:
        """``value``, kept under ``key`` while there is room."""
        if len(self) < self.limit:
            self[key] = value
        return value
