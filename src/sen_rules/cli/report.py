"""``sen-rules report``: a decision report for auditors, in Markdown or HTML."""

from __future__ import annotations

import argparse
from typing import Any

from ..engine.service import BACKENDS
from ..explain import explain
from ..reports.html import html_report
from ..reports.markdown import markdown_report
from .common import (
    add_as_of_option,
    add_rules_option,
    as_of_from,
    read_text,
    rulebase_from,
    write_output,
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "report", help="write a decision report (Markdown or self-contained HTML)",
        description="Evaluate a case and write a report of its decisions: each outcome, the "
        "policy clauses quoted in full with the quoted words marked, the facts relied on, the "
        "rules that did not apply and why, and what would change the outcome. The HTML is one "
        "self-contained file (no script, nothing fetched) for screen and print.")
    p.add_argument("case", metavar="CASE.json", help="the case, as JSON ('-' for standard input)")
    add_as_of_option(p)
    p.add_argument("--format", choices=("md", "html"), default="md",
                   help="md (Markdown, default) or html")
    p.add_argument("--backend", choices=BACKENDS, default="native",
                   help="evaluation engine that makes the decision (default: native)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    result = explain(read_text(args.case), as_of=as_of_from(args), rulebase=rulebase_from(args),
                     backend=args.backend)
    text = html_report(result) if args.format == "html" else markdown_report(result)
    write_output(text, args.out)
    return 0
