"""Reports of stored decisions, and the auditor pages' templates.

A record made under the rulebase serving now is explained again (its decisions are
replayed from the sealed case, so the full report with the reasons and the quoted clauses
can be drawn). A record made under another rulebase cannot be explained by this one: its
report shows what the record itself holds (each decision, its rules and the clauses they
quote) and says so.
"""

from __future__ import annotations

import json
from typing import Any

from ..explain import explain as explain_case
from ..rendering import render
from ..reports.html import html_report
from ..rulebase import Rulebase


def render_auditor(name: str, **values: Any) -> str:
    """An auditor page or text (a template of ``sen_rules/templates/auditor``), rendered by
    the package's one template environment (autoescaping, undefined names are errors)."""
    return render(f"auditor/{name}.j2", **values)


def same_rulebase(record: dict[str, Any], rulebase: Rulebase) -> bool:
    return bool(record["rulebase"]["sha256"] == rulebase.sha256)


def stored_report(text: str, rulebase: Rulebase) -> str:
    """The HTML report of a stored record (see the module docstring)."""
    record = json.loads(text)
    if same_rulebase(record, rulebase):
        explanation = explain_case(record["case"], as_of=record["as_of"], rulebase=rulebase,
                                   backend=record["backend"])
        return html_report(explanation)
    return render_auditor("record.html", record=record, current=rulebase.identity())


def stored_text(text: str, rulebase: Rulebase) -> str:
    """The text report of a stored record (``sen-rules explain`` when the rulebase is the
    one it was made under, else what the record holds)."""
    record = json.loads(text)
    if same_rulebase(record, rulebase):
        explanation = explain_case(record["case"], as_of=record["as_of"], rulebase=rulebase,
                                   backend=record["backend"], counterfactuals=False)
        return explanation.to_text()
    return render_auditor("record.txt", record=record, current=rulebase.identity())
