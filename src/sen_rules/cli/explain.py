"""``sen-rules explain``: why each decision was made, what did not apply, and what would
change it; the full trace of every rule with ``--full``."""

from __future__ import annotations

import argparse
from typing import Any

from ..explain import explain
from .common import (
    CommandError,
    add_as_of_option,
    add_backend_option,
    add_case_argument,
    add_format_option,
    add_out_option,
    add_rules_option,
    read_case,
    write_output,
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "explain", help="explain each decision: what decided it, what did not apply, what "
        "would change it (--full: every rule and value)",
        description="Evaluate a case and explain each decision: the rule that decided it and "
        "the facts it rests on, the rules that would have given another outcome and the "
        "condition each failed on, and the smallest changes to the facts that would change "
        "the decision (each verified by evaluating the changed case again). With --full, "
        "every rule of every area in play, each condition with the case values it read "
        "(with their field paths) and the values worked out from them.")
    add_case_argument(p)
    add_as_of_option(p)
    add_backend_option(p, help="evaluation engine that makes the decision (default: native)")
    add_format_option(p)
    p.add_argument("--full", action="store_true",
                   help="the full trace: every rule, every part of every condition, every "
                   "value (text format; the JSON holds the full trace, or with --compact the "
                   "compact form)")
    p.add_argument("--compact", action="store_true",
                   help="with --format json, the compact form: rules by id and version, "
                   "quotes, titles and condition texts left to the rulebase (its sha256 is "
                   "in the JSON), only the nodes the engine evaluated")
    p.add_argument("--no-counterfactuals", action="store_true",
                   help="do not search for the changes that would change each decision")
    add_out_option(p)
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.compact and args.format != "json":
        raise CommandError("--compact is a form of the JSON: use it with --format json")
    text, options = read_case(args)
    result = explain(text, **options, counterfactuals=not args.no_counterfactuals)
    write_output(result.to_json(form="compact" if args.compact else "full")
                 if args.format == "json" else result.to_text(full=args.full), args.out)
    return 0
