"""The loaded rulebase: immutable, versioned, hashed.

Everything the engine, explainer, linter and renderer need is here, already checked:
rules with their compiled conditions and citations, settings with the dates they are in
force, definitions, areas with their hit policies, the placement ranking, and the source
texts. The sha256 covers the canonical content (rules, settings, sources), so the same
files give the same hash in every process, and reformatting a file does not change it.
The elements are in :mod:`.elements`, the epochs in :mod:`.epochs`, the content the hash
covers in :mod:`.rulebase_content`; their names are also importable from here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from .decision_graph import decision_order
from .elements import (
    DEFAULT_CHECKS_TIERS,
    FOREVER_FROM,
    FOREVER_UNTIL,
    Area,
    Citation,
    Criterion,
    Definition,
    Effect,
    HitPolicy,
    InForce,
    OutcomeSpec,
    Ranking,
    RegisterEntry,
    Rule,
    Setting,
    SettingVersion,
    rule_key,
    short,
)
from .epochs import Epoch, boundaries, conventions_from, epoch_on
from .language import ir
from .language.functions import FUNCTIONS
from .rulebase_content import canonical_content, sha256_of
from .sources import Source

__all__ = [
    "DEFAULT_CHECKS_TIERS",
    "FOREVER_FROM",
    "FOREVER_UNTIL",
    "Area",
    "Citation",
    "Criterion",
    "Definition",
    "Effect",
    "Epoch",
    "HitPolicy",
    "InForce",
    "OutcomeSpec",
    "Ranking",
    "Reads",
    "RegisterEntry",
    "Rule",
    "Rulebase",
    "Setting",
    "SettingVersion",
    "canonical_content",
    "conventions_from",
    "rule_key",
    "short",
]


@dataclass(frozen=True, slots=True)
class Reads:
    """What some expressions read, directly or through the definitions they use."""

    settings: frozenset[str]  # named in them (``settings.NAME``)
    function_settings: frozenset[str]  # read by the functions they call (date conventions)
    definitions: frozenset[str]  # keys of the definitions they use
    decisions: frozenset[tuple[str, str]] = frozenset()  # (area, field) of decisions read



@dataclass(frozen=True, eq=False)
class Rulebase:
    """A loaded, checked rulebase. Build one with :func:`sen_rules.load_rulebase`."""

    name: str
    version: str
    title: str
    description: str
    directory: str
    sources: Mapping[str, Source]
    settings: Mapping[str, Setting]
    definitions: Mapping[str, Definition]
    areas: tuple[Area, ...]
    register: tuple[RegisterEntry, ...]
    fixed_facts: tuple[str, ...]
    scenario_paths: tuple[str, ...]
    warnings: tuple[Any, ...] = field(default=())

    def __repr__(self) -> str:
        rules = sum(len(a.all_rules) for a in self.areas)
        return (f"Rulebase({self.name} {self.version}, sha256 {self.sha256[:12]}…, "
                f"{len(self.areas)} areas, {rules} rules, from {self.directory})")

    # ------------------------------------------------------------------ identity
    @cached_property
    def canonical(self) -> dict[str, Any]:
        """The content the hash covers: meaning, not formatting."""
        return canonical_content(self)

    @cached_property
    def sha256(self) -> str:
        return sha256_of(self.canonical)

    def identity(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256}

    # ------------------------------------------------------------------ lookups
    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule version, including each area's ``otherwise`` rule."""
        return tuple(rule for area in self.areas for rule in area.all_rules)

    @cached_property
    def rules_by_key(self) -> Mapping[str, Rule]:
        return {r.key: r for r in self.rules}

    def rule(self, rule_id: str) -> Rule | None:
        return self.rules_by_key.get(rule_id) or next(
            (r for r in self.rules if r.id == rule_id), None)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def definition_key(self, name: str, area: str | None) -> str:
        """The key of the definition that ``name`` means in ``area``: the area's own
        definition of that name, else the shared one (a key not in ``definitions`` when
        there is neither)."""
        if area is not None and f"{area}:{name}" in self.definitions:
            return f"{area}:{name}"
        return name

    def reads(self, roots: Iterable[tuple[str | None, ir.Expr]]) -> Reads:
        """What the expressions read, each given with the area it is read in (None: outside
        any area), following the definitions they use as the compiler resolves them."""
        settings: set[str] = set()
        by_functions: set[str] = set()
        used: set[str] = set()
        decisions: set[tuple[str, str]] = set()
        pending = list(roots)
        while pending:
            area, expr = pending.pop()
            for node in ir.walk(expr):
                if isinstance(node, ir.SettingRef):
                    settings.add(node.name)
                elif isinstance(node, ir.DecisionRef):
                    decisions.add((node.area, node.field))
                elif isinstance(node, ir.Call):
                    by_functions.update(FUNCTIONS[node.function].settings)
                elif isinstance(node, ir.DefinitionRef):
                    key = self.definition_key(node.name, area)
                    definition = self.definitions.get(key)
                    if definition is not None and key not in used:
                        used.add(key)
                        pending.append((definition.area, definition.expr))
        return Reads(frozenset(settings), frozenset(by_functions), frozenset(used),
                     frozenset(decisions))

    # ------------------------------------------------------------------ decision graph
    @cached_property
    def decision_order(self) -> tuple[Area, ...]:
        """The areas in the order they are decided: each after the areas whose decisions it
        uses, otherwise in manifest order (:mod:`sen_rules.decision_graph`)."""
        order = decision_order([a.id for a in self.areas], {a.id: a.uses for a in self.areas})
        by_id = {a.id: a for a in self.areas}
        return tuple(by_id[a] for a in order)

    @cached_property
    def used_decisions(self) -> frozenset[str]:
        """The areas whose decision some other area reads."""
        return frozenset(u for a in self.areas for u in a.uses)

    def area_reads(self, area: Area) -> Reads:
        """What an area's applies_when, rules (conditions and details) and ranking read."""
        roots: list[tuple[str | None, ir.Expr]] = []
        if area.applies_when is not None:
            roots.append((area.id, area.applies_when))
        for rule in area.all_rules:
            roots.append((area.id, rule.condition))
            roots.extend((area.id, e) for e in rule.details.values())
        if area.ranking is not None:
            roots.append((area.id, area.ranking.collection))
            for c in area.ranking.checks + area.ranking.criteria:
                roots.extend(((area.id, c.prefer), (area.id, c.over)))
        return self.reads(roots)

    # ------------------------------------------------------------------ effective dates
    @cached_property
    def _boundaries(self) -> list[date]:
        return boundaries(self.rules, self.settings)

    @cached_property
    def _epochs(self) -> dict[date, Epoch]:
        return {}

    def epoch(self, day: date) -> Epoch:
        """The rules and settings in force on ``day`` (cached per span of dates)."""
        bounds = self._boundaries
        start = bounds[bisect.bisect_right(bounds, day) - 1]
        cached = self._epochs.get(start)
        if cached is not None:
            return cached
        epoch = epoch_on(day, bounds, self.rules, self.settings)
        self._epochs[start] = epoch
        return epoch
