"""``sen-rules docs``: the rulebase as a readable, self-contained website and Markdown.

The site sits next to the policy it implements, Catala-style: the policy text with each
clause linked to the rules that implement it (and each rule linked back to the clauses it
quotes); each rule with its condition in plain words, its outcome, its citations and the
scenarios that exercise it; the settings with their versions; the ambiguity register; and
the coverage map from the scenario tests. Pages: ``index.html``, ``policy.html``,
``rules.html``, ``settings.html``, ``register.html``, ``coverage.html``, and all of it in
``rulebase.md``; and the error codes, ``errors.html`` and ``errors.md``. No scripts, no
external files: every page carries its own style. The output depends only on the rulebase
and its scenarios, so it is the same on every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SourceLocation
from ..language import ir
from ..language.printer import canonical, words
from ..rendering import render
from ..rulebase import Citation, Rule, Rulebase
from ..versions import in_force_text
from . import codes_doc
from .graph import graph_html, graph_markdown
from .scenarios import Coverage, Scenario, load_scenarios, run_scenarios

PAGES = ("index", "policy", "rules", "settings", "register", "coverage", "errors")
TITLES = {"index": "Overview", "policy": "Policy text", "rules": "Rules",
          "settings": "Settings", "register": "Ambiguity register", "coverage": "Coverage",
          "errors": "Error codes"}

def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]+", "-", text)


def rule_anchor(key: str) -> str:
    return f"rule-{slug(key)}"


def clause_anchor(source: str, clause: str) -> str:
    return f"clause-{slug(source)}--{slug(clause)}"


@dataclass
class Model:
    """Everything the pages show, gathered once (cross references in both directions)."""

    rulebase: Rulebase
    scenarios: list[Scenario]
    coverage: Coverage | None
    failures: int
    implementers: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    registered: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    settings_used_by: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rb = self.rulebase

        def cite(cites: Iterable[Citation], label: str, page: str, anchor: str) -> None:
            for c in cites:
                users = self.implementers.setdefault((c.source, c.clause), [])
                if (label, page, anchor) not in users:
                    users.append((label, page, anchor))

        for area in rb.areas:
            cite(area.applies_citations, f"area {area.id}", "rules", f"area-{slug(area.id)}")
            for rule in area.all_rules:
                cite(rule.citations, rule.key, "rules", rule_anchor(rule.key))
            if area.ranking is not None:
                for c in area.ranking.checks + area.ranking.criteria:
                    cite(c.citations, c.id, "rules", rule_anchor(c.id))
        for name, s in rb.settings.items():
            cite(s.citations, f"setting {name}", "settings", f"setting-{slug(name)}")
        for key, d in rb.definitions.items():
            cite(d.citations, f"definition {d.name}", "rules", f"definition-{slug(key)}")
        for entry in rb.register:
            for pair in entry.clauses:
                self.registered.setdefault(pair, []).append(entry.id)
        for area in rb.areas:
            for rule in area.all_rules:
                for name in sorted(self.settings_of(rule.condition, area.id)
                                   | {n for d in rule.details.values()
                                      for n in self.settings_of(d, area.id)}):
                    self.settings_used_by.setdefault(name, []).append(rule.key)
            if area.ranking is not None:
                self.settings_used_by.setdefault(area.ranking.conflict_policy, []).append(
                    f"ranking of {area.id}")
                for c in area.ranking.checks + area.ranking.criteria:
                    for name in sorted(self.settings_of(c.prefer, area.id)
                                       | self.settings_of(c.over, area.id)):
                        self.settings_used_by.setdefault(name, []).append(c.id)

    def where(self, location: SourceLocation) -> str:
        """A place in a rule file, named relative to the rules directory, so that the same
        rules give the same pages wherever they are and wherever the command runs."""
        path = Path(location.file)
        root = Path(self.rulebase.directory).resolve()
        try:
            relative = path.resolve().relative_to(root).as_posix()
        except ValueError:
            relative = path.name
        return str(SourceLocation(relative, location.line, location.column))

    def settings_of(self, expr: ir.Expr, area: str | None) -> set[str]:
        """The settings ``expr`` reads, through definitions and date functions too."""
        reads = self.rulebase.reads([(area, expr)])
        return set(reads.settings | reads.function_settings)

    def scenarios_of(self, key: str) -> list[str]:
        if self.coverage is None:
            return []
        return self.coverage.fired.get(key, [])


# ---------------------------------------------------------------------------- HTML


def page_html(model: Model, name: str) -> str:
    """One page of the site, from its template (``templates/docs/NAME.html.j2``)."""
    return render(f"docs/{name}.html.j2", page=name, pages=PAGES, titles=TITLES, model=model,
                  rb=model.rulebase, slug=slug, rule_anchor=rule_anchor,
                  clause_anchor=clause_anchor, words=words, canonical=canonical,
                  hit_policy_words=HIT_POLICY_WORDS, value_text=_value,
                  clause_status=clause_status, file_name=lambda f: Path(f).name,
                  graph_html=graph_html, in_force_text=in_force_text, **codes_doc.html_context())


HIT_POLICY_WORDS = {
    "first": "the rule with the highest priority (lowest number) among those that apply "
             "decides",
    "any": "every rule that applies must give the same outcome; all of them are cited",
    "priority": "the outcome listed first among those the applying rules give wins",
}


def _value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


def clause_status(model: Model, sid: str, cid: str, normative: bool) -> tuple[str, str]:
    users = model.implementers.get((sid, cid), [])
    cov = model.coverage
    exercised = cov is not None and any(label in cov.fired for label, _, _ in users)
    if users and exercised:
        return "ok", "implemented and exercised by a scenario"
    if users:
        return "missing" if cov is not None else "ok", "implemented" + (
            ", not exercised by any scenario" if cov is not None else "")
    if model.registered.get((sid, cid)):
        return "ok", "in the ambiguity register"
    if normative:
        return "missing", "not implemented"
    return "", "informative"


# ---------------------------------------------------------------------------- Markdown


def md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def markdown(model: Model) -> str:
    rb = model.rulebase
    out = [f"# {rb.title}", "", f"Rulebase `{rb.name}` {rb.version}, sha256 `{rb.sha256}`.", ""]
    if rb.description:
        out += [md_escape(rb.description), ""]
    out += graph_markdown(rb)
    out += ["## Rules", ""]
    for area in rb.areas:
        out += [f'<a id="area-{slug(area.id)}"></a>', f"### {md_escape(area.title)} "
                f"(`{area.id}`)", "", md_escape(area.summary), "",
                "Applies: " + (md_escape(words(area.applies_when)) if area.applies_when
                               else "always") + "."
                f" Hit policy `{area.hit_policy}`: {HIT_POLICY_WORDS[area.hit_policy]}.", ""]
        for rule in area.all_rules:
            out += _md_rule(model, rule, area.otherwise is not None and rule is area.otherwise)
    out += _md_settings(rb) + _md_register(rb) + _md_policy(model)
    if model.coverage is not None:
        out += _md_coverage(model.coverage)
    return "\n".join(out) + "\n"


def _md_rule(model: Model, rule: Rule, is_otherwise: bool) -> list[str]:
    when = ("no other rule of this area gives an outcome" if is_otherwise
            else md_escape(words(rule.condition)))
    out = [f'<a id="{rule_anchor(rule.key)}"></a>',
           f"#### {md_escape(rule.title)}", "",
           f"`{rule.key}` · {rule.effect} `{rule.value}` · in force "
           f"{in_force_text(rule)}", "", f"- **When:** {when}"]
    if not is_otherwise:
        out.append(f"- **As written:** `{canonical(rule.condition)}`")
    for c in rule.citations:
        ref = f" ({md_escape(c.reference)})" if c.reference else ""
        out.append(f"- **Cites** [{c.source} § {c.clause}](#"
                   f"{clause_anchor(c.source, c.clause)}): “{md_escape(c.quote)}”{ref}")
    scenarios = model.scenarios_of(rule.key)
    if scenarios:
        out.append("- **Scenarios:** " + "; ".join(md_escape(s) for s in scenarios[:5])
                   + (f"; and {len(scenarios) - 5} more" if len(scenarios) > 5 else ""))
    out.append("")
    return out


def _md_settings(rb: Rulebase) -> list[str]:
    out = ["## Settings", ""]
    for name, s in rb.settings.items():
        values = "; ".join(f"{_value(v.value)} ({v.in_force.describe()})" for v in s.versions)
        out += [f'<a id="setting-{slug(name)}"></a>',
                f"- **`{name}`** — {md_escape(s.title)}: {md_escape(values)}"]
    return out


def _md_register(rb: Rulebase) -> list[str]:
    out = ["", "## Ambiguity register", ""]
    for entry in rb.register:
        out += [f'<a id="entry-{slug(entry.id)}"></a>', f"### {md_escape(entry.title)}", "",
                f"- **Question:** {md_escape(entry.question)}",
                f"- **Chosen:** {md_escape(entry.chosen)}",
                f"- **Why:** {md_escape(entry.why)}", ""]
    return out


def _md_policy(model: Model) -> list[str]:
    out = ["## Policy text", ""]
    for sid, source in model.rulebase.sources.items():
        out += [f"### {md_escape(source.title)}", ""]
        for clause in source.clauses.values():
            users = model.implementers.get((sid, clause.id), [])
            links = ", ".join(f"[{md_escape(label)}](#{anchor})" for label, _, anchor in users)
            out += [f'<a id="{clause_anchor(sid, clause.id)}"></a>',
                    f"> {md_escape(' '.join(clause.text.split()))}", ">",
                    f"> § `{clause.id}`" + (" (normative)" if clause.normative else "")
                    + (f" — implemented by {links}" if links else ""), ""]
    return out


def _md_coverage(cov: Coverage) -> list[str]:
    out = ["## Coverage", "", "| Measure | Covered | % |", "|---|---|---|"]
    for label, (done, total) in (("Rules fired", cov.rules_figure()),
                                 ("Condition parts seen both ways", cov.conditions_figure()),
                                 ("Cited clauses exercised", cov.clauses_figure())):
        out.append(f"| {label} | {done} / {total} | {cov.percent(done, total):.1f} |")
    out.append("")
    return out


# ---------------------------------------------------------------------------- site


def build_model(rulebase: Rulebase) -> Model:
    scenarios, _ = load_scenarios(rulebase)
    coverage = None
    failures = 0
    if scenarios:
        results, coverage = run_scenarios(rulebase, scenarios)
        failures = sum(1 for r in results if not r.passed)
    return Model(rulebase, scenarios, coverage, failures)


def write_site(rulebase: Rulebase, out: str | Path) -> list[Path]:
    """Write the HTML pages and ``rulebase.md`` into ``out``; returns the files written."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    model = build_model(rulebase)
    written = []
    for name in PAGES:
        path = directory / f"{name}.html"
        path.write_text(page_html(model, name), encoding="utf-8")
        written.append(path)
    md = directory / "rulebase.md"
    md.write_text(markdown(model), encoding="utf-8")
    errors = directory / "errors.md"
    errors.write_text(codes_doc.render_markdown(repository=False), encoding="utf-8")
    written += [md, errors]
    return written
