"""The engine's JSON output, reduced to the shape :func:`reference.policy.decide` returns.

Works on the documented JSON (``Evaluation.to_dict()``), so the reference package needs
nothing of the engine. Keeps what the policy decides (outcome, deciding rules, details,
flags and notes with their details) and drops presentation (titles, labels, citations).
"""

from __future__ import annotations

from typing import Any


def _rule_key(ref: dict[str, Any]) -> str:
    return ref["id"] if ref["version"] == "1" else f"{ref['id']}@{ref['version']}"


def _placement_details(details: dict[str, Any]) -> dict[str, Any]:
    return {
        "conflict_policy": details["conflict_policy"],
        "recommended": details["recommended"],
        "ranking": [{"rank": row["rank"], "candidate": row["candidate"],
                     "shortfalls": row["shortfalls"], "not_known": row["not_known"],
                     "criteria": row["criteria"]} for row in details["ranking"]],
        "steps": [{"higher": st["higher"], "lower": st["lower"], "tie": st["tie"],
                   "decided_by": st["decided_by"], "favours_higher": st["favours_higher"],
                   "conflicts": [c["criterion"] for c in st["conflicts"]]}
                  for st in details["steps"]],
    }


def summarise(evaluation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """topic -> {outcome, because, details, flags, notes}, from ``Evaluation.to_dict()``."""
    out: dict[str, dict[str, Any]] = {}
    for d in evaluation["decisions"]:
        details = d["details"]
        if d["topic"] == "placement":
            details = _placement_details(details)
        out[d["topic"]] = {
            "outcome": d["outcome"],
            "because": sorted(_rule_key(r) for r in d["rules"]
                              if r["role"] in ("outcome", "otherwise")),
            "details": details,
            "flags": {f["code"]: f.get("details", {}) for f in d["flags"]},
            "notes": {n["code"]: n.get("details", {}) for n in d["notes"]},
        }
    return out


def differences(expected: dict[str, Any], actual: dict[str, Any], path: str = "") -> list[str]:
    """Where two summaries differ, one line per difference (empty when they agree)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[str] = []
        for key in sorted(set(expected) | set(actual)):
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                found.append(f"{where}: missing from the engine (reference: {expected[key]!r})")
            elif key not in expected:
                found.append(f"{where}: not in the reference (engine: {actual[key]!r})")
            else:
                found.extend(differences(expected[key], actual[key], where))
        return found
    if expected != actual:
        return [f"{path}: reference {expected!r}, engine {actual!r}"]
    return []
