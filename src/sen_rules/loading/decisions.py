"""The loader's checks of the decision graph: ``uses`` and ``decisions.AREA.FIELD``.

A mixin of the loader (:mod:`.loader`), kept apart so that each file has one job: what an
area's decision offers to read (its outcomes, its details typed from the expressions of its
outcome rules), and the checks of the graph itself: unknown areas, an area that uses itself,
a circle of areas (named), and a declared decision nothing reads (a warning). The checks of
each ``decisions.X.Y`` an expression reads are in :mod:`sen_rules.language.checker`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from ..decision_graph import find_cycle
from ..language.checker import CheckError, DecisionType, Scope, compile_expression
from ..language.syntax import ParseError
from ..language.types import NUMBER, STRING, Type
from . import schema
from .yamlfile import YamlDocument


class DecisionGraphChecks:
    """What the loader knows of the decision graph, and its checks."""

    area_files: dict[str, tuple[schema.AreaFile, YamlDocument]]
    decision_types: dict[str, DecisionType]
    typing_decisions: set[str]
    decision_reads: set[tuple[str | None, str]]  # (reading area, area read)
    error: Callable[..., None]
    scope: Callable[..., Scope]

    def init_decision_graph(self) -> None:
        self.area_files = {}
        self.decision_types = {}
        self.typing_decisions = set()
        self.decision_reads = set()

    def decision_type(self, area: str) -> DecisionType | None:
        """What can be read of an area's decision: its outcomes, and its details typed from
        the expressions of its outcome rules (None: no such area)."""
        found = self.decision_types.get(area)
        if found is not None:
            return found
        loaded = self.area_files.get(area)
        if loaded is None:
            return None
        parsed = loaded[0]
        outcomes = tuple(o.value for o in parsed.outcomes)
        if area in self.typing_decisions:  # a circle of areas: reported as SR134
            return DecisionType(area, outcomes, {})
        self.typing_decisions.add(area)
        texts: list[tuple[str, Any]] = []
        for raw in parsed.rules:
            if isinstance(raw, dict) and raw.get("outcome") is not None \
                    and isinstance(raw.get("details"), dict):
                texts.extend(raw["details"].items())
        if parsed.otherwise is not None:
            texts.extend(parsed.otherwise.details.items())
        details: dict[str, Type | str] = {}
        try:
            scope = self.scope(area)
            for name, text in texts:
                if not isinstance(text, str):
                    continue
                try:
                    expr = compile_expression(text, scope, lambda offset: None)
                except (ParseError, CheckError):
                    continue  # reported where the area itself is built
                details[name] = _merge_detail(details.get(name), expr.type)
        finally:
            self.typing_decisions.discard(area)
        found = DecisionType(area, outcomes, details)
        self.decision_types[area] = found
        return found

    def check_uses(self) -> None:
        """Each ``uses`` names a known area, once, not itself; the areas form no circle."""
        for aid, (parsed, doc) in self.area_files.items():
            for i, used in enumerate(parsed.uses):
                loc = doc.where(("uses", i))
                if used not in self.area_files:
                    self.error("SR130", f"area {aid!r} uses unknown area {used!r}"
                               + _did_you_mean(used, list(self.area_files)), loc)
                elif used == aid:
                    self.error("SR134", f"area {aid!r} cannot use its own decision", loc)
                elif parsed.uses.index(used) != i:
                    self.error("SR105", f"area {aid!r} lists {used!r} twice in 'uses'", loc)
        uses = {aid: [u for u in p.uses if u != aid] for aid, (p, _) in self.area_files.items()}
        cycle = find_cycle(list(self.area_files), uses)
        if cycle is not None:
            parsed, doc = self.area_files[cycle[0]]
            where = doc.where(("uses", parsed.uses.index(cycle[1])))
            self.error("SR134", "areas use each other's decisions in a circle: "
                       + " -> ".join(cycle) + "; none of them could be decided first", where)

    def check_uses_read(self) -> None:
        """A declared ``uses`` that nothing in the area reads is a warning (SR135)."""
        for aid, (parsed, doc) in self.area_files.items():
            for i, used in enumerate(parsed.uses):
                if used in self.area_files and used != aid \
                        and (aid, used) not in self.decision_reads:
                    self.error("SR135", f"area {aid!r} declares that it uses the decision of "
                               f"{used!r} but nothing in it reads decisions.{used}",
                               doc.where(("uses", i)), "warning")


def _did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


_READABLE = ("bool", "number", "string", "date")


def _merge_detail(before: Type | str | None, typ: Type) -> Type | str:
    """The type of a detail given by several rules (or why another area cannot read it)."""
    if typ.kind not in _READABLE:
        return f"it is {typ}; only yes/no, number, text and date details can be read"
    if before is None or isinstance(before, str):
        return before if isinstance(before, str) else typ
    if before.kind != typ.kind:
        return f"its rules give it as {before} and as {typ}"
    if before.enum and typ.enum:
        return Type("string", enum=tuple(dict.fromkeys(before.enum + typ.enum)))
    if before.kind == "string" and before.enum != typ.enum:
        return STRING
    if before.kind == "number" and before.integer != typ.integer:
        return NUMBER
    return before
