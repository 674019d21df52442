"""The compact form of an explanation: what this case made of the rulebase, and nothing the
rulebase already holds.

The full form repeats, for every case, each rule's title, its condition as text, its
citations with their quotes, every definition's title and the words of every reason; all
of these are the same for every case that meets the same rule version. The compact form
keeps what the case made of them: each decision, each rule's version, whether it fired
and its role, the value of every node the engine evaluated with the facts it read, the
definitions the engine computed, and the ranking of each candidate. A rule is named by its
id and version, a definition by its key, a node by its place among the parts of its
parent's expression, and the rulebase by its sha256; the text left out is read back from
that rulebase (``docs/auditing.md``, "The compact JSON form"). Nodes computed only for
information (``evaluated: false`` in the full form) and constants are left out.

The form is deterministic (the same explanation always gives the same bytes) and its keys
are a subset of the full form's, in the same places.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..engine.result import (
    Decision,
    DecisionBasis,
    Evaluation,
    Finding,
    NotApplicable,
    RuleRef,
    thaw,
)
from ..language import ir
from ..rulebase import Criterion, Rule, Rulebase, rule_key
from .trace import AreaTrace, DefinitionTrace, Node, Trace
from .values import to_json

FORMS = ("full", "compact")


def rule_of(rulebase: Rulebase, rule_id: str, version: str) -> Rule | Criterion:
    """What a compact explanation names by id and version, from the rulebase whose sha256
    it gives: a rule version (its title, citations with their quotes, and condition as the
    engines test it, ``when_in_force``), or a placement check or criterion (version 1, as
    the decisions cite them)."""
    found = rulebase.rules_by_key.get(rule_key(rule_id, version))
    if found is not None:
        return found
    for area in rulebase.areas:
        if area.ranking is not None and version == "1":
            for c in area.ranking.checks + area.ranking.criteria:
                if c.id == rule_id:
                    return c
    raise KeyError(f"{rule_id} version {version} is not in rulebase {rulebase.name} "
                   f"{rulebase.version}")


def node_to_compact(n: Node) -> dict[str, Any]:
    """An evaluated node: its value, the facts it read and its evaluated parts, each at its
    place among the parts of the expression (``null`` for a part not evaluated or constant;
    a definition about a ranked item has its body as its one part)."""
    d: dict[str, Any] = {"value": n.value_json()}
    if n.error:
        d["error"] = n.error
    if n.definition is not None:
        d["definition"] = n.definition
    if n.reads:
        d["reads"] = [{"path": p, "value": to_json(v)} for p, v in n.reads]
    if n.children:
        parts = [node_to_compact(c) if c.evaluated and not ir.is_constant(c.expr) else None
                 for c in n.children]
        if any(p is not None for p in parts):
            d["children"] = parts
    items = [{"index": i.index, "path": i.path,
              **({"condition": node_to_compact(i.node)} if i.node else {})}
             for i in n.items if i.node is None or i.node.evaluated]
    if items:
        d["items"] = items
    if n.items_omitted:
        d["items_omitted"] = n.items_omitted
    return d




def area_to_compact(at: AreaTrace) -> dict[str, Any]:
    d: dict[str, Any] = {"topic": at.area.id, "applies": at.applies}
    if at.applies_node is not None:
        d["applies_when"] = node_to_compact(at.applies_node)
    if not at.applies:
        return d
    d["outcome"] = at.outcome
    d["deciding"] = list(at.deciding)
    d["overridden"] = list(at.overridden)
    d["rules"] = [{"id": rt.rule.id, "version": rt.rule.version, "fired": rt.fired,
                   "role": rt.role, "condition": node_to_compact(rt.node)}
                  for rt in at.rules]
    if at.candidates:
        d["ranking"] = [
            {"index": c.index, "path": c.path,
             "criteria": [{"id": el.criterion, "place": el.place,
                           "prefer": node_to_compact(el.prefer),
                           "over": node_to_compact(el.over)}
                          for el in c.elements]}
            for c in at.candidates]
    return d


def definitions_to_compact(found: Iterable[DefinitionTrace]) -> dict[str, Any]:
    """The definitions the engine computed for the decisions (not those met only in parts
    computed for information)."""
    out: dict[str, Any] = {}
    for dt in found:
        if not dt.used:
            continue
        d: dict[str, Any] = {"value": to_json(dt.value)}
        if dt.error:
            d["error"] = dt.error
        if dt.node is not None:
            d["condition"] = node_to_compact(dt.node)
        out[dt.key] = d
    return out


def trace_to_compact(trace: Trace) -> dict[str, Any]:
    return {"areas": [area_to_compact(at) for at in trace.areas],
            "definitions": definitions_to_compact(trace.definitions.values())}


def _rule_ref(r: RuleRef) -> dict[str, Any]:
    d: dict[str, Any] = {"id": r.id, "version": r.version, "role": r.role}
    if r.chosen_by is not None and r.chosen_by.date is not None:
        d["version_chosen_by"] = {"date": r.chosen_by.date.isoformat()}
    return d


def _findings(found: Iterable[Finding]) -> list[dict[str, Any]]:
    return [{"code": f.code, "rule": f.rule, **({"details": thaw(f.details)} if f.details
                                                  else {})}
            for f in found]


def decision_to_compact(d: Decision) -> dict[str, Any]:
    out: dict[str, Any] = {
        "topic": d.topic, "outcome": d.outcome, "details": thaw(d.details),
        "rules": [_rule_ref(r) for r in d.rules],
        "flags": _findings(d.flags), "notes": _findings(d.notes),
        "overridden": list(d.overridden),
        "settings": [{"name": s.name, "value": thaw(s.value)} for s in d.settings],
    }
    if d.uses:
        out["uses"] = [_basis(u) for u in d.uses]
    return out


def _basis(u: DecisionBasis) -> dict[str, Any]:
    d: dict[str, Any] = {"topic": u.topic, "applies": u.applies}
    if u.applies:
        d["outcome"] = u.outcome
        d["details"] = thaw(u.details)
        d["rules"] = [r.id for r in u.rules]
    return d


def _not_applicable(n: NotApplicable) -> dict[str, Any]:
    return {"topic": n.topic, "because": [_basis(b) for b in n.because]}


def evaluation_to_compact(e: Evaluation) -> dict[str, Any]:
    """The decisions, each rule cited by id and version (its title, citations and quotes
    are the rulebase's), each setting by name with the value it had."""
    return {"decisions": [decision_to_compact(d) for d in e.decisions],
            "not_applicable": [_not_applicable(n) for n in e.not_applicable]}
