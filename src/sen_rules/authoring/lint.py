"""``sen-rules lint``: everything wrong with a rules directory, at once, in plain English.

Each finding has a code, a severity, ``file:line:col`` and a message. Two kinds:

**Load findings** come from the loader, which collects every problem before failing
(``RulebaseError.diagnostics``): YAML syntax (SR101), file structure and unknown keys
(SR102, SR103), unknown outcomes (SR104), duplicate ids (SR105, SR106), condition syntax
(SR110), unknown case fields (SR111), unknown functions (SR112), type errors such as a
date compared with a number (SR113, SR114), unknown settings (SR116), unknown sources or
clauses (SR120, SR121), a quote not word for word in its clause (SR122), a rule that cites
nothing (SR123), changed source texts and clause indexes (SR124-SR126), unknown register
entries (SR127), a quote that cuts a word or is shorter than three words (SR128), the
decision graph (SR130 unknown area, SR131 a decision read but not declared in ``uses``,
SR132 unknown field of a decision, SR133 an outcome the area does not have, SR134 areas
that use each other in a circle, SR135 warning: declared and never read), bad settings
(SR140-SR144). Lint reports all of them, not only the first.

**Rulebase findings** need a rulebase that loads, and read its compiled IR:

======  ========  ==============================================================
SR150   warning   a setting no rule, definition, function or ranking reads (info
                  for the date conventions the loader requires)
SR151   error     a rule that can never fire: its condition (with its area's
                  ``applies_when``) is proven contradictory (:mod:`.logic`)
SR152   error     two rules of an area with hit policy ``any`` can both fire with
                  different outcomes, shown with a case that triggers both
SR153   warning   the same under hit policy ``first`` with equal priorities: only
                  the order in the file decides (info when priorities differ:
                  the declared priority decides, as designed)
SR154   info      the same under hit policy ``priority``: the outcome order decides
SR155   warning   a normative clause that no rule cites and the ambiguity register
                  does not list
SR156   warning   a definition nothing uses
SR157   error     two versions of one rule in force on the same day
SR158   info      no case was found that fires a rule (not proven impossible)
SR159   info      two rules of an ``any`` area could not be shown exclusive, and no
                  case firing both was found
SR160   error     an area that can never apply because of the decisions it uses: its
                  ``applies_when`` is proven false whatever they decide (:mod:`.reach`)
SR161   warning   a part of a quantifier's ``where`` condition (an operand of its
                  ``and``/``or``) that does not mention the quantifier's item: the
                  condition runs to the end of the expression, so the part is inside
======  ========  ==============================================================

Severities: an *error* is a rulebase that is wrong (it would fail at run time, or it says
something that can never happen); a *warning* is probably a mistake or an unfinished part
that a person should look at; *info* records a fact the author may want to know. Lint
exits 0 only when there are no errors.

Why the overlap severities differ: under ``any`` the area promises that its rules never
disagree, so a case where two do would stop evaluation with SR301; it is an error. Under
``first`` the author has said which rule wins by its priority, so an overlap is the hit
policy working as designed (info), unless the priorities are equal and only the position
in the file decides, which an innocent edit can change (warning). Under ``priority`` the
order of the outcomes decides, deliberately (info).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import codes
from ..engine.native import Matches
from ..engine.result import dumps
from ..errors import Diagnostic, RulebaseError, Severity, SourceLocation
from ..language import ir
from ..loading.loader import (
    CONVENTION_SETTINGS,
    MANIFEST,
    bundled_rules_dir,
    display_path,
    load_rulebase,
)
from ..loading.yamlfile import YamlFileError, read_rule_text, read_yaml
from ..rulebase import Area, InForce, Rule, Rulebase
from .logic import Analysis, Analyzer
from .reach import unreachable_areas
from .where import loose_parts
from .witness import CaseSearch, Witness, span_of

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
BATCH = 300  # guided cases tried per area before targeted searches
TARGETED = 250  # cases tried for one rule or one pair of rules


@dataclass(frozen=True)
class Finding:
    """A lint finding: a diagnostic, and for overlaps the case that shows it."""

    diagnostic: Diagnostic
    example: dict[str, Any] | None = None

    @property
    def severity(self) -> Severity:
        return self.diagnostic.severity

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.diagnostic.location
        return (loc.file if loc else "", loc.line if loc else 0, loc.column if loc else 0,
                self.diagnostic.code, self.diagnostic.message)

    def as_dict(self) -> dict[str, Any]:
        d = self.diagnostic.as_dict()
        if self.example is not None:
            d["example"] = self.example
        return d

    def text(self) -> str:
        line = str(self.diagnostic)
        if self.example is not None:
            line += (f"\n    e.g. on {self.example['as_of']}: "
                     + dumps(self.example["case"], indent=None))
        return line


@dataclass
class LintReport:
    directory: str
    findings: list[Finding]
    seconds: float
    loaded: bool
    rules: int = 0
    scenarios_checked: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}{'s' if self.count(s) != 1 else ''}"
                 for s in SEVERITIES]
        state = "loaded" if self.loaded else "did not load"
        return (f"{self.directory}: {', '.join(parts)} "
                f"(rulebase {state}; {self.rules} rules checked)")

    def to_text(self, min_severity: Severity = "warning") -> str:
        limit = SEVERITIES.index(min_severity)
        shown = [f for f in self.findings if SEVERITIES.index(f.severity) <= limit]
        lines = [f.text() for f in shown]
        hidden = len(self.findings) - len(shown)
        summary = self.summary()
        if hidden:
            summary += f"; {hidden} not shown (use --all to see them)"
        if not self.loaded:
            summary += "; fix the load errors to run the rulebase checks"
        lines.append(summary)
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return dumps({
            "directory": self.directory,
            "loaded": self.loaded,
            "ok": self.ok,
            "counts": {s: self.count(s) for s in SEVERITIES},
            "findings": [f.as_dict() for f in self.findings],
        })


def lint(directory: str | os.PathLike[str] | None = None, *,
         search: bool = True) -> LintReport:
    """Lint a rules directory (the bundled rules when ``directory`` is None).

    ``search=False`` skips the searches for witness cases (overlaps are then only
    reported when proven impossible, which they never are, so none are reported).
    """
    started = time.perf_counter()
    path = Path(directory) if directory is not None else bundled_rules_dir()
    findings: list[Finding] = []
    rulebase: Rulebase | None = None
    try:
        rulebase = load_rulebase(path)
    except RulebaseError as exc:
        findings.extend(Finding(d) for d in exc.diagnostics)
    if rulebase is not None:
        findings.extend(Finding(d) for d in rulebase.warnings if isinstance(d, Diagnostic))
        findings.extend(RulebaseChecks(rulebase, search=search).run())
    scenarios = 0
    if rulebase is not None:
        from .scenarios import load_scenarios

        loaded, diags = load_scenarios(rulebase)
        scenarios = len(loaded)
        findings.extend(Finding(d) for d in diags)
    unique = {(f.sort_key(), f.severity): f for f in findings}
    findings = sorted(unique.values(), key=Finding.sort_key)
    return LintReport(display_path(path), findings, time.perf_counter() - started,
                      rulebase is not None,
                      len(rulebase.rules) if rulebase is not None else 0, scenarios)


# ---------------------------------------------------------------------------- checks


class RulebaseChecks:
    """The checks that read a loaded rulebase."""

    def __init__(self, rulebase: Rulebase, *, search: bool = True) -> None:
        self.rb = rulebase
        self.search = search
        self.findings: list[Finding] = []

    def add(self, code: str, severity: Severity, message: str,
            location: SourceLocation | None, example: Witness | None = None) -> None:
        ex = None if example is None else {"as_of": example.as_of.isoformat(),
                                           "case": example.case}
        self.findings.append(Finding(Diagnostic(code, message, location, severity), ex))

    def run(self) -> list[Finding]:
        self.unused()
        self.overlapping_versions()
        for area in self.rb.areas:
            self.area(area)
        for never in unreachable_areas(self.rb):
            applies = never.area.applies_when
            self.add(codes.SR160, "error", never.reason,
                     applies.loc if applies is not None and applies.loc else None)
        self.uncited_clauses()
        self.loose_conditions()
        return self.findings

    def loose_conditions(self) -> None:
        """SR161 (:mod:`.where`): a part of a ``where`` condition that does not mention the
        quantifier's item."""
        roots = [e for _, e in self.roots()] + [d.expr for d in self.rb.definitions.values()]
        for quantifier, part in loose_parts(roots):
            self.add(codes.SR161, "warning",
                     f"in {quantifier.source!r}, the part {part.source!r} does not mention "
                     f"{quantifier.variable!r}, but the `where` condition runs to the end of "
                     "the expression, so it is part of it; if it is meant outside, put the "
                     "quantifier in parentheses or write the part first; if inside, put the "
                     "part in parentheses", part.loc)

    # ------------------------------------------------------------------ use of names
    def roots(self) -> Iterable[tuple[str | None, ir.Expr]]:
        """Every expression the engine evaluates, with the area it is read in."""
        for area in self.rb.areas:
            if area.applies_when is not None:
                yield area.id, area.applies_when
            for rule in area.all_rules:
                yield area.id, rule.condition
                for e in rule.details.values():
                    yield area.id, e
            if area.ranking is not None:
                yield area.id, area.ranking.collection
                for c in area.ranking.checks + area.ranking.criteria:
                    yield area.id, c.prefer
                    yield area.id, c.over

    def unused(self) -> None:
        reads = self.rb.reads(self.roots())
        settings = set(reads.settings | reads.function_settings)
        used_defs = reads.definitions
        for each in self.rb.areas:
            if each.ranking is not None:
                settings.add(each.ranking.conflict_policy)
        for name, setting in sorted(self.rb.settings.items()):
            if name in settings:
                continue
            if name in CONVENTION_SETTINGS:
                self.add(codes.SR150, "info", f"setting {name!r} is a date convention the "
                         "date functions need, but no rule calls a function that reads it",
                         setting.location)
            else:
                self.add(codes.SR150, "warning", f"setting {name!r} is never used: no rule, "
                         "definition, date function or ranking reads it; remove it or use "
                         f"it as settings.{name}", setting.location)
        for key, d in sorted(self.rb.definitions.items()):
            if key not in used_defs:
                self.add(codes.SR156, "warning", f"definition {d.name!r} is never used by a rule "
                         "(directly or through another definition)", d.location)

    def overlapping_versions(self) -> None:
        by_id: dict[str, list[Rule]] = {}
        for rule in self.rb.rules:
            by_id.setdefault(rule.id, []).append(rule)
        for rule_id, versions in sorted(by_id.items()):
            versions.sort(key=lambda r: (r.in_force.start, r.version))
            for i, a in enumerate(versions):
                for b in versions[i + 1:]:
                    if a.in_force.start <= b.in_force.end and b.in_force.start <= a.in_force.end:
                        day = max(a.in_force.start, b.in_force.start)
                        self.add(codes.SR157, "error", f"versions {a.version!r} and {b.version!r} "
                                 f"of rule {rule_id!r} are both in force on {day.isoformat()}: "
                                 "give them 'in_force' dates that do not overlap "
                                 f"(version {a.version!r} is in force "
                                 f"{a.in_force.describe()}, {b.version!r} "
                                 f"{b.in_force.describe()})", b.location)

    # ------------------------------------------------------------------ per area
    def area(self, area: Area) -> None:
        analyzer = Analyzer(self.rb, area.id)
        search = CaseSearch(self.rb, area, f"lint:{self.rb.name}:{area.id}")
        rules = list(area.rules)
        verdicts: dict[str, Analysis] = {}
        for rule in rules:
            verdict = analyzer.analyse([area.applies_when, rule.condition])
            verdicts[rule.key] = verdict
            if verdict.status == "unsat":
                self.add(codes.SR151, "error", f"rule {rule.key!r} can never fire: {verdict.reason}"
                         + ("" if area.applies_when is None else
                            " (its area applies only when "
                            f"{area.applies_when.source.strip()!r})"), rule.condition.loc
                         or rule.location)
        pairs = self.conflicting_pairs(area, analyzer)
        if not self.search:
            return
        paths = {k: t.case_path for k, t in analyzer.terms.items() if t.case_path}
        fired: dict[str, Witness] = {}
        together: dict[tuple[str, str], Witness] = {}
        models = [m for v in verdicts.values() for m in v.models]
        span = span_of()
        assert span is not None
        for i in range(BATCH if rules else 0):
            hint = models[i % len(models)] if models and i % 4 != 3 else None
            data, as_of = search.candidate(span, hint, paths)
            matches = search.evaluate(data, as_of)
            if matches is None or area.id not in matches.areas:
                continue
            for rule in rules:
                if rule.key in matches.rules and rule.key not in fired:
                    fired[rule.key] = Witness(data, as_of, matches)
            for a, b, _ in pairs:
                if (a.key, b.key) not in together and a.key in matches.rules \
                        and b.key in matches.rules:
                    together[(a.key, b.key)] = Witness(data, as_of, matches)
        for rule in rules:
            if verdicts[rule.key].status == "unsat" or rule.key in fired:
                continue
            def fires(m: Matches, r: Rule = rule) -> bool:
                return area.id in m.areas and r.key in m.rules

            found = search.search(span_of(_evaluated(rule)), fires, TARGETED,
                                  verdicts[rule.key].models, paths)
            if found is None:
                self.not_found(area, rule)
        for a, b, verdict in pairs:
            def both(m: Matches, a: Rule = a, b: Rule = b) -> bool:
                return area.id in m.areas and a.key in m.rules and b.key in m.rules

            witness = together.get((a.key, b.key))
            if witness is not None:
                witness = search.shrink(witness, both)
            else:
                witness = search.search(span_of(_evaluated(a), _evaluated(b)), both, TARGETED,
                                        verdict.models, paths)
            self.report_overlap(area, a, b, witness)

    def not_found(self, area: Area, rule: Rule) -> None:
        span = span_of(_evaluated(rule))
        assert span is not None
        epoch = self.rb.epoch(span[0])
        fixed = Analyzer(self.rb, area.id, epoch.settings).analyse(
            [area.applies_when, rule.condition])
        if fixed.status == "unsat":
            direct = (ir.setting_refs(area.applies_when) if area.applies_when is not None
                      else set())
            names = sorted(direct | self.rb.reads([(area.id, rule.condition)]).settings)
            values = ", ".join(f"{n} = {epoch.settings.get(n)!r}" for n in names)
            self.add(codes.SR158, "info", f"rule {rule.key!r} cannot fire with the settings in "
                     f"force ({values or 'as they are'}): {fixed.reason}; it is switched off, "
                     "not wrong", rule.location)
            return
        self.add(codes.SR158, "info", f"no case was found that makes rule {rule.key!r} fire "
                 f"({TARGETED + BATCH} guided cases tried); it is not proven impossible, but "
                 "check its condition", rule.location)

    def conflicting_pairs(self, area: Area, analyzer: Analyzer
                          ) -> list[tuple[Rule, Rule, Analysis]]:
        outcome_rules = [r for r in area.rules if r.effect == "outcome"]
        pairs = []
        for i, a in enumerate(outcome_rules):
            for b in outcome_rules[i + 1:]:
                if a.value == b.value or span_of(_evaluated(a), _evaluated(b)) is None:
                    continue
                if a.id == b.id:
                    continue  # versions of one rule: SR157 covers overlapping dates
                verdict = analyzer.analyse([area.applies_when, a.condition, b.condition])
                if verdict.status != "unsat":
                    pairs.append((a, b, verdict))
        return pairs

    def report_overlap(self, area: Area, a: Rule, b: Rule, witness: Witness | None) -> None:
        both = (f"rules {a.key!r} ({a.value}) and {b.key!r} ({b.value}) of area "
                f"{area.id!r} can both fire")
        if witness is None:
            if area.hit_policy == "any":
                self.add(codes.SR159, "info", f"{both.replace('can both fire', 'may both fire')}: "
                         "they could not be shown exclusive and no case firing both was found "
                         f"({TARGETED + BATCH} guided cases tried)", b.location)
            return
        if area.hit_policy == "any":
            self.add(codes.SR152, "error", f"{both} with different outcomes, and the area's hit "
                     "policy 'any' requires all matching rules to agree: such a case stops "
                     f"evaluation with {codes.SR301}; make the conditions exclusive or change the "
                     "hit policy", b.location, witness)
        elif area.hit_policy == "first":
            first, second = sorted((a, b), key=lambda r: (r.priority, r.order))
            if a.priority == b.priority:
                self.add(codes.SR153, "warning", f"{both}, with the same priority "
                         f"({a.priority}): {first.key!r} decides only because it comes first "
                         "in the file; give them different priorities or make the conditions "
                         "exclusive", b.location, witness)
            else:
                self.add(codes.SR153, "info", f"{both}; under hit policy 'first' {first.key!r} "
                         f"decides (priority {first.priority} before {second.priority})",
                         b.location, witness)
        else:
            order = [o.value for o in area.outcomes]
            winner = min((a, b), key=lambda r: order.index(r.value))
            self.add(codes.SR154, "info", f"{both}; under hit policy 'priority' {winner.value!r} "
                     "is listed first among the outcomes and wins", b.location, witness)

    # ------------------------------------------------------------------ clauses
    def uncited_clauses(self) -> None:
        cited: set[tuple[str, str]] = set()
        for rule in self.rb.rules:
            cited.update((c.source, c.clause) for c in rule.citations)
        for area in self.rb.areas:
            cited.update((c.source, c.clause) for c in area.applies_citations)
            if area.ranking is not None:
                cited.update((c.source, c.clause) for c in area.ranking.citations)
                for k in area.ranking.checks + area.ranking.criteria:
                    cited.update((c.source, c.clause) for c in k.citations)
        for s in self.rb.settings.values():
            cited.update((c.source, c.clause) for c in s.citations)
        for d in self.rb.definitions.values():
            cited.update((c.source, c.clause) for c in d.citations)
        listed = {pair for entry in self.rb.register for pair in entry.clauses}
        locations = self.clause_locations()
        for sid, source in sorted(self.rb.sources.items()):
            for clause in source.clauses.values():
                if not clause.normative or (sid, clause.id) in cited | listed:
                    continue
                self.add(codes.SR155, "warning", f"normative clause {sid}/{clause.id} "
                         f"({clause.title[:60]!r}, {source.file}:{clause.line}) is not cited by "
                         "any rule and not listed in the ambiguity register: implement it, or "
                         "list it in the register (not_implemented: true) and say why",
                         locations.get((sid, clause.id), SourceLocation(source.file,
                                                                        clause.line)))

    def clause_locations(self) -> dict[tuple[str, str], SourceLocation]:
        """Where each clause is declared in its source index (for file:line:col)."""
        out: dict[tuple[str, str], SourceLocation] = {}
        directory = Path(self.rb.directory)
        try:
            manifest = read_yaml(read_rule_text(directory / MANIFEST), MANIFEST)
        except (OSError, ValueError, YamlFileError):
            return out
        data = manifest.data if isinstance(manifest.data, dict) else {}
        for rel in data.get("sources", []) or []:
            path = directory / str(rel)
            try:
                doc = read_yaml(read_rule_text(path), display_path(path))
            except (OSError, ValueError, YamlFileError):
                continue
            if not isinstance(doc.data, dict):
                continue
            sid = doc.data.get("source")
            for i, entry in enumerate(doc.data.get("clauses", []) or []):
                if isinstance(entry, dict) and "id" in entry:
                    out[(str(sid), str(entry["id"]))] = doc.where(("clauses", i))
        return out


__all__ = ["Finding", "LintReport", "RulebaseChecks", "lint"]


def _evaluated(rule: Rule) -> InForce:
    """The evaluation dates on which a rule can fire: a rule dated by an event of the case
    is in force on every evaluation date (its guard tests the event's date)."""
    return InForce() if rule.dated_by is not None else rule.in_force
