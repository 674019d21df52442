"""Reports of stored decisions, and the Jinja2 environment of the auditor pages.

A record made under the rulebase serving now is explained again (its decisions are
replayed from the sealed case, so the full report with the reasons and the quoted clauses
can be drawn). A record made under another rulebase cannot be explained by this one: its
report shows what the record itself holds (each decision, its rules and the clauses they
quote) and says so.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..explain import explain as explain_case
from ..reports.html import html_report
from ..rulebase import Rulebase


@cache
def templates() -> Environment:
    return Environment(loader=PackageLoader("sen_rules.server", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def same_rulebase(record: dict[str, Any], rulebase: Rulebase) -> bool:
    return bool(record["rulebase"]["sha256"] == rulebase.sha256)


def stored_report(text: str, rulebase: Rulebase) -> str:
    """The HTML report of a stored record (see the module docstring)."""
    record = json.loads(text)
    if same_rulebase(record, rulebase):
        explanation = explain_case(record["case"], as_of=record["as_of"], rulebase=rulebase,
                                   backend=record["backend"])
        return html_report(explanation)
    return templates().get_template("record.html").render(
        record=record, current=rulebase.identity())


def stored_text(text: str, rulebase: Rulebase) -> str:
    """The text report of a stored record (``sen-rules explain`` when the rulebase is the
    one it was made under, else what the record holds)."""
    record = json.loads(text)
    if same_rulebase(record, rulebase):
        explanation = explain_case(record["case"], as_of=record["as_of"], rulebase=rulebase,
                                   backend=record["backend"], counterfactuals=False)
        return explanation.to_text()
    return templates().get_template("record.txt").render(
        record=record, current=rulebase.identity())
