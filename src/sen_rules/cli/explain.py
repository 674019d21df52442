"""``sen-rules explain``: the full trace of a decision, why and why not, and what would
change it."""

from __future__ import annotations

import argparse
from typing import Any

from ..engine.service import BACKENDS
from ..explain import explain
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
        "explain", help="explain a decision: every rule, its values, why and why not",
        description="Evaluate a case and explain it: for every rule of every policy area in "
        "play, whether it fired, each condition with the case values it read (with their "
        "field paths) and the values worked out from them, why the rules that did not fire "
        "failed, and the smallest changes to the facts that would change each decision "
        "(each verified by evaluating the changed case again).")
    p.add_argument("case", metavar="CASE.json", help="the case, as JSON ('-' for standard input)")
    add_as_of_option(p)
    p.add_argument("--backend", choices=BACKENDS, default="native",
                   help="evaluation engine that makes the decision (default: native)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for a person (default) or JSON for a program")
    p.add_argument("--no-counterfactuals", action="store_true",
                   help="do not search for the changes that would change each decision")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    result = explain(read_text(args.case), as_of=as_of_from(args), rulebase=rulebase_from(args),
                     backend=args.backend, counterfactuals=not args.no_counterfactuals)
    write_output(result.to_json() if args.format == "json" else result.to_text(), args.out)
    return 0
