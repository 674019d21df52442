"""Changes a forger could make to an unkeyed record before sealing it again: every one of them
touches something a reader relies on, so verification must say "differs" for each (shared by
the record tests and the decision log's replay tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def edit_at(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets the value at ``path`` of a record's data."""
    def edit(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return edit


RESEALED: dict[str, Callable[[dict[str, Any]], None]] = {
    "a flag's text": edit_at(("evaluation", "decisions", 1, "flags", 0, "message"), "All fine."),
    "a flag's rule": edit_at(("evaluation", "decisions", 1, "flags", 0, "rule"), "other-rule"),
    "a note's text": edit_at(("evaluation", "decisions", 0, "notes", 0, "message"), "Nothing."),
    "a rule id": edit_at(("evaluation", "decisions", 0, "rules", 0, "id"), "other-rule"),
    "an outcome": edit_at(("evaluation", "decisions", 0, "outcome"), "early_years_panel"),
    "a decision's details": edit_at(("evaluation", "decisions", 1, "details"), {"x": 1}),
    "the trace": edit_at(("trace", "areas", 0, "rules", 0, "fired"), True),
}
