"""``sen-rules evaluate``: decisions with citations for a case, or for a stream of cases."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from .. import evaluate
from ..engine.batch import evaluate_many
from ..engine.result import dumps
from ..progress import Progress
from ..reports.text import render_evaluation
from .common import (
    CommandError,
    add_as_of_option,
    add_backend_option,
    add_case_argument,
    add_format_option,
    add_out_option,
    add_rules_option,
    add_workers_option,
    bar_enabled,
    output_stream,
    read_case,
    rulebase_from,
    workers_from,
    write_output,
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "evaluate", help="evaluate a case and print its decisions with citations",
        description="Evaluate a case (JSON, see `sen-rules schema`) on a date and print the "
        "decision of every policy area that applies, each with the rules that produced it and "
        "the clauses of the policy they quote. With --jsonl, evaluate a stream of cases.")
    add_case_argument(p, optional=True)
    add_as_of_option(p)
    add_backend_option(p)
    add_format_option(p)
    add_out_option(p)
    p.add_argument("--jsonl", metavar="IN",
                   help="evaluate JSON Lines: one case, or {\"case\": ..., \"as_of\": ...}, per "
                   "line ('-' for standard input); writes one JSON result per line")
    add_workers_option(p, help="with --jsonl: processes to use (default 1; 0 means one per "
                       "core)")
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if (args.case is None) == (args.jsonl is None):
        raise CommandError("error: give either CASE.json or --jsonl IN")
    rulebase = rulebase_from(args)
    if args.jsonl is not None:
        return run_jsonl(args, rulebase)
    text, options = read_case(args, rulebase)
    result = evaluate(text, **options)
    text = result.to_json() if args.format == "json" else render_evaluation(result)
    write_output(text, args.out)
    return 0


def run_jsonl(args: argparse.Namespace, rulebase: Any) -> int:
    """Stream JSON Lines in and out; a bad line is reported with its number and skipped."""
    workers = workers_from(args)
    try:
        source: TextIO = (sys.stdin if args.jsonl == "-" else
                          open(args.jsonl, encoding="utf-8"))  # noqa: SIM115
    except OSError as exc:
        message = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise CommandError(f"error: {args.jsonl}: {message}") from None
    total = None
    failures = 0
    try:
        if source is not sys.stdin:
            with open(args.jsonl, encoding="utf-8") as lines:
                total = sum(1 for _ in lines)
        with (output_stream(args.out) as out,
              Progress(total, "evaluating", enabled=bar_enabled(out)) as bar):
            results = evaluate_many(iter(source), rulebase=rulebase, as_of=args.as_of,
                                    backend=args.backend, workers=workers)
            for result in results:
                if not result.ok:
                    failures += 1
                    assert result.error is not None
                    print(f"sen-rules: line {result.index + 1}: error {result.error}",
                          file=sys.stderr)
                out.write(dumps(result.to_dict(), indent=None) + "\n")
                bar.advance()
    except UnicodeDecodeError:
        raise CommandError(f"error: {args.jsonl}: not UTF-8 text") from None
    finally:
        if source is not sys.stdin:
            source.close()
    if failures:
        print(f"sen-rules: {failures} line(s) could not be evaluated", file=sys.stderr)
        return 1
    return 0
