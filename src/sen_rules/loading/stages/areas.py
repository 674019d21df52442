"""Stages "area files" and "areas": each policy area's file is read first (its id unique,
its own definitions collected), so that the decision graph and every definition are known;
then each area is built: its outcomes, its ``applies_when``, its rules (:mod:`.rules`), its
``otherwise`` rule, the rule names and details its rules refer to, its ranking
(:mod:`.ranking`)."""

from __future__ import annotations

from ... import codes
from ...errors import SourceLocation
from ...language.checker import Scope
from ...language.types import BOOL
from ...rulebase import Area, OutcomeSpec, Rule
from ...suggest import did_you_mean
from .. import schema
from ..citing import citations
from ..compilation import Compilation
from ..expressions import collection_item_type, expression, scope
from ..files import items, read
from ..yamlfile import YamlDocument
from .definitions import collect_definitions
from .ranking import build_ranking
from .rules import build_rule


def read_area_files(c: Compilation) -> None:
    seen: dict[str, SourceLocation] = {}
    for i, rel in enumerate(c.manifest.areas):
        result = read_area(c, rel, c.mdoc.where(("areas", i)), seen)
        if result is not None:
            c.loaded_areas.append(result)


def read_area(c: Compilation, relative: str, at: SourceLocation,
              seen: dict[str, SourceLocation]) -> tuple[schema.AreaFile, YamlDocument] | None:
    parsed, doc = read(c, relative, schema.AreaFile, "area", at)
    if parsed is None or doc is None:
        return None
    if parsed.area in seen:
        c.error(codes.SR105, f"area {parsed.area!r} is also defined at {seen[parsed.area]}",
                doc.where(("area",)))
        return None
    seen[parsed.area] = doc.where(("area",))
    c.area_files[parsed.area] = (parsed, doc)
    variable, var_type = None, None
    if parsed.ranking is not None:
        variable, coll_path = parsed.ranking.candidates.split(" in ")
        var_type = collection_item_type(c, coll_path)
    definitions = items(c, doc, ("definitions",), parsed.definitions,
                        schema.DefinitionEntry, "definition")
    collect_definitions(c, definitions, doc, ("definitions",), parsed.area, variable, var_type)
    return parsed, doc


def build_areas(c: Compilation) -> None:
    c.areas = tuple(build_area(c, parsed, doc, i)
                    for i, (parsed, doc) in enumerate(c.loaded_areas))


def build_area(c: Compilation, parsed: schema.AreaFile, doc: YamlDocument,
               index: int) -> Area:
    aid = parsed.area
    outcome_values = [o.value for o in parsed.outcomes]
    if len(set(outcome_values)) != len(outcome_values):
        c.error(codes.SR105, f"area {aid!r} lists an outcome twice", doc.where(("outcomes",)))
    area_scope = scope(c, aid)
    applies = None
    if parsed.applies_when is not None:
        applies = expression(c, parsed.applies_when, doc, ("applies_when",), area_scope, BOOL)
    applies_cites = citations(c, parsed.applies_cites, doc, ("applies_cites",))
    rules: list[Rule] = []
    for entry in items(c, doc, ("rules",), parsed.rules, schema.RuleEntry, "rule"):
        rule = build_rule(c, entry, aid, doc, c.item_paths[id(entry)], outcome_values,
                          area_scope)
        if rule is not None:
            rules.append(rule)
    otherwise = build_otherwise(c, parsed, doc, outcome_values, area_scope)
    check_references(c, parsed, doc, rules)
    ranking = build_ranking(c, parsed.ranking, aid, doc) if parsed.ranking else None
    return Area(aid, parsed.title, parsed.summary, doc.file, applies, applies_cites,
                parsed.hit_policy, tuple(OutcomeSpec(o.value, o.label)
                                         for o in parsed.outcomes),
                otherwise, dict(parsed.combine), tuple(rules), ranking, index,
                tuple(parsed.uses))


def build_otherwise(c: Compilation, parsed: schema.AreaFile, doc: YamlDocument,
                    outcome_values: list[str], area_scope: Scope) -> Rule | None:
    """The rule that decides when no outcome rule matches: a rule that always holds, last."""
    if parsed.otherwise is None:
        return None
    o = parsed.otherwise
    return build_rule(
        c, schema.RuleEntry(id=o.id, title=o.title, when="true", outcome=o.outcome,
                            message=o.message, details=o.details, cites=o.cites,
                            register=o.register_ids, priority=10_000),
        parsed.area, doc, ("otherwise",), outcome_values, area_scope)


def check_references(c: Compilation, parsed: schema.AreaFile, doc: YamlDocument,
                     rules: list[Rule]) -> None:
    """``when_decided_by`` names outcome rules of the area; ``combine`` names details its
    rules give."""
    aid = parsed.area
    deciding_ids = {r.id for r in rules if r.effect == "outcome"}
    for r in rules:
        for rid in r.when_decided_by:
            if rid not in deciding_ids:
                c.error(codes.SR104, f"rule {r.id!r}: 'when_decided_by' names {rid!r}, which "
                        f"is not an outcome rule of area {aid!r}"
                        + did_you_mean(rid, sorted(deciding_ids)), r.location)
    for key in parsed.combine:
        if not any(key in r.details for r in rules):
            c.error(codes.SR107, f"combine names {key!r}, but no rule of {aid!r} gives that "
                    "detail", doc.where(("combine", key)))
