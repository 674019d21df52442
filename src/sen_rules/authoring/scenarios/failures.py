"""What a failing scenario shows: how each decision differs from what was expected, and
a trace of the rules that decided or were expected to (each part of their conditions with
its value, by the program's own closures)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ...engine.native import Env, Matches, Program
from ...engine.result import Evaluation, thaw
from ...language import ir
from ...language.printer import canonical, words
from ...rulebase import Rule, Rulebase, rule_key
from .coverage import atoms, value_of
from .files import Expectation


def show(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def expectation_problems(exp: Expectation, evaluation: Evaluation) -> list[str]:
    """How a decision differs from what a scenario expects of it (nothing: as expected)."""
    decision = evaluation.decision(exp.topic)
    problems: list[str] = []
    if not exp.applies:
        if decision is not None:
            problems.append(f"{exp.topic}: expected the area not to apply, got "
                            f"{decision.outcome}")
    elif decision is None:
        problems.append(f"{exp.topic}: expected {exp.outcome or 'a decision'}, but the "
                        "area does not apply to this case")
    else:
        if exp.outcome is not None and decision.outcome != exp.outcome:
            problems.append(f"{exp.topic}: expected {exp.outcome}, got "
                            f"{decision.outcome}")
        actual = thaw(decision.details)
        for key, want in exp.details.items():
            got = actual.get(key, None) if isinstance(actual, dict) else None
            if key not in actual or got != want:
                problems.append(f"{exp.topic}: detail {key}: expected {show(want)}, "
                                f"got {show(got) if key in actual else 'no such detail'}")
        for label, want_codes, found in (
                ("flags", exp.flags, [f.code for f in decision.flags]),
                ("notes", exp.notes, [n.code for n in decision.notes])):
            if want_codes is not None and sorted(want_codes) != sorted(found):
                problems.append(f"{exp.topic}: {label}: expected "
                                f"[{', '.join(sorted(want_codes))}], got "
                                f"[{', '.join(sorted(found))}]")
        if exp.rules is not None:
            deciding = [r for r in decision.rules if r.role in ("outcome", "otherwise")]
            accepted = {r.id for r in deciding} | {f"{r.id}@{r.version}"
                                                    for r in deciding}
            if not all(w in accepted for w in exp.rules) or \
                    len(exp.rules) != len(deciding):
                shown = sorted(rule_key(r.id, r.version) for r in deciding)
                problems.append(f"{exp.topic}: deciding rules: expected "
                                f"[{', '.join(exp.rules)}], got [{', '.join(shown)}]")
    return problems


class FailureTrace:
    """Explains a failed expectation for one case on one date."""

    def __init__(self, rulebase: Rulebase, program: Program, env: Env) -> None:
        self.rulebase = rulebase
        self.program = program
        self.env = env
        self.epoch = program.epoch

    def value(self, e: ir.Expr, area: str | None) -> Any:
        return value_of(self.program, e, area, self.env)

    def atom_line(self, area: str, e: ir.Expr) -> str:
        value = self.value(e, area)
        text = f"{canonical(e)}: {show(bool(value)) if e.type.kind == 'bool' else show(value)}"
        if isinstance(e, (ir.Compare, ir.Membership)):
            parts = (e.left, e.right) if isinstance(e, ir.Compare) else (e.item, e.collection)
            shown = [f"{canonical(p)} = {show(self.value(p, area))}"
                     for p in parts if not isinstance(p, (ir.Const, ir.ListOf))]
            if shown:
                text += f" ({'; '.join(shown)})"
        return text

    def rule_trace(self, rule: Rule, indent: str) -> list[str]:
        lines = [f"{indent}when: {words(rule.condition)}"]
        for a in atoms(rule.condition):
            lines.append(f"{indent}  {self.atom_line(rule.area, a)}")
        return lines

    def lines(self, exp: Expectation, evaluation: Evaluation, matches: Matches) -> list[str]:
        rb = self.rulebase
        area = rb.area(exp.topic)
        if area is None:
            return []
        lines: list[str] = []
        decision = evaluation.decision(exp.topic)
        if decision is None:
            if area.applies_when is not None:
                lines.append(f"trace: area {area.id} applies when "
                             f"{words(area.applies_when)}")
                for a in atoms(area.applies_when):
                    lines.append(f"    {self.atom_line(area.id, a)}")
            return lines
        for ref in decision.rules:
            if ref.role not in ("outcome", "otherwise"):
                continue
            rule = rb.rules_by_key.get(rule_key(ref.id, ref.version))
            if rule is None:
                continue
            lines.append(f"trace: {decision.outcome} was decided by {rule.key} "
                         f"({ref.role}): {rule.title}")
            if ref.role == "otherwise":
                lines.append("    (the area's 'otherwise' rule: no rule of the area gave an "
                             "outcome)")
            else:
                lines.extend(self.rule_trace(rule, "    "))
        if exp.outcome is not None and exp.outcome != decision.outcome:
            wanted = [r for r in area.rules if r.effect == "outcome" and r.value == exp.outcome
                      and r.key in self.epoch.rule_keys]
            if area.otherwise is not None and area.otherwise.value == exp.outcome:
                lines.append(f"trace: {exp.outcome} is the area's 'otherwise' outcome: it is "
                             "given only when no rule of the area gives an outcome")
            named = [r for r in wanted if exp.rules and (r.id in exp.rules or r.key in exp.rules
                                                         or f"{r.id}@{r.version}" in exp.rules)]
            others = sorted((r for r in wanted if r not in named),
                            key=lambda r: (-self.closeness(r), r.order))
            shown = named + others[:max(0, 3 - len(named))]
            for rule in shown:
                if rule.key in matches.rules:
                    lines.append(f"trace: {rule.key} (giving {exp.outcome}) matched, but did "
                                 f"not decide under hit policy {area.hit_policy!r} (priority "
                                 f"{rule.priority})")
                else:
                    lines.append(f"trace: {rule.key} (giving {exp.outcome}) did not match:")
                    lines.extend(self.rule_trace(rule, "    "))
            if len(wanted) > len(shown):
                rest = len(wanted) - len(shown)
                lines.append(f"trace: {rest} more rule{'s' if rest != 1 else ''} giving "
                             f"{exp.outcome} did not match either")
        return lines

    def closeness(self, rule: Rule) -> float:
        """The share of a rule's condition parts that hold (to show the nearest misses)."""
        parts = atoms(rule.condition)
        if not parts:
            return 0.0
        held = sum(1 for a in parts if self.value(a, rule.area))
        return held / len(parts)
