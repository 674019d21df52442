"""``sen-rules timeline``: the decisions for a case on every date between two where any of
them changes, each change with what changed and the rules that made it change."""

from __future__ import annotations

import argparse
from typing import Any

from ..timelines import build_timeline
from .common import (
    add_backend_option,
    add_case_argument,
    add_format_option,
    add_out_option,
    add_rules_option,
    read_text,
    rulebase_from,
    write_output,
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "timeline", help="the decisions on every date where one changes, between two dates",
        description="Work out a case's decisions on the first date and on every later date, "
        "up to the last, where any of them changes: birthdays that matter, the start and "
        "end of compulsory school age, review due dates, law changes, the dates in the "
        "case. Each change names the area, the outcome before and after (or the details, "
        "flags and notes that changed) and the rules that made it change. The dates come "
        "from the rules and the case, not from evaluating every day.")
    add_case_argument(p)
    p.add_argument("--from", dest="start", metavar="DATE", required=True,
                   help="first date, YYYY-MM-DD (on or after the latest date in the case)")
    p.add_argument("--to", dest="end", metavar="DATE", required=True,
                   help="last date, YYYY-MM-DD")
    add_backend_option(p)
    add_format_option(p)
    add_out_option(p)
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = read_text(args.case)
    result = build_timeline(rulebase_from(args), text, args.start, args.end, args.backend)
    write_output(result.to_json() if args.format == "json" else result.to_text(), args.out)
    return 0
