"""``sen-rules report``: a decision report for auditors, in Markdown or HTML."""

from __future__ import annotations

import argparse
from typing import Any

from ..explain import explain
from ..reports.html import html_report
from ..reports.markdown import markdown_report
from .common import (
    add_as_of_option,
    add_backend_option,
    add_case_argument,
    add_out_option,
    add_rules_option,
    read_case,
    write_output,
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "report", help="write a decision report (Markdown or self-contained HTML)",
        description="Evaluate a case and write a report of its decisions: each outcome, the "
        "policy clauses quoted in full with the quoted words marked, the facts relied on, the "
        "rules that did not apply and why, and what would change the outcome. The HTML is one "
        "self-contained file (no script, nothing fetched) for screen and print.")
    add_case_argument(p)
    add_as_of_option(p)
    p.add_argument("--format", choices=("md", "html"), default="md",
                   help="md (Markdown, default) or html")
    add_backend_option(p, help="evaluation engine that makes the decision (default: native)")
    add_out_option(p)
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text, options = read_case(args)
    result = explain(text, **options)
    text = html_report(result) if args.format == "html" else markdown_report(result)
    write_output(text, args.out)
    return 0
