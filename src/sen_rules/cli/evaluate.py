"""``sen-rules evaluate``: decisions with citations for a case, or for a stream of cases."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from .. import evaluate
from ..engine.batch import evaluate_many
from ..engine.result import dumps
from ..engine.service import BACKENDS
from ..progress import Progress
from ..reports.text import render_evaluation
from .common import (
    CommandError,
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
        "the clauses of the policy they quote. With --jsonl, evaluate a stream of cases.")
    p.add_argument("case", metavar="CASE.json", nargs="?",
                   help="the case, as JSON ('-' for standard input)")
    add_as_of_option(p)
    p.add_argument("--backend", choices=BACKENDS, default="native",
                   help="evaluation engine (default: native)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for a person (default) or JSON for a program")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--jsonl", metavar="IN",
                   help="evaluate JSON Lines: one case, or {\"case\": ..., \"as_of\": ...}, per "
                   "line ('-' for standard input); writes one JSON result per line")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="with --jsonl: processes to use (default 1; 0 means one per core)")
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if (args.case is None) == (args.jsonl is None):
        raise CommandError("error: give either CASE.json or --jsonl IN")
    rulebase = rulebase_from(args)
    if args.jsonl is not None:
        return run_jsonl(args, rulebase)
    result = evaluate(read_text(args.case), as_of=as_of_from(args), rulebase=rulebase,
                      backend=args.backend)
    text = result.to_json() if args.format == "json" else render_evaluation(result)
    write_output(text, args.out)
    return 0


def run_jsonl(args: argparse.Namespace, rulebase: Any) -> int:
    """Stream JSON Lines in and out; a bad line is reported with its number and skipped."""
    workers = args.workers if args.workers > 0 else (os.cpu_count() or 1)
    try:
        source: TextIO = (sys.stdin if args.jsonl == "-" else
                          open(args.jsonl, encoding="utf-8"))  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"error: {args.jsonl}: {exc.strerror}") from None
    total = None
    if source is not sys.stdin:
        total = sum(1 for _ in open(args.jsonl, encoding="utf-8"))  # noqa: SIM115
    try:
        out: TextIO = (open(args.out, "w", encoding="utf-8")  # noqa: SIM115
                       if args.out and args.out != "-" else sys.stdout)
    except OSError as exc:
        raise CommandError(f"error: cannot write {args.out}: {exc.strerror}") from None
    failures = 0
    try:
        # no bar when the results themselves go to the terminal
        drawing = None if out is not sys.stdout or not sys.stdout.isatty() else False
        with Progress(total, "evaluating", enabled=drawing) as bar:
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
        if out is not sys.stdout:
            out.close()
    if failures:
        print(f"sen-rules: {failures} line(s) could not be evaluated", file=sys.stderr)
        return 1
    return 0


