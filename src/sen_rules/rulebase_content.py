"""The canonical content of a rulebase: what its sha256 covers (meaning, not formatting:
the compiled conditions in canonical text, the settings' values, the sources' hashes and
clause indexes), so that the same rules give the same hash in every process."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from .elements import Criterion, Rule
from .language import ir
from .language.printer import canonical

if TYPE_CHECKING:
    from .rulebase import Rulebase


def sha256_of(content: dict[str, Any]) -> str:
    """The sha256 of canonical content, as JSON with sorted keys and no spaces."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _expr(e: ir.Expr | None) -> str | None:
    return None if e is None else canonical(e)


def _rule_content(r: Rule) -> dict[str, Any]:
    in_force: dict[str, str | None] = r.in_force.as_dict()
    if r.dated_by is not None:
        in_force["dated_by"] = canonical(r.dated_by)
        in_force["date_of"] = r.date_of
    content: dict[str, Any] = {
        "id": r.id, "version": r.version, "title": r.title, "area": r.area,
        "when": canonical(r.condition), "effect": r.effect, "value": r.value,
        "message": r.message, "details": {k: canonical(v) for k, v in r.details.items()},
        "priority": r.priority, "in_force": in_force, "when_outcome": r.when_outcome,
        "cites": [c.as_dict() for c in r.citations], "register": list(r.register),
    }
    if r.when_decided_by:
        content["when_decided_by"] = list(r.when_decided_by)
    return content


def _criterion_content(c: Criterion) -> dict[str, Any]:
    content = {"id": c.id, "kind": c.kind, "title": c.title, "prefer": canonical(c.prefer),
               "over": canonical(c.over), "labels": [c.prefer_label, c.over_label],
               "cites": [x.as_dict() for x in c.citations]}
    if c.words is not None:
        content["words"] = c.words
    return content


def canonical_content(rb: Rulebase) -> dict[str, Any]:
    def value(v: Any) -> Any:
        return v.isoformat() if isinstance(v, date) else v

    return {
        "name": rb.name,
        "version": rb.version,
        "sources": {
            sid: {"sha256": s.sha256, "clauses": {c.id: [c.kind, c.line, c.normative]
                                                   for c in s.clauses.values()}}
            for sid, s in sorted(rb.sources.items())
        },
        "settings": {
            name: {"type": s.type, "choices": s.choices,
                   "versions": [[value(v.value) if not isinstance(v.value, (list, tuple))
                                 else [value(x) for x in v.value], v.in_force.as_dict()]
                                for v in s.versions]}
            for name, s in sorted(rb.settings.items())
        },
        "definitions": {n: [d.area, d.variable, canonical(d.expr)]
                        for n, d in sorted(rb.definitions.items())},
        "areas": [
            {
                "id": a.id, "uses": list(a.uses), "hit_policy": a.hit_policy,
                "applies_when": _expr(a.applies_when),
                "outcomes": [[o.value, o.label, list(o.notes)] for o in a.outcomes],
                "combine": dict(sorted(a.combine.items())),
                "otherwise": _rule_content(a.otherwise) if a.otherwise else None,
                "rules": [_rule_content(r) for r in a.rules],
                "ranking": None if a.ranking is None else {
                    "variable": a.ranking.variable,
                    "collection": canonical(a.ranking.collection),
                    "checks": [_criterion_content(c) for c in a.ranking.checks],
                    "criteria": [_criterion_content(c) for c in a.ranking.criteria],
                    "conflict_policy": a.ranking.conflict_policy,
                    "checks_tiers": list(a.ranking.checks_tiers),
                    "checks_words": a.ranking.checks_words,
                },
            }
            for a in rb.areas
        ],
        "fixed_facts": list(rb.fixed_facts),
    }
