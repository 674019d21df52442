"""``sen-rules diff``: which decisions a change to the rules changes, over a corpus.

Exit status: 0 the report was written (whatever it says); with ``--exit-code``, as with
``git diff --exit-code``: 0 no decision changed, 1 some decision changed. 2 bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .. import codes
from .common import (
    CommandError,
    add_as_of_option,
    add_backend_option,
    add_format_option,
    add_out_option,
    workers_count,
    workers_from,
    write_output,
)

SMALL_CORPUS = 1000


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "diff", help="evaluate a corpus under two rulebases and report the decisions that change",
        description="Evaluate every case of a corpus under OLD_RULES and NEW_RULES and report "
        "the decisions that change, grouped by policy area and by change (old outcome and "
        "deciding rules to new), with counts and examples. Make a corpus with `sen-rules "
        "generate-cases`. Exit status 0 (with --exit-code: 0 when no decision changed, 1 when "
        "some did), 2 on bad input.")
    p.add_argument("old", metavar="OLD_RULES", help="the rules directory before the change")
    p.add_argument("new", metavar="NEW_RULES", help="the rules directory after the change")
    p.add_argument("--cases", metavar="DIR|FILE.jsonl", required=True,
                   help="the corpus: JSON Lines, or a directory of case files")
    add_as_of_option(p, help="evaluation date for cases that do not give their own")
    add_backend_option(p)
    add_format_option(p)
    add_out_option(p)
    p.add_argument("--workers", type=workers_count, default=0, metavar="N",
                   help="processes to evaluate the cases (default 0: one per core); the "
                   "report does not depend on it")
    p.add_argument("--exit-code", action="store_true",
                   help="exit 1 when some decision changed and 0 when none did (as git diff "
                   "--exit-code)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.diff import diff, read_corpus, report_json
    from ..loading.loader import load_rulebase
    from ..progress import Progress

    corpus = Path(args.cases)
    if not corpus.exists():
        raise CommandError(f"error: {args.cases}: no such file", code=codes.SR010)
    old, new = load_rulebase(args.old), load_rulebase(args.new)
    total = None
    if corpus.is_file():
        with corpus.open("rb") as handle:
            total = sum(1 for line in handle if line.strip())
    # a pool of processes pays for itself only on a large corpus
    workers = workers_from(args) if total is None or total >= SMALL_CORPUS else 1
    with Progress(total, "comparing") as bar:
        report = diff(old, new, read_corpus(corpus), as_of=args.as_of, backend=args.backend,
                      progress=bar.advance, workers=workers)
    write_output(report_json(report) if args.format == "json" else report.to_text(), args.out)
    return 1 if args.exit_code and report.changed else 0
