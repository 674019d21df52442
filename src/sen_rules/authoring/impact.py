"""Which areas a change to the rules can affect: the others decide the same on every case.

An area's decision is a function of the case, the date and what the area is made of: its
own content (conditions, outcomes, rules in force, citations, ranking), the settings and
definitions its expressions read (directly or through definitions), the decisions of the
areas it uses, and the source texts its citations quote. Where a thing is written (file,
line, position among all the rules) is not part of it; the order of the rules within the
area is. When all of that is equal under two rulebases, the area decides the same under
both for every case and date, so ``sen-rules diff`` need not evaluate it at all.

The comparison is deliberately conservative: anything it cannot show equal counts as a
change (the area is then evaluated under both, as if this module did not exist).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ..elements import Area, Criterion, Rule
from ..language import ir
from ..language.printer import canonical
from ..rulebase import Rulebase

_WHERE = frozenset({"location", "file", "order", "loc"})  # where it is written, not what


def changed_areas(old: Rulebase, new: Rulebase) -> frozenset[str]:
    """The areas (of either rulebase) whose decision may differ between ``old`` and
    ``new`` on some case; every other area decides the same under both."""
    everything = frozenset(a.id for a in old.areas) | frozenset(a.id for a in new.areas)
    if (_sources(old) != _sources(new) or old.fixed_facts != new.fixed_facts
            or not (_in_order(old) and _in_order(new))):
        return everything
    changed = set(everything)
    for area in old.areas:
        other = new.area(area.id)
        if other is not None and _area_content(old, area) == _area_content(new, other):
            changed.discard(area.id)
    # an area that uses a changed decision is changed (its ``uses`` are its content, so
    # they are the same under both); the decision order has each after what it uses
    for area in new.decision_order:
        if any(u in changed for u in area.uses):
            changed.add(area.id)
    return frozenset(changed)


def needed_areas(rulebase: Rulebase, areas: frozenset[str]) -> frozenset[str]:
    """``areas`` of ``rulebase`` and every area whose decision they use, directly or not."""
    by_id = {a.id: a for a in rulebase.areas}
    needed: set[str] = set()
    pending = [a for a in areas if a in by_id]
    while pending:
        area = pending.pop()
        if area not in needed:
            needed.add(area)
            pending.extend(by_id[area].uses)
    return frozenset(needed)


def _sources(rb: Rulebase) -> Any:
    return _content(rb.canonical["sources"])


def _in_order(rb: Rulebase) -> bool:
    """Whether each area's rules and criteria are listed in their order (then the listing
    carries the order, and the positions among all the rules need not be compared)."""
    lists: list[tuple[Rule | Criterion, ...]] = []
    for area in rb.areas:
        lists.append(area.rules)
        if area.ranking is not None:
            lists.extend((area.ranking.checks, area.ranking.criteria))
    return all(list(items) == sorted(items, key=lambda x: x.order) for items in lists)


def _area_content(rb: Rulebase, area: Area) -> Any:
    """What the area's decision depends on in ``rb``, apart from the areas it uses."""
    roots: list[tuple[str | None, ir.Expr]] = []
    for rule in area.all_rules:
        roots.extend((area.id, e) for e in (rule.dated_by, rule.guarded) if e is not None)
    reads = rb.reads(roots)
    own = rb.area_reads(area)
    settings = sorted(reads.settings | reads.function_settings | own.settings
                      | own.function_settings
                      | ({area.ranking.conflict_policy} if area.ranking else set()))
    definitions = sorted(reads.definitions | own.definitions)
    return (_content(area),
            tuple((n, _content(rb.settings.get(n))) for n in settings),
            tuple((k, _content(rb.definitions.get(k))) for k in definitions))


def _content(value: Any) -> Any:
    """A value with everything that can matter to a decision and nothing of where it is
    written: dataclasses field by field, expressions as their canonical text and source."""
    if isinstance(value, ir.Expr):
        return ("expr", canonical(value), value.source)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple(
            (f.name, _content(getattr(value, f.name)))
            for f in dataclasses.fields(value) if f.name not in _WHERE))
    if isinstance(value, Mapping):
        return ("map", tuple((k, _content(v)) for k, v in value.items()))
    if isinstance(value, (tuple, list)):
        return tuple(_content(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_content(v)) for v in value)))
    return value
