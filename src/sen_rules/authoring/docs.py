"""``sen-rules docs``: the rulebase as a readable, self-contained website and Markdown.

The site sits next to the policy it implements, Catala-style: the policy text with each
clause linked to the rules that implement it (and each rule linked back to the clauses it
quotes); each rule with its condition in plain words, its outcome, its citations and the
scenarios that exercise it; the settings with their versions; the ambiguity register; and
the coverage map from the scenario tests. Pages: ``index.html``, ``policy.html``,
``rules.html``, ``settings.html``, ``register.html``, ``coverage.html``, and all of it in
``rulebase.md``. No scripts, no external files: every page carries its own style. The
output depends only on the rulebase and its scenarios, so it is the same on every run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..language import ir
from ..language.printer import canonical, words
from ..rulebase import Area, Citation, Rule, Rulebase, Setting
from ..versions import in_force_text
from .scenarios import Coverage, Scenario, load_scenarios, run_scenarios

PAGES = ("index", "policy", "rules", "settings", "register", "coverage")
TITLES = {"index": "Overview", "policy": "Policy text", "rules": "Rules",
          "settings": "Settings", "register": "Ambiguity register", "coverage": "Coverage"}

STYLE = """
body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:0 auto;padding:1rem 2rem;
color:#1b1b1b;line-height:1.5;background:#fff}
nav{border-bottom:1px solid #ccc;padding:.5rem 0;margin-bottom:1rem;font-family:sans-serif}
nav a{margin-right:1rem}nav a.here{font-weight:bold;color:#000;text-decoration:none}
h1,h2,h3{font-family:sans-serif}h2{border-bottom:1px solid #ddd;margin-top:2rem}
code,pre{font-family:Menlo,Consolas,monospace;font-size:.9em;background:#f4f4f4;padding:0 .2em}
pre{padding:.5em;white-space:pre-wrap}
blockquote{margin:.3rem 0 .3rem 1rem;padding-left:.8rem;border-left:3px solid #8aa}
.rule,.setting,.entry,.clause{border:1px solid #ddd;border-radius:4px;padding:.5rem 1rem;
margin:1rem 0}
.clause{margin:.4rem 0}.clause.informative{color:#666;border-style:dashed}
.meta{font-family:sans-serif;font-size:.85em;color:#555}
.badge{font-family:sans-serif;font-size:.75em;border-radius:3px;padding:0 .4em;margin-left:.4em;
background:#e8eef8;color:#234}
.badge.flag{background:#fde8e8;color:#822}.badge.note{background:#eef6e8;color:#353}
.badge.warn{background:#fff3cd;color:#664d03}
table{border-collapse:collapse;font-family:sans-serif;font-size:.9em}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.ok{color:#176317}.missing{color:#a11}
""".strip()


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]+", "-", text)


def rule_anchor(key: str) -> str:
    return f"rule-{slug(key)}"


def clause_anchor(source: str, clause: str) -> str:
    return f"clause-{slug(source)}--{slug(clause)}"


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


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

    def settings_of(self, expr: ir.Expr, area: str | None) -> set[str]:
        """The settings ``expr`` reads, through definitions and date functions too."""
        reads = self.rulebase.reads([(area, expr)])
        return set(reads.settings | reads.function_settings)

    def scenarios_of(self, key: str) -> list[str]:
        if self.coverage is None:
            return []
        return self.coverage.fired.get(key, [])


# ---------------------------------------------------------------------------- HTML


def page(model: Model, name: str, body: list[str]) -> str:
    rb = model.rulebase
    nav = " ".join(f'<a href="{p}.html"{" class=here" if p == name else ""}>{e(TITLES[p])}</a>'
                   for p in PAGES)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(TITLES[name])} · {e(rb.title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<nav>{nav}</nav>",
        *body,
        f'<p class="meta">Rulebase {e(rb.name)} {e(rb.version)}, sha256 '
        f"<code>{e(rb.sha256)}</code>. Generated by <code>sen-rules docs</code>.</p>",
        "</body></html>",
    ]) + "\n"


def cite_html(c: Citation) -> str:
    ref = f' <span class="meta">({e(c.reference)})</span>' if c.reference else ""
    return (f'<blockquote>“{e(c.quote)}” <a class="meta" href="policy.html#'
            f'{clause_anchor(c.source, c.clause)}">{e(c.source)} § {e(c.clause)}</a>{ref}'
            "</blockquote>")


def index_page(model: Model) -> str:
    rb = model.rulebase
    cov = model.coverage
    body = [f"<h1>{e(rb.title)}</h1>", f"<p>{e(rb.description)}</p>" if rb.description else "",
            "<table>",
            f"<tr><th>Rulebase</th><td>{e(rb.name)} {e(rb.version)}</td></tr>",
            f"<tr><th>sha256</th><td><code>{e(rb.sha256)}</code></td></tr>",
            f"<tr><th>Policy areas</th><td>{len(rb.areas)}</td></tr>",
            f"<tr><th>Rules</th><td>{len(rb.rules)}</td></tr>",
            f"<tr><th>Settings</th><td>{len(rb.settings)}</td></tr>",
            f"<tr><th>Register entries</th><td>{len(rb.register)}</td></tr>",
            f"<tr><th>Scenarios</th><td>{len(model.scenarios)}"
            + (f" ({model.failures} failing)" if model.failures else "") + "</td></tr>"]
    if cov is not None:
        done, total = cov.rules_figure()
        body.append(f"<tr><th>Rule coverage</th><td>{done} / {total} "
                    f"({cov.percent(done, total):.1f}%)</td></tr>")
    body.append("</table>")
    body.append("<h2>Policy areas</h2><ul>")
    for area in rb.areas:
        body.append(f'<li><a href="rules.html#area-{slug(area.id)}">{e(area.title)}</a> '
                    f"<code>{e(area.id)}</code>: {e(area.summary)}</li>")
    body.append("</ul>")
    body.append("<h2>Sources</h2><ul>")
    for sid, source in rb.sources.items():
        body.append(f'<li><a href="policy.html#source-{slug(sid)}">{e(source.title)}</a> '
                    f"({len(source.clauses)} clauses)</li>")
    body.append("</ul>")
    return page(model, "index", body)


def policy_page(model: Model) -> str:
    rb = model.rulebase
    body = ["<h1>Policy text</h1>",
            "<p>Each clause of each source, verbatim, with the rules that implement it. "
            "Clauses marked <em>normative</em> say what must happen: each is implemented by a "
            "rule or listed in the ambiguity register.</p>"]
    for sid, source in rb.sources.items():
        body.append(f'<h2 id="source-{slug(sid)}">{e(source.title)}</h2>')
        body.append(f'<p class="meta">{e(source.reference or "")} File <code>'
                    f"{e(Path(source.file).name)}</code>, sha256 <code>{e(source.sha256[:16])}"
                    "…</code></p>")
        for clause in source.clauses.values():
            users = model.implementers.get((sid, clause.id), [])
            entries = model.registered.get((sid, clause.id), [])
            kind = "normative" if clause.normative else "informative"
            links = ", ".join(f'<a href="{p}.html#{a}">{e(label)}</a>' for label, p, a in users)
            reg = ", ".join(f'<a href="register.html#entry-{slug(x)}">{e(x)}</a>'
                            for x in entries)
            badge = ""
            if clause.normative and not users and not entries:
                badge = '<span class="badge warn">not implemented</span>'
            text = e(clause.text)
            body.append(f'<div class="clause {kind}" id="{clause_anchor(sid, clause.id)}">'
                        f'<span class="meta">§ {e(clause.id)} · {kind} · line {clause.line}'
                        f"</span>{badge}<p>{text}</p>"
                        + (f'<p class="meta">Implemented by: {links}</p>' if links else "")
                        + (f'<p class="meta">Ambiguity register: {reg}</p>' if reg else "")
                        + "</div>")
    return page(model, "policy", body)


HIT_POLICY_WORDS = {
    "first": "the rule with the highest priority (lowest number) among those that apply "
             "decides",
    "any": "every rule that applies must give the same outcome; all of them are cited",
    "priority": "the outcome listed first among those the applying rules give wins",
}


def rule_html(model: Model, rule: Rule, area: Area) -> str:
    effect = {"outcome": "outcome", "flag": "flag", "note": "note"}[rule.effect]
    label = rule.value
    if rule.effect == "outcome":
        spec = area.outcome(rule.value)
        label = spec.label if spec else rule.value
    is_otherwise = area.otherwise is not None and rule is area.otherwise
    parts = [f'<article class="rule" id="{rule_anchor(rule.key)}">',
             f"<h3>{e(rule.title)}</h3>",
             f'<p class="meta"><code>{e(rule.id)}</code> version {e(rule.version)} · '
             f"in force {e(in_force_text(rule))} · "
             + (f"priority {rule.priority} · " if rule.effect == "outcome" and not is_otherwise
                else "")
             + f"{e(rule.location)}"
             + f'<span class="badge {effect}">{effect}</span></p>']
    if is_otherwise:
        parts.append("<p><strong>When:</strong> no other rule of this area gives an outcome"
                     "</p>")
    else:
        parts.append(f"<p><strong>When:</strong> {e(words(rule.condition))}</p>")
        parts.append(f"<p class=\"meta\">As written: <code>{e(canonical(rule.condition))}</code>"
                     "</p>")
    if rule.when_outcome:
        parts.append(f"<p><strong>Only with the outcome:</strong> {e(rule.when_outcome)}</p>")
    then = f"{e(label)} <code>{e(rule.value)}</code>"
    parts.append(f"<p><strong>Then ({effect}):</strong> {then}</p>")
    if rule.message:
        parts.append(f"<p>{e(rule.message)}</p>")
    if rule.details:
        items = "".join(f"<li><code>{e(k)}</code>: {e(words(v))}</li>"
                        for k, v in rule.details.items())
        parts.append(f"<p><strong>Details:</strong></p><ul>{items}</ul>")
    parts.append("<p><strong>Cites:</strong></p>")
    parts.extend(cite_html(c) for c in rule.citations)
    if rule.register:
        parts.append("<p class=\"meta\">Ambiguity register: " + ", ".join(
            f'<a href="register.html#entry-{slug(r)}">{e(r)}</a>' for r in rule.register)
            + "</p>")
    scenarios = model.scenarios_of(rule.key)
    if model.coverage is not None:
        if scenarios:
            parts.append(f"<p class=\"meta\">Exercised by {len(scenarios)} scenario"
                         f"{'s' if len(scenarios) != 1 else ''}: "
                         + "; ".join(e(s) for s in scenarios[:5])
                         + (f"; and {len(scenarios) - 5} more" if len(scenarios) > 5 else "")
                         + "</p>")
        else:
            parts.append('<p class="meta missing">Not exercised by any scenario.</p>')
    parts.append("</article>")
    return "\n".join(parts)


def rules_page(model: Model) -> str:
    rb = model.rulebase
    body = ["<h1>Rules</h1>", "<p>Each policy area, its rules in plain words, what they "
            "decide and the words of the policy they rest on.</p><ul>"]
    body.extend(f'<li><a href="#area-{slug(a.id)}">{e(a.title)}</a></li>' for a in rb.areas)
    body.append('<li><a href="#definitions">Definitions</a></li></ul>')
    for area in rb.areas:
        body.append(f'<h2 id="area-{slug(area.id)}">{e(area.title)} <code>{e(area.id)}</code>'
                    "</h2>")
        body.append(f"<p>{e(area.summary)}</p>")
        applies = ("always" if area.applies_when is None else e(words(area.applies_when)))
        body.append(f"<p><strong>Applies:</strong> {applies}</p>")
        body.extend(cite_html(c) for c in area.applies_citations)
        body.append(f"<p><strong>Hit policy <code>{e(area.hit_policy)}</code>:</strong> "
                    f"{e(HIT_POLICY_WORDS[area.hit_policy])}.</p>")
        body.append("<p><strong>Outcomes:</strong> " + ", ".join(
            f"{e(o.label)} (<code>{e(o.value)}</code>)" for o in area.outcomes) + "</p>")
        for rule in area.all_rules:
            body.append(rule_html(model, rule, area))
        if area.ranking is not None:
            ranking = area.ranking
            body.append(f"<h3>Ranking of <code>{e(canonical(ranking.collection))}</code></h3>")
            body.append(f'<p>Conflicts between criteria: the setting <a href="settings.html#'
                        f'setting-{slug(ranking.conflict_policy)}">{e(ranking.conflict_policy)}'
                        "</a>.</p>")
            for c in ranking.checks + ranking.criteria:
                body.append(f'<article class="rule" id="{rule_anchor(c.id)}">'
                            f"<h3>{e(c.title)}</h3><p class=\"meta\"><code>{e(c.id)}</code> · "
                            f"{e(c.kind)}</p>"
                            f"<p><strong>{e(c.prefer_label.capitalize())}:</strong> "
                            f"{e(words(c.prefer))}</p>"
                            f"<p><strong>{e(c.over_label.capitalize())}:</strong> "
                            f"{e(words(c.over))}</p>"
                            + "".join(cite_html(x) for x in c.citations)
                            + ('<p class="meta">Exercised by scenarios: '
                               + "; ".join(e(s) for s in model.scenarios_of(c.id)) + "</p>"
                               if model.scenarios_of(c.id) else "")
                            + "</article>")
    body.append('<h2 id="definitions">Definitions</h2>')
    for key, d in rb.definitions.items():
        scope = f"area {d.area}" if d.area else "every area"
        body.append(f'<div class="entry" id="definition-{slug(key)}"><p><strong>'
                    f"{e(d.name)}</strong> <span class=\"meta\">({e(scope)})</span>: "
                    f"{e(d.title)}</p><p>Means: {e(words(d.expr))}</p>"
                    f'<p class="meta"><code>{e(canonical(d.expr))}</code></p>'
                    + "".join(cite_html(c) for c in d.citations) + "</div>")
    return page(model, "rules", body)


def _value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


def settings_page(model: Model) -> str:
    rb = model.rulebase
    body = ["<h1>Settings</h1>", "<p>Every threshold, boundary and convention the rules use, "
            "with the dates each value is in force.</p>"]
    for name, s in rb.settings.items():
        body.append(setting_html(model, name, s))
    return page(model, "settings", body)


def setting_html(model: Model, name: str, s: Setting) -> str:
    rows = "".join(f"<tr><td>{e(_value(v.value))}</td><td>{e(v.in_force.describe())}</td></tr>"
                   for v in s.versions)
    users = model.settings_used_by.get(name, [])
    used = ", ".join(f'<a href="rules.html#{rule_anchor(u)}">{e(u)}</a>'
                     if not u.startswith("ranking") else e(u) for u in users)
    choices = f" · choices: {e(', '.join(s.choices))}" if s.choices else ""
    return (f'<div class="setting" id="setting-{slug(name)}"><h3>{e(s.title)}</h3>'
            f'<p class="meta"><code>settings.{e(name)}</code> · {e(s.type)}{choices} · '
            f"{e(s.location)}</p><table><tr><th>Value</th><th>In force</th></tr>{rows}</table>"
            + "".join(cite_html(c) for c in s.citations)
            + (f"<p class=\"meta\">Read by: {used}</p>" if used else
               "<p class=\"meta\">Read by the date functions.</p>")
            + ("<p class=\"meta\">Ambiguity register: " + ", ".join(
                f'<a href="register.html#entry-{slug(r)}">{e(r)}</a>' for r in s.register)
               + "</p>" if s.register else "")
            + "</div>")


def register_page(model: Model) -> str:
    rb = model.rulebase
    body = ["<h1>Ambiguity register</h1>", "<p>Where the policy can be read more than one "
            "way: the readings, the one this rulebase implements, why, and the setting that "
            "changes it. Clauses deliberately not turned into rules are listed too.</p>"]
    for entry in rb.register:
        readings = "".join(f"<li>{e(r)}</li>" for r in entry.readings)
        settings = ", ".join(f'<a href="settings.html#setting-{slug(s)}">{e(s)}</a>'
                             for s in entry.settings)
        clauses = ", ".join(f'<a href="policy.html#{clause_anchor(s, c)}">{e(s)} § {e(c)}</a>'
                            for s, c in entry.clauses)
        badge = '<span class="badge warn">not implemented</span>' if entry.not_implemented \
            else ""
        body.append(f'<div class="entry" id="entry-{slug(entry.id)}"><h3>{e(entry.title)}'
                    f"{badge}</h3><p class=\"meta\"><code>{e(entry.id)}</code></p>"
                    f"<p><strong>Question:</strong> {e(entry.question)}</p>"
                    f"<p><strong>Readings:</strong></p><ul>{readings}</ul>"
                    f"<p><strong>Chosen:</strong> {e(entry.chosen)}</p>"
                    f"<p><strong>Why:</strong> {e(entry.why)}</p>"
                    + (f"<p class=\"meta\">Settings: {settings}</p>" if settings else "")
                    + (f"<p class=\"meta\">Clauses: {clauses}</p>" if clauses else "")
                    + "</div>")
    return page(model, "register", body)


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


def coverage_page(model: Model) -> str:
    cov = model.coverage
    body = ["<h1>Coverage</h1>"]
    if cov is None:
        body.append("<p>This rulebase has no scenarios.</p>")
        return page(model, "coverage", body)
    body.append(f"<p>{cov.scenarios} scenarios"
                + (f", {model.failures} failing" if model.failures else ", all passing")
                + ".</p><table><tr><th>Measure</th><th>Covered</th><th>%</th></tr>")
    for label, (done, total) in (("Rules fired in some scenario", cov.rules_figure()),
                                 ("Condition parts seen true and false",
                                  cov.conditions_figure()),
                                 ("Cited clauses exercised", cov.clauses_figure())):
        body.append(f"<tr><td>{e(label)}</td><td>{done} / {total}</td>"
                    f"<td>{cov.percent(done, total):.1f}</td></tr>")
    body.append("</table><h2>Clauses</h2><table><tr><th>Clause</th><th>Kind</th>"
                "<th>Status</th></tr>")
    rb = model.rulebase
    for sid, source in rb.sources.items():
        for clause in source.clauses.values():
            css, text = clause_status(model, sid, clause.id, clause.normative)
            kind = "normative" if clause.normative else "informative"
            body.append(f'<tr><td><a href="policy.html#{clause_anchor(sid, clause.id)}">'
                        f"{e(sid)} § {e(clause.id)}</a></td><td>{kind}</td>"
                        f'<td class="{css}">{e(text)}</td></tr>')
    body.append("</table><h2>Rules</h2><table><tr><th>Rule</th><th>Area</th><th>Scenarios"
                "</th></tr>")
    for key, area, _ in cov.rule_items():
        n = len(cov.fired.get(key, []))
        body.append(f'<tr><td><a href="rules.html#{rule_anchor(key)}">{e(key)}</a></td>'
                    f"<td>{e(area)}</td><td class=\"{'ok' if n else 'missing'}\">{n}</td></tr>")
    body.append("</table><h2>Condition parts</h2><table><tr><th>Rule</th><th>Part</th>"
                "<th>Seen true</th><th>Seen false</th></tr>")
    for owner, i, atom, _ in cov.condition_items():
        t, f = (owner, i) in cov.seen_true, (owner, i) in cov.seen_false
        body.append(f"<tr><td>{e(owner)}</td><td><code>{e(canonical(atom))}</code></td>"
                    f"<td class=\"{'ok' if t else 'missing'}\">{'yes' if t else 'no'}</td>"
                    f"<td class=\"{'ok' if f else 'missing'}\">{'yes' if f else 'no'}</td></tr>")
    body.append("</table>")
    return page(model, "coverage", body)


# ---------------------------------------------------------------------------- Markdown


def md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def markdown(model: Model) -> str:
    rb = model.rulebase
    out = [f"# {rb.title}", "", f"Rulebase `{rb.name}` {rb.version}, sha256 `{rb.sha256}`.", ""]
    if rb.description:
        out += [md_escape(rb.description), ""]
    out += ["## Rules", ""]
    for area in rb.areas:
        out += [f'<a id="area-{slug(area.id)}"></a>', f"### {md_escape(area.title)} "
                f"(`{area.id}`)", "", md_escape(area.summary), "",
                "Applies: " + (md_escape(words(area.applies_when)) if area.applies_when
                               else "always") + "."
                f" Hit policy `{area.hit_policy}`: {HIT_POLICY_WORDS[area.hit_policy]}.", ""]
        for rule in area.all_rules:
            is_otherwise = area.otherwise is not None and rule is area.otherwise
            when = ("no other rule of this area gives an outcome" if is_otherwise
                    else md_escape(words(rule.condition)))
            out += [f'<a id="{rule_anchor(rule.key)}"></a>',
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
    out += ["## Settings", ""]
    for name, s in rb.settings.items():
        values = "; ".join(f"{_value(v.value)} ({v.in_force.describe()})" for v in s.versions)
        out += [f'<a id="setting-{slug(name)}"></a>',
                f"- **`{name}`** — {md_escape(s.title)}: {md_escape(values)}"]
    out += ["", "## Ambiguity register", ""]
    for entry in rb.register:
        out += [f'<a id="entry-{slug(entry.id)}"></a>', f"### {md_escape(entry.title)}", "",
                f"- **Question:** {md_escape(entry.question)}",
                f"- **Chosen:** {md_escape(entry.chosen)}",
                f"- **Why:** {md_escape(entry.why)}", ""]
    out += ["## Policy text", ""]
    for sid, source in rb.sources.items():
        out += [f"### {md_escape(source.title)}", ""]
        for clause in source.clauses.values():
            users = model.implementers.get((sid, clause.id), [])
            links = ", ".join(f"[{md_escape(label)}](#{anchor})" for label, _, anchor in users)
            out += [f'<a id="{clause_anchor(sid, clause.id)}"></a>',
                    f"> {md_escape(' '.join(clause.text.split()))}", ">",
                    f"> § `{clause.id}`" + (" (normative)" if clause.normative else "")
                    + (f" — implemented by {links}" if links else ""), ""]
    if model.coverage is not None:
        cov = model.coverage
        out += ["## Coverage", "", "| Measure | Covered | % |", "|---|---|---|"]
        for label, (done, total) in (("Rules fired", cov.rules_figure()),
                                     ("Condition parts seen both ways",
                                      cov.conditions_figure()),
                                     ("Cited clauses exercised", cov.clauses_figure())):
            out.append(f"| {label} | {done} / {total} | {cov.percent(done, total):.1f} |")
        out.append("")
    return "\n".join(out) + "\n"


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
    builders = {"index": index_page, "policy": policy_page, "rules": rules_page,
                "settings": settings_page, "register": register_page,
                "coverage": coverage_page}
    written = []
    for name in PAGES:
        path = directory / f"{name}.html"
        path.write_text(builders[name](model), encoding="utf-8")
        written.append(path)
    md = directory / "rulebase.md"
    md.write_text(markdown(model), encoding="utf-8")
    written.append(md)
    return written
