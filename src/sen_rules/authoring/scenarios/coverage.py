"""Coverage: what a set of scenario runs exercised, counted by an observer of each run.

Which rules fired in some scenario (every rule version, ``otherwise`` rules and ranking
checks and criteria: the rules the decision engine used), which atoms of each condition
(the parts joined by ``and``, ``or`` and ``not``) were seen both true and false, and which
cited clauses of the policy were exercised by a rule that fired.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine.native import Env, Matches, Observer, Program
from ...errors import SenRulesError
from ...language import ir
from ...language.printer import canonical
from ...rulebase import Rulebase

# the roles of the rules a decision cites (engine.decide.rule_roles)
USED = frozenset({"decided", "decided (otherwise)", "flag raised", "note raised"})


def atoms(e: ir.Expr) -> list[ir.Expr]:
    """The parts of a condition joined by and, or and not (constants left out)."""
    if isinstance(e, ir.BoolOp):
        return [a for i in e.items for a in atoms(i)]
    if isinstance(e, ir.Not):
        return atoms(e.operand)
    if isinstance(e, ir.Const):
        return []
    return [e]


ConditionItem = tuple[str, int, ir.Expr, "str | None"]


class CoverageObserver(Observer):
    """Counts one scenario run: the value of each atom the evaluation went through, and
    the rules the decision engine used."""

    def __init__(self, conditions: list[ConditionItem]) -> None:
        self.owners: dict[int, list[tuple[str, int]]] = {}
        for owner, i, atom, _ in conditions:
            self.owners.setdefault(id(atom), []).append((owner, i))
        self.values: dict[tuple[str, int], bool] = {}
        self.used: set[str] = set()

    def leave(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        owners = self.owners.get(id(node))
        if owners is not None:
            for owner in owners:
                self.values.setdefault(owner, bool(value))

    def decided(self, area: str, outcome: str, deciding: tuple[str, ...],
                overridden: tuple[str, ...], roles: Mapping[str, str]) -> None:
        self.used.update(key for key, role in roles.items() if role in USED)


def value_of(program: Program, e: ir.Expr, area: str | None, env: Env) -> Any:
    """The value of a node by the program's own closure (None when it cannot be computed
    on its own: an unknown variable, a decision not made)."""
    try:
        return program.function(e, area)(env)
    except (SenRulesError, KeyError):
        return None


@dataclass
class Coverage:
    """What a set of scenarios exercised."""

    rulebase: Rulebase
    fired: dict[str, list[str]] = field(default_factory=dict)  # item key -> scenario names
    seen_true: set[tuple[str, int]] = field(default_factory=set)
    seen_false: set[tuple[str, int]] = field(default_factory=set)
    scenarios: int = 0

    # the items measured
    def rule_items(self) -> list[tuple[str, str, str]]:
        """(key, area, kind) of every rule version, otherwise rule, check and criterion."""
        out: list[tuple[str, str, str]] = [(r.key, r.area, r.effect)
                                           for r in self.rulebase.rules]
        for area in self.rulebase.areas:
            if area.ranking is not None:
                out += [(c.id, area.id, c.kind)
                        for c in area.ranking.checks + area.ranking.criteria]
        return out

    def condition_items(self) -> list[tuple[str, int, ir.Expr, str | None]]:
        """(owner, index, atom, area): each atom of each condition and applies_when."""
        out: list[tuple[str, int, ir.Expr, str | None]] = []
        for area in self.rulebase.areas:
            if area.applies_when is not None:
                out += [(f"{area.id}:applies_when", i, a, area.id)
                        for i, a in enumerate(atoms(area.applies_when))]
            for rule in area.rules:
                out += [(rule.key, i, a, area.id) for i, a in enumerate(atoms(rule.condition))]
        return out

    def clause_items(self) -> dict[tuple[str, str], list[str]]:
        """Each clause cited by a rule, with the rules (and criteria) that cite it."""
        out: dict[tuple[str, str], list[str]] = {}
        for rule in self.rulebase.rules:
            for c in rule.citations:
                out.setdefault((c.source, c.clause), []).append(rule.key)
        for area in self.rulebase.areas:
            if area.ranking is not None:
                for k in area.ranking.checks + area.ranking.criteria:
                    for c in k.citations:
                        out.setdefault((c.source, c.clause), []).append(k.id)
        return out

    # the figures
    def rules_figure(self) -> tuple[int, int]:
        items = self.rule_items()
        return sum(1 for k, _, _ in items if k in self.fired), len(items)

    def conditions_figure(self) -> tuple[int, int]:
        items = self.condition_items()
        both = sum(1 for o, i, _, _ in items
                   if (o, i) in self.seen_true and (o, i) in self.seen_false)
        return both, len(items)

    def clauses_figure(self) -> tuple[int, int]:
        items = self.clause_items()
        done = sum(1 for users in items.values() if any(u in self.fired for u in users))
        return done, len(items)

    @staticmethod
    def percent(done: int, total: int) -> float:
        return 100.0 if total == 0 else 100.0 * done / total

    def rule_percent(self) -> float:
        return self.percent(*self.rules_figure())

    def summary_lines(self) -> list[str]:
        lines = []
        for label, (done, total) in (("rules fired", self.rules_figure()),
                                     ("conditions seen true and false",
                                      self.conditions_figure()),
                                     ("cited clauses exercised", self.clauses_figure())):
            lines.append(f"  {label:<32} {done:>4} / {total:<4} "
                         f"{self.percent(done, total):6.1f}%")
        return lines

    def missing_lines(self, limit: int = 50) -> list[str]:
        lines = []
        never = [k for k, _, _ in self.rule_items() if k not in self.fired]
        if never:
            lines.append("  rules never fired: " + ", ".join(never[:limit])
                         + (" …" if len(never) > limit else ""))
        half = []
        for owner, i, atom, _ in self.condition_items():
            t, f = (owner, i) in self.seen_true, (owner, i) in self.seen_false
            if not (t and f):
                half.append(f"{owner}: {canonical(atom)} (never "
                            f"{'true' if not t else 'false'}"
                            f"{'' if t or f else ' nor false'})")
        if half:
            lines.append(f"  condition parts not seen both ways ({len(half)}):")
            lines.extend("    " + h for h in half[:limit])
            if len(half) > limit:
                lines.append("    …")
        return lines

    def to_dict(self) -> dict[str, Any]:
        rules_done, rules_total = self.rules_figure()
        cond_done, cond_total = self.conditions_figure()
        cl_done, cl_total = self.clauses_figure()
        return {
            "scenarios": self.scenarios,
            "rules": {"fired": rules_done, "total": rules_total,
                      "percent": round(self.percent(rules_done, rules_total), 1),
                      "items": [{"rule": k, "area": a, "kind": kind,
                                 "scenarios": self.fired.get(k, [])}
                                for k, a, kind in self.rule_items()]},
            "conditions": {"both_ways": cond_done, "total": cond_total,
                           "percent": round(self.percent(cond_done, cond_total), 1),
                           "items": [{"owner": o, "atom": canonical(a),
                                      "seen_true": (o, i) in self.seen_true,
                                      "seen_false": (o, i) in self.seen_false}
                                     for o, i, a, _ in self.condition_items()]},
            "clauses": {"exercised": cl_done, "total": cl_total,
                        "percent": round(self.percent(cl_done, cl_total), 1),
                        "items": [{"source": s, "clause": c, "rules": users,
                                   "exercised": any(u in self.fired for u in users)}
                                  for (s, c), users in sorted(self.clause_items().items())]},
        }

    def count(self, name: str, program: Program, conditions: list[ConditionItem],
              observer: CoverageObserver, matches: Matches, decided: bool, env: Env) -> None:
        """Add one observed scenario run (``decided``: its decisions could all be made).
        Atoms the evaluation did not need are computed by their closures, for counting."""
        self.scenarios += 1
        fired = sorted(observer.used) if decided else []
        for area in self.rulebase.areas:
            if area.ranking is None or area.id not in matches.areas:
                continue
            for c in area.ranking.checks + area.ranking.criteria:
                if any(cid in (f"{c.id}:prefer", f"{c.id}:over") for cid, _ in matches.elements):
                    fired.append(c.id)
        for key in fired:
            users = self.fired.setdefault(key, [])
            if name not in users:
                users.append(name)
        in_force = program.epoch.rule_keys
        for owner, i, atom, area_id in conditions:
            if not owner.endswith(":applies_when") and (area_id not in matches.areas
                                                        or owner not in in_force):
                continue
            seen = observer.values.get((owner, i))
            if seen is None:
                seen = bool(value_of(program, atom, area_id, env))
            (self.seen_true if seen else self.seen_false).add((owner, i))
