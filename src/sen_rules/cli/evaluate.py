"""``sen-rules evaluate``: decisions with citations for a case, or for a stream of cases."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import codes
from ..api import evaluate
from ..engine.batch import MAX_LINE_BYTES, evaluate_many_written
from ..errors import BatchError
from ..lines import iter_lines, open_input
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
    output_lines,
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
    add_workers_option(p, help="with --jsonl: processes to use, 1 to 32 (default 1; 0 means "
                       "one per core)")
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
    """Stream JSON Lines in and out, reading the input once; a bad line is reported with its
    number and skipped. The batch always ends with a count, and the output holds whole
    lines only (see docs/limits-and-faults.md)."""
    workers = workers_from(args)
    try:
        source = open_input(args.jsonl)
    except OSError as exc:
        message = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise CommandError(f"error: {args.jsonl}: {message}", code=codes.SR010) from None
    failures = done = 0
    to_file = bool(args.out) and args.out != "-"
    try:
        with output_lines(args.out) as writer:
            try:
                with Progress(None, "evaluating",
                              enabled=False if not to_file and sys.stdout.isatty() else None
                              ) as bar:
                    results = evaluate_many_written(
                        iter_lines(source, MAX_LINE_BYTES), rulebase=rulebase,
                        as_of=args.as_of, backend=args.backend, workers=workers)
                    for result in results:
                        if result.error is not None:
                            failures += 1
                            print(f"sen-rules: line {result.index + 1}: error {result.error}",
                                  file=sys.stderr)
                        writer.write_line(result.line)
                        done += 1
                        bar.advance()
                writer.flush()
            except KeyboardInterrupt:
                writer.flush()
                print(f"sen-rules: interrupted: {done} line(s) were evaluated and "
                      f"{writer.lines} written to {writer.name}", file=sys.stderr)
                return 130
            except BatchError as exc:
                if exc.code != codes.SR604:  # the output still works: keep what was done
                    writer.flush()
                print(f"sen-rules: error {exc}", file=sys.stderr)
                print(f"sen-rules: the batch stopped: {done} line(s) were evaluated and "
                      f"{writer.lines} written to {writer.name}", file=sys.stderr)
                return 1
    finally:
        if args.jsonl != "-":
            source.close()
    if failures:
        print(f"sen-rules: {failures} of {done} line(s) could not be evaluated",
              file=sys.stderr)
        return 1
    return 0
