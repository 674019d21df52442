"""The decision report as Markdown (CommonMark with GitHub tables).

Each decision with its outcome, the policy clauses quoted in full (the quoted words in
bold), the facts relied on, the rules that did not apply and why, and what would change
the outcome. The same explanation always gives the same bytes (no clock).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..explain.narrative import DecisionSection, QuotedClause, Report, build_report
from ..explain.reasons import Reason
from ..explain.values import checks_in_words
from ..textsafe import neutralise

if TYPE_CHECKING:
    from ..explain.core import Explanation

_SPECIAL = re.compile(r"([\\`*\[\]<>|#])|((?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def esc(text: str) -> str:
    """Text shown as it is: Markdown's special characters escaped (an underscore inside a
    word, as in ``school_action``, cannot start emphasis and is left as it is)."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), neutralise(text))


def code(text: str) -> str:
    text = neutralise(text)
    return f"`{text}`" if "`" not in text else f"``{text}``"


def reasons_md(reasons: tuple[Reason, ...] | list[Reason], indent: str = "") -> list[str]:
    out = []
    for r in reasons:
        out.append(f"{indent}- {esc(r.text)}")
        out.extend(reasons_md(list(r.because), indent + "  "))
    return out


def clause_md(q: QuotedClause) -> list[str]:
    body = "".join(f"**{esc(piece)}**" if quoted else esc(piece)
                   for piece, quoted in _trim(q.pieces()))
    # a clause that starts like a list item ("- ", "1. ") must not become a list
    body = re.sub(r"^((?:\*\*)?)([-+]|\d+\.)( )",
                  lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1] + m.group(3),
                  body)
    where = f"{esc(q.source_title)}, clause {code(q.clause)}" + (
        f", line {q.line}" if q.line else "")
    lines = [f"> {body}", ">", f"> — {where}"]
    for ref in q.references:
        lines.append(f"> ({esc(ref)})")
    return lines


