"""Values as the explainer shows them: the value table of :mod:`sen_rules.values` (JSON for
programs, plain words for people), and the explainer's own words for paths and rankings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..language.printer import humanise
from ..values import day_words as day_words
from ..values import say as say
from ..values import say_computed as say_computed
from ..values import say_json as say_json
from ..values import to_json as to_json


def path_words(path: str) -> str:
    """A field path in words: ``sen_support[1].started`` → ``sen support (entry 2) › started``."""
    out = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        text = humanise(name)
        while rest:
            index, _, rest = rest.partition("]")
            text += f" (entry {int(index) + 1})" if index.isdigit() else f" [{index}]"
            rest = rest[1:] if rest.startswith("[") else rest
        out.append(text)
    return " › ".join(out)


def checks_in_words(row: Mapping[str, Any], which: str) -> str:
    """A ranking row's shortfalls or checks to be assessed, in the policy's words."""
    ids = {"shortfalls": "shortfalls", "to_be_assessed": "not_known"}[which]
    words = row.get("shortfalls_in_words" if which == "shortfalls" else which)
    items = [f"“{w}”" for w in words] if words is not None else list(row[ids])
    return ", ".join(items) or "—"


_PLACES = {"check": {"prefer": "met", "over": "not met", "unknown": "to be assessed"},
           "criterion": {"prefer": "preferred", "over": "less preferred",
                         "unknown": "not known"}}


def place_in_words(kind: str, place: str) -> str:
    """A candidate's place on a ranking check or criterion, as the reports say it."""
    return _PLACES.get(kind, {}).get(place, place)
