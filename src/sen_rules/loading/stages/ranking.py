"""An area's ranking (built by stage "areas"): the list of the case it ranks, its checks
and preference criteria (each a pair of conditions about one item, cited, named by words
quoted from the policy), the order of the checks' tiers and the setting that names the
conflict policy."""

from __future__ import annotations

from typing import Any

from ... import codes
from ...language import ir
from ...language.checker import Scope
from ...language.types import BOOL
from ...rulebase import DEFAULT_CHECKS_TIERS, Criterion, Ranking
from ...sources import fold
from .. import schema
from ..citing import check_words, citations
from ..compilation import Compilation
from ..expressions import collection_item_type, expression, scope
from ..yamlfile import Path as YPath
from ..yamlfile import YamlDocument

CONFLICT_POLICIES = ("ordered", "pareto")


def build_ranking(c: Compilation, entry: schema.RankingEntry, area: str,
                  doc: YamlDocument) -> Ranking | None:
    """The checked ranking (None: reported)."""
    variable, coll_path = entry.candidates.split(" in ")
    item_type = collection_item_type(c, coll_path)
    loc = doc.where(("ranking", "candidates"))
    if item_type is None or item_type.kind != "object":
        c.error(codes.SR111, f"{coll_path!r} is not a list of items in the case", loc)
        return None
    coll = expression(c, coll_path, doc, ("ranking", "candidates"), scope(c, area))
    setting = c.settings.get(entry.conflict_policy_setting)
    if setting is None or setting.type != "choice" or not set(setting.choices or ()) <= set(
            CONFLICT_POLICIES):
        c.error(codes.SR116, f"conflict_policy_setting must name a choice setting whose "
                f"choices are among {', '.join(CONFLICT_POLICIES)}",
                doc.where(("ranking", "conflict_policy_setting")))
    items = criteria(c, entry, doc, scope(c, area, {variable: item_type}))
    check_words(c, entry.checks_words, entry.cites, doc, ("ranking", "checks_words"))
    tiers = tuple(entry.checks_tiers or DEFAULT_CHECKS_TIERS)
    if sorted(tiers) != sorted(DEFAULT_CHECKS_TIERS):
        c.error(codes.SR103, "checks_tiers must list met, not_met and not_known once each",
                doc.where(("ranking", "checks_tiers")))
        tiers = DEFAULT_CHECKS_TIERS
    if not isinstance(coll, ir.FieldRef):
        return None
    return Ranking(variable, coll, tuple(i for i in items if i.kind == "check"),
                   tuple(i for i in items if i.kind == "criterion"),
                   entry.conflict_policy_setting,
                   citations(c, entry.cites, doc, ("ranking", "cites")),
                   doc.where(("ranking",)), tiers,
                   fold(entry.checks_words) if entry.checks_words else None)


def criteria(c: Compilation, entry: schema.RankingEntry, doc: YamlDocument,
             item_scope: Scope) -> list[Criterion]:
    """The checks, then the criteria, in file order (those with a bad condition left out)."""
    items: list[Criterion] = []
    pairs: list[tuple[str, list[Any], str, str]] = [
        ("check", list(entry.checks), "met", "not_met"),
        ("criterion", list(entry.criteria), "prefer", "over")]
    for kind, entries, first, second in pairs:
        for i, item in enumerate(entries):
            path: YPath = ("ranking", "checks" if kind == "check" else "criteria", i)
            a = expression(c, getattr(item, first), doc, path + (first,), item_scope, BOOL)
            b = expression(c, getattr(item, second), doc, path + (second,), item_scope, BOOL)
            if not item.cites:
                c.error(codes.SR123, f"{kind} {item.id!r} cites nothing", doc.where(path))
            cites = citations(c, item.cites, doc, path + ("cites",))
            check_words(c, item.words, item.cites, doc, path + ("words",))
            if item.id in c.rule_keys:
                c.error(codes.SR105, f"id {item.id!r} is also used at {c.rule_keys[item.id]}",
                        doc.where(path + ("id",)))
            c.rule_keys.setdefault(item.id, doc.where(path))
            for rid in item.register_ids:
                c.register_refs.append((rid, doc.where(path)))
            if a is None or b is None:
                continue
            c.order += 1
            labels = ((item.prefer_label or "preferred", item.over_label or "less preferred")
                      if kind == "criterion" else ("met", "not met"))
            items.append(Criterion(item.id, kind, item.title, a, b, labels[0], labels[1],  # type: ignore[arg-type]
                                   c.order, cites, tuple(item.register_ids), doc.where(path),
                                   fold(item.words) if item.words else None))
    return items
