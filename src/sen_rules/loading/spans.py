"""The spans of dates in which a rule or a setting version is in force."""

from __future__ import annotations

from .. import codes
from ..rulebase import FOREVER_FROM, FOREVER_UNTIL, InForce
from . import schema
from .compilation import Compilation
from .yamlfile import Path as YPath
from .yamlfile import YamlDocument


def in_force(c: Compilation, entry: schema.InForceEntry | None, doc: YamlDocument,
             path: YPath) -> InForce:
    """The span an ``in_force`` entry gives (always, when there is none)."""
    if entry is None:
        return InForce()
    span = InForce(entry.from_ or FOREVER_FROM, entry.until or FOREVER_UNTIL)
    if span.start > span.end:
        c.error(codes.SR144, "in_force: 'from' is after 'until'", doc.where(path))
    return span


def covers_all_dates(spans: list[InForce]) -> bool:
    """Whether sorted spans follow one another with no gap or overlap, from the earliest
    date to the latest."""
    if not spans or spans[0].start != FOREVER_FROM or spans[-1].end != FOREVER_UNTIL:
        return False
    for a, b in zip(spans, spans[1:], strict=False):
        if a.end == FOREVER_UNTIL or b.start.toordinal() != a.end.toordinal() + 1:
            return False
    return True
