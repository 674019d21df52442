"""The decision report as one self-contained HTML file.

Inline CSS only: no script, no font, no image, no link to fetch, so the file reads the
same offline, years later. It reads well on screen and in print (``@media print``: A4
margins, no page break inside a quoted clause, marked quotes printed in colour or
underlined). The same explanation always gives the same bytes (no clock).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..explain.narrative import DecisionSection, QuotedClause, Report, build_report
from ..explain.reasons import Reason
from ..explain.values import checks_in_words

if TYPE_CHECKING:
    from ..explain.core import Explanation

CSS = """
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad;
        --mark: #fff0a0; --flag: #b3261e; --ok: #1a7f37; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--ink); background: #fff;
       font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       line-height: 1.5; }
main { max-width: 56rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; margin: 0 0 .25rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 .75rem; padding-bottom: .3rem;
     border-bottom: 2px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; color: var(--accent); }
p.lead { color: var(--muted); margin-top: 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
       font-size: .88em; background: #f3f4f6; padding: .05em .3em; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem;
         border-bottom: 1px solid var(--line); }
th { background: #f6f8fa; font-weight: 600; }
table.meta th { width: 12rem; }
td.num { text-align: right; }
.outcome { display: inline-block; padding: .1rem .55rem; border-radius: 1rem;
           background: #e7f0fb; color: #0a3d73; font-weight: 600; }
.flag { color: var(--flag); font-weight: 600; }
.note { color: var(--muted); font-weight: 600; }
blockquote.clause { margin: .6rem 0 1rem; padding: .6rem 1rem; background: #fafbfc;
                    border-left: 4px solid var(--accent); }
blockquote.clause p { margin: 0 0 .4rem; }
blockquote.clause footer { color: var(--muted); font-size: .88rem; }
mark { background: var(--mark); color: inherit; padding: 0 .1em; }
ul.reasons { margin: .3rem 0 .8rem; padding-left: 1.3rem; }
ul.reasons ul { padding-left: 1.2rem; }
.rule { margin: .8rem 0; }
.rule-head { font-weight: 600; }
.cited-by { color: var(--muted); font-size: .88rem; margin: .8rem 0 0; }
.searched { color: var(--muted); font-size: .9rem; font-style: italic; }
section.decision { page-break-before: auto; }
footer.colophon { margin-top: 3rem; color: var(--muted); font-size: .9rem;
                  border-top: 1px solid var(--line); padding-top: 1rem; }
@media print {
  @page { size: A4; margin: 18mm 16mm 20mm; }
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  blockquote.clause, table, .rule { break-inside: avoid; page-break-inside: avoid; }
  mark { -webkit-print-color-adjust: exact; print-color-adjust: exact;
         text-decoration: underline; text-decoration-thickness: 1.5pt; }
  code { background: none; padding: 0; }
  .outcome { border: 1px solid #0a3d73; background: none; }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def e(text: str) -> str:
    return escape(text, quote=True)


def reasons_html(reasons: tuple[Reason, ...] | list[Reason]) -> str:
    if not reasons:
        return ""
    items = []
    for r in reasons:
        inner = reasons_html(list(r.because))
        items.append(f"<li>{e(r.text)}{inner}</li>")
    return '<ul class="reasons">' + "".join(items) + "</ul>"


def _cited_by(rule_id: str) -> str:
    return f'<p class="cited-by">Cited by <code>{e(rule_id)}</code>:</p>'


def clause_html(q: QuotedClause) -> str:
    body = "".join(f"<mark>{e(piece)}</mark>" if quoted else e(piece)
                   for piece, quoted in q.pieces())
    where = f"{e(q.source_title)}, clause <code>{e(q.clause)}</code>" + (
        f", line {q.line}" if q.line else "")
    refs = "".join(f" ({e(r)})" for r in q.references)
    return (f'<blockquote class="clause"><p>{body}</p>'
            f"<footer>— {where}{refs}</footer></blockquote>")


def decision_html(n: int, d: DecisionSection) -> str:
    out = [f'<section class="decision" id="decision-{e(d.topic)}">',
           f'<h2>{n}. {e(d.title)}: <span class="outcome">{e(d.outcome_label)}</span></h2>',
           f"<p><strong>Outcome:</strong> {e(d.outcome_label)} (<code>{e(d.outcome)}</code>), "
           f"decided under the area's hit policy <code>{e(d.hit_policy)}</code>.</p>"]
    if d.details:
        out.append("<ul>" + "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in d.details)
                   + "</ul>")
    if d.applies:
        out.append("<p>This area applies because:</p>" + reasons_html(d.applies))
    out.append("<h3>Why</h3>")
    for r in d.because:
        version = f" version {e(r.version)}" if r.version != "1" else ""
        out.append(f'<div class="rule"><p class="rule-head">Rule <code>{e(r.id)}</code>'
                   f"{version} — {e(r.title)}</p>{reasons_html(r.reasons)}</div>")
    out.append("<h3>The policy</h3>")
    for r in d.because:
        out.append(_cited_by(r.id) + "".join(clause_html(q) for q in r.clauses))
    if d.findings:
        out.append("<h3>Flags and notes</h3><ul>")
        for f in d.findings:
            cls = "flag" if f.kind == "flag" else "note"
            out.append(f'<li><span class="{cls}">{e(f.kind.upper())}</span> '
                       f"<code>{e(f.code)}</code>: {e(f.message)} (rule <code>{e(f.rule.id)}"
                       f"</code>){reasons_html(f.rule.reasons)}</li>")
        out.append("</ul>")
        for f in d.findings:
            out.append(_cited_by(f.rule.id) + "".join(clause_html(q) for q in f.rule.clauses))
    if d.ranking:
        out.append("<h3>Ranking of the candidate placements</h3><table><thead><tr>"
                   "<th>Rank</th><th>Candidate</th><th>Name</th><th>Shortfalls</th>"
                   "<th>To be assessed</th></tr></thead><tbody>")
        for row in d.ranking:
            out.append(f'<tr><td class="num">{e(str(row["rank"]))}</td>'
                       f"<td><code>{e(str(row['candidate']))}</code></td>"
                       f"<td>{e(str(row['name']))}</td>"
                       f"<td>{e(checks_in_words(row, 'shortfalls'))}</td>"
                       f"<td>{e(checks_in_words(row, 'to_be_assessed'))}</td></tr>")
        out.append("</tbody></table>")
        if d.ranking_steps:
            out.append("<ul>" + "".join(f"<li>{e(s)}</li>" for s in d.ranking_steps) + "</ul>")
        for c in d.criteria:
            out.append(f"<p>{e(c.role.capitalize())} <code>{e(c.id)}</code> — {e(c.title)}:"
                       "</p>" + "".join(clause_html(q) for q in c.clauses))
    out.append("<h3>Facts relied on</h3>")
    if d.facts:
        out.append("<table><thead><tr><th>Fact</th><th>Value</th></tr></thead><tbody>"
                   + "".join(f"<tr><td><code>{e(p)}</code></td><td>{e(v)}</td></tr>"
                             for p, v in d.facts) + "</tbody></table>")
    else:
        out.append("<p>No fact of the case was needed.</p>")
    if d.derived:
        out.append("<p>Values worked out from them:</p><table><thead><tr><th>Value</th>"
                   "<th>Name</th><th>Is</th></tr></thead><tbody>"
                   + "".join(f"<tr><td>{e(t)}</td><td><code>{e(nm)}</code></td><td>{e(v)}</td>"
                             "</tr>" for t, nm, v in d.derived) + "</tbody></table>")
    if d.overridden:
        out.append("<h3>Rules that also matched but did not decide</h3><ul>")
        out.extend(f"<li><code>{e(o.id)}</code> — {e(o.title)}: it matched, but under the hit "
                   f"policy <code>{e(d.hit_policy)}</code> another rule decides.</li>"
                   for o in d.overridden)
        out.append("</ul>")
    out.append("<h3>Rules that did not apply</h3>")
    if d.not_applied:
        out.append("<ul>" + "".join(
            f"<li><code>{e(na.id)}</code> ({e(na.effect)}) — {e(na.title)}"
            f"{reasons_html(na.reasons)}</li>" for na in d.not_applied) + "</ul>")
    else:
        out.append("<p>Every rule of this area applied.</p>")
    out.append("<h3>What would change the outcome</h3>")
    if d.counterfactuals:
        out.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in d.counterfactuals) + "</ul>")
    else:
        out.append("<p>No change of one or two of the facts tried changes this outcome.</p>")
    if d.flag_counterfactuals:
        out.append("<p>What would clear the flags:</p><ul>"
                   + "".join(f"<li>{e(t)}</li>" for t in d.flag_counterfactuals) + "</ul>")
    out.append(f'<p class="searched">{e(d.searched)}</p></section>')
    return "\n".join(out)


def render_report(report: Report) -> str:
    rb = report.rulebase
    title = f"Decision report: case {report.case_id}"
    meta = [("Case", f"<code>{e(report.case_id)}</code>"),
            ("Case sha256", f"<code>{e(report.case_sha256)}</code>"),
            ("Evaluated on", e(report.as_of.isoformat())),
            ("Rulebase", f"{e(rb['name'])} {e(rb['version'])}"),
            ("Rulebase sha256", f"<code>{e(rb['sha256'])}</code>"),
            ("Backend", e(report.backend)),
            ("sen-rules", e(report.package_version))]
    out = ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>",
           "<main>", "<header>", f"<h1>{e(title)}</h1>",
           f'<p class="lead">Evaluated on {e(report.as_of_words)} against '
           f"<em>{e(report.rulebase_title)}</em>.</p>",
           '<table class="meta"><tbody>'
           + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in meta)
           + "</tbody></table>", "</header>",
           '<section class="summary"><h2>Summary</h2><table><thead><tr><th>Decision</th>'
           "<th>Outcome</th><th>Decided by</th><th>Flags</th></tr></thead><tbody>"]
    for d in report.decisions:
        flags = ", ".join(f'<span class="flag">{e(f.code)}</span>' for f in d.findings
                          if f.kind == "flag") or "—"
        out.append(f'<tr><td><a href="#decision-{e(d.topic)}">{e(d.title)}</a></td>'
                   f"<td><strong>{e(d.outcome_label)}</strong></td>"
                   f"<td>{', '.join(f'<code>{e(r.id)}</code>' for r in d.because)}</td>"
                   f"<td>{flags}</td></tr>")
    if not report.decisions:
        out.append('<tr><td colspan="4">No policy area applies.</td></tr>')
    out.append("</tbody></table></section>")
    for n, d in enumerate(report.decisions, start=1):
        out.append(decision_html(n, d))
    if report.not_applying:
        out.append('<section><h2>Policy areas that did not apply</h2><ul>')
        for area_id, area_title, reasons in report.not_applying:
            out.append(f"<li><strong>{e(area_title)}</strong> (<code>{e(area_id)}</code>)"
                       f"{reasons_html(reasons)}</li>")
        out.append("</ul></section>")
    out += ['<footer class="colophon"><p>Produced by sen-rules from the compiled rules that '
            "made the decisions. Quoted words are marked within the full text of each clause. "
            "To keep a replayable, tamper-evident record of these decisions, use "
            "<code>sen-rules record</code>; check it later with <code>sen-rules verify</code>."
            "</p></footer>", "</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def html_report(x: Explanation) -> str:
    """The HTML decision report of an explanation (one self-contained file)."""
    return render_report(build_report(x))
