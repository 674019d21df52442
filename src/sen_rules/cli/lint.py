"""``sen-rules lint``: every problem in a rules directory, with file:line:col."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_format_option, add_out_option, add_rules_dir_argument, write_output


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "lint", help="check a rules directory and report every problem found",
        description="Check a rules directory: load errors (syntax, structure, unknown fields "
        "and functions, type errors, duplicate ids, missing citations, quotes not word for "
        "word), then the rulebase itself (settings never used, rules that can never fire, "
        "rules of an area that can both fire with different outcomes, shown with a case, "
        "normative clauses nothing implements). Exit status 0 when there is no error, 1 "
        "when there is.")
    add_rules_dir_argument(p)
    add_format_option(p)
    p.add_argument("--all", action="store_true",
                   help="also show info findings (text format; JSON always has them all)")
    add_out_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.lint import lint

    report = lint(args.rules_dir)
    if args.format == "json":
        write_output(report.to_json(), args.out)
    else:
        write_output(report.to_text("info" if args.all else "warning"), args.out)
    return 0 if report.ok else 1
