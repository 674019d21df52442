"""``sen-rules evaluate``: decisions with citations for a case."""

from __future__ import annotations

import argparse
from typing import Any

from .. import evaluate
from ..engine.service import BACKENDS
from ..reports.text import render_evaluation
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
        "evaluate", help="evaluate a case and print its decisions with citations",
        description="Evaluate a case (JSON, see `sen-rules schema`) on a date and print the "
        "decision of every policy area that applies, each with the rules that produced it and "
        "the clauses of the policy they quote.")
    p.add_argument("case", metavar="CASE.json", help="the case, as JSON ('-' for standard input)")
    add_as_of_option(p)
    p.add_argument("--backend", choices=BACKENDS, default="native",
                   help="evaluation engine (default: native)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for a person (default) or JSON for a program")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rulebase = rulebase_from(args)
    result = evaluate(read_text(args.case), as_of=as_of_from(args), rulebase=rulebase,
                      backend=args.backend)
    text = result.to_json() if args.format == "json" else render_evaluation(result)
    write_output(text, args.out)
    return 0