def _trim(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Bold markers must hug the words: move spaces at a quote's edges outside it."""
    out: list[tuple[str, bool]] = []
    for text, quoted in pieces:
        if not quoted:
            out.append((text, False))
            continue
        lead = text[: len(text) - len(text.lstrip())]
        tail = text[len(text.rstrip()):]
        if lead:
            out.append((lead, False))
        if text.strip():
            out.append((text.strip(), True))
        if tail:
            out.append((tail, False))
    return out


def decision_md(n: int, d: DecisionSection) -> list[str]:
    """One decision of a report, section by section."""
    lines = [f"## {n}. {esc(d.title)}: {esc(d.outcome_label)}", "",
             f"**Outcome:** {esc(d.outcome_label)} ({code(d.outcome)}), decided under the "
             f"area's hit policy {code(d.hit_policy)}.", ""]
    for key, value in d.details:
        lines.append(f"- {esc(key)}: {esc(value)}")
    if d.details:
        lines.append("")
    if d.applies:
        lines += ["This area applies because:", ""]
        lines += reasons_md(d.applies) + [""]
    for section in (_why_md, _findings_md, _ranking_md, _facts_md, _not_deciding_md,
                    _changes_md):
        lines += section(d)
    return lines


def _why_md(d: DecisionSection) -> list[str]:
    lines = ["### Why", ""]
    for r in d.because:
        lines.append(f"Rule {code(r.id)}{' version ' + r.version if r.version != '1' else ''}"
                     f" — {esc(r.title)}")
        lines.append("")
        lines += reasons_md(r.reasons) + [""]
    lines += ["### The policy", ""]
    for r in d.because:
        lines += [f"Cited by {code(r.id)}:", ""]
        for q in r.clauses:
            lines += clause_md(q) + [""]
    return lines


def _findings_md(d: DecisionSection) -> list[str]:
    if not d.findings:
        return []
    lines = ["### Flags and notes", ""]
    for f in d.findings:
        lines.append(f"- **{f.kind.upper()}** {code(f.code)}: {esc(f.message)} "
                     f"(rule {code(f.rule.id)})")
        lines += reasons_md(f.rule.reasons, "  ")
    lines.append("")
    for f in d.findings:
        lines += [f"Cited by {code(f.rule.id)}:", ""]
        for q in f.rule.clauses:
            lines += clause_md(q) + [""]
    return lines


def _ranking_md(d: DecisionSection) -> list[str]:
    if not d.ranking:
        return []
    lines = ["### Ranking of the candidate placements", "",
             "| Rank | Candidate | Name | Shortfalls | To be assessed |",
             "|---:|---|---|---|---|"]
    for row in d.ranking:
        lines.append(f"| {row['rank']} | {code(str(row['candidate']))} | "
                     f"{esc(str(row['name']))} | {esc(checks_in_words(row, 'shortfalls'))}"
                     f" | {esc(checks_in_words(row, 'to_be_assessed'))} |")
    lines.append("")
    lines += [f"- {esc(s)}" for s in d.ranking_steps]
    if d.ranking_steps:
        lines.append("")
    for c in d.criteria:
        lines += [f"{c.role.capitalize()} {code(c.id)} — {esc(c.title)}:", ""]
        for q in c.clauses:
            lines += clause_md(q) + [""]
    return lines


def _facts_md(d: DecisionSection) -> list[str]:
    lines = ["### Facts relied on", ""]
    if d.facts:
        lines += ["| Fact | Value |", "|---|---|"]
        lines += [f"| {code(p)} | {esc(v)} |" for p, v in d.facts]
    else:
        lines.append("No fact of the case was needed.")
    lines.append("")
    if d.derived:
        lines += ["Values worked out from them:", "", "| Value | Name | Is |", "|---|---|---|"]
        lines += [f"| {esc(t)} | {code(n)} | {esc(v)} |" for t, n, v in d.derived]
        lines.append("")
    return lines


def _not_deciding_md(d: DecisionSection) -> list[str]:
    lines: list[str] = []
    if d.overridden:
        lines += ["### Rules that also matched but did not decide", ""]
        for o in d.overridden:
            lines.append(f"- {code(o.id)} — {esc(o.title)}: it matched, but under the hit "
                         f"policy {code(d.hit_policy)} another rule decides.")
        lines.append("")
    lines += ["### Rules that did not apply", ""]
    if not d.not_applied:
        lines.append("Every rule of this area applied.")
    for na in d.not_applied:
        lines.append(f"- {code(na.id)} ({na.effect}) — {esc(na.title)}")
        lines += reasons_md(na.reasons, "  ")
    return lines


def _changes_md(d: DecisionSection) -> list[str]:
    lines = ["", "### What would change the outcome", ""]
    if d.counterfactuals:
        lines += [f"- {esc(t)}" for t in d.counterfactuals]
    else:
        lines.append("No change of one or two of the facts tried changes this outcome.")
    if d.flag_counterfactuals:
        lines += ["", "What would clear the flags:", ""]
        lines += [f"- {esc(t)}" for t in d.flag_counterfactuals]
    lines += ["", f"*{esc(d.searched)}*", ""]
    return lines


def render_report(report: Report) -> str:
    rb = report.rulebase
    lines = [
        f"# Decision report: case {esc(report.case_id)}", "",
        f"Evaluated on {report.as_of_words} ({report.as_of.isoformat()}) against "
        f"*{esc(report.rulebase_title)}*.", "",
        "| | |", "|---|---|",
        f"| Case | {code(report.case_id)} |",
        f"| Case sha256 | {code(report.case_sha256)} |",
        f"| Evaluated on | {report.as_of.isoformat()} |",
        f"| Rulebase | {esc(rb['name'])} {esc(rb['version'])} |",
        f"| Rulebase sha256 | {code(rb['sha256'])} |",
        f"| Backend | {esc(report.backend)} |",
        f"| sen-rules | {esc(report.package_version)} |",
        "", "## Summary", "",
        "| Decision | Outcome | Decided by | Flags |", "|---|---|---|---|",
    ]
    for d in report.decisions:
        flags = ", ".join(code(f.code) for f in d.findings if f.kind == "flag") or "—"
        lines.append(f"| {esc(d.title)} | **{esc(d.outcome_label)}** | "
                     f"{', '.join(code(r.id) for r in d.because)} | {flags} |")
    if not report.decisions:
        lines.append("| (no policy area applies) | | | |")
    lines.append("")
    for n, d in enumerate(report.decisions, start=1):
        lines += decision_md(n, d)
    if report.not_applying:
        lines += ["## Policy areas that did not apply", ""]
        for area_id, title, reasons in report.not_applying:
            lines.append(f"- **{esc(title)}** ({code(area_id)})")
            lines += reasons_md(reasons, "  ")
        lines.append("")
    lines += ["---", "",
              "*Produced by sen-rules from the compiled rules that made the decisions. Quoted "
              "words are in bold within the full text of each clause. To keep a replayable, "
              "tamper-evident record of these decisions, use `sen-rules record`; check it "
              "later with `sen-rules verify`.*", ""]
    return "\n".join(lines)


def markdown_report(x: Explanation) -> str:
    """The Markdown decision report of an explanation."""
    return render_report(build_report(x))
