"""A plain-text rendering of an evaluation, for a person at a terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from ..engine.result import Decision, Evaluation, thaw
from ..explain.values import checks_in_words
from ..textsafe import neutralise
from ..values import detail_words
from .chain import not_applicable_words, settings_words, uses_words

WIDTH = 88


def rulebase_line(name: str, version: str, sha256: str) -> str:
    """How a text rendering names the rulebase it used."""
    return f"Rulebase {name} {version} (sha256 {sha256[:16]}…)"


def text_of(lines: list[str]) -> str:
    """The lines as one text, without trailing blank lines, ending with a newline."""
    return neutralise("\n".join(lines).rstrip() + "\n")  # case text reaches a terminal


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first if first is not None else indent,
                         subsequent_indent=indent, break_on_hyphens=False) or [indent.rstrip()]


def _simple_details(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(k.replace("_", " "), detail_words(v, dates="iso")) for k, v in details.items()
            if not isinstance(v, Mapping) and not (isinstance(v, tuple) and v
                                                   and isinstance(v[0], Mapping))]


def render_decision(d: Decision) -> list[str]:
    lines = [f"{d.title}: {d.outcome_label}"]
    for key, value in _simple_details(d.details):
        lines.append(f"  {key}: {value}")
    ranking = d.details.get("ranking")
    if ranking:
        lines.append("  ranking of the candidate placements:")
        for row in thaw(ranking):
            shortfalls = (f"; shortfalls: {checks_in_words(row, 'shortfalls')}"
                          if row["shortfalls"] else "")
            unassessed = (f"; to be assessed: {checks_in_words(row, 'to_be_assessed')}"
                          if row.get("not_known") else "")
            lines.extend(_wrap(f"{row['rank']}. {row['candidate']} ({row['name']}){shortfalls}"
                               f"{unassessed}", "       ", "    "))
        for step in thaw(d.details.get("steps", ())):
            text = (f"{step['higher']} {'and' if step['tie'] else 'above'} {step['lower']}: "
                    f"{step['reason']}")
            if step["conflicts"] and not step["tie"]:
                pulls = "; ".join(f"“{c.get('words', c['criterion'])}”" for c in step["conflicts"])
                text += f" (but {pulls} favour{'s' if len(step['conflicts']) == 1 else ''} " \
                        f"{step['lower']}: a conflict for the panel)"
            lines.extend(_wrap(text, "      ", "    - "))
    for ref in d.rules:
        if ref.role in ("check", "criterion"):
            continue
        label = {"outcome": "because", "otherwise": "because", "flag": "flag", "note": "note"}
        lines.extend(_wrap(f"{ref.id}: {ref.title}", "             ",
                           f"  {label.get(ref.role, ref.role):<9}  "))
        if ref.chosen_by is not None:
            lines.extend(_wrap(ref.chosen_by.reason, "             "))
        for c in ref.citations:
            ref_text = f"; {c.reference}" if c.reference else ""
            lines.extend(_wrap(f"“{c.quote}” ({c.source} § {c.clause}{ref_text})",
                               "             "))
    for f in d.flags:
        lines.extend(_wrap(f"FLAG {f.code}: {f.message}", "    ", "  ! "))
    for n in d.notes:
        lines.extend(_wrap(f"{n.code}: {n.message}", "    ", "  · "))
    if d.overridden:
        lines.extend(_wrap("also matched, not deciding under the area's hit policy: "
                           + ", ".join(d.overridden), "    ", "  "))
    for said in (uses_words(d), settings_words(d)):
        if said:
            lines.extend(_wrap(said, "    ", "  "))
    return lines


def render_evaluation(e: Evaluation) -> str:
    rb = e.rulebase
    lines = [
        f"Case {e.case_id}, evaluated on {e.as_of.isoformat()}",
        rulebase_line(rb["name"], rb["version"], rb["sha256"]),
        "",
    ]
    if not e.decisions:
        lines.append("No policy area applies to this case.")
    for d in e.decisions:
        lines.extend(render_decision(d))
        lines.append("")
    if e.not_applicable:
        lines.append("Considered, not applying:")
        for na in e.not_applicable:
            lines.extend(_wrap(not_applicable_words(na), "    ", "  - "))
        lines.append("")
    return text_of(lines)
