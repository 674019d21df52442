"""``sen-rules generate-cases``: a synthetic, valid, varied corpus of cases (JSON Lines)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from .common import CommandError


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "generate-cases", help="write N synthetic cases as JSON Lines (deterministic per seed)",
        description="Write N valid, varied cases drawn from the hypothesis strategies the tests "
        "use, one {\"case\": ..., \"as_of\": ...} per line. The same N and --seed give the "
        "same file, byte for byte. Read it with `sen-rules diff --cases` or `sen-rules "
        "evaluate --jsonl`.")
    p.add_argument("count", metavar="N", type=int, help="how many cases")
    p.add_argument("--seed", type=int, default=0, help="the seed (default 0)")
    p.add_argument("--out", metavar="FILE.jsonl", help="write to FILE instead of standard output")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="processes to draw the cases (default 1; 0 means one per core); "
                   "the output does not depend on it")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.generate import generate_lines
    from ..progress import Progress

    if args.count < 0:
        raise CommandError("error: N must be 0 or more")
    workers = args.workers if args.workers > 0 else (os.cpu_count() or 1)
    to_file = bool(args.out and args.out != "-")
    try:
        out: TextIO = open(args.out, "w", encoding="utf-8") if to_file else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"error: cannot write {args.out}: {exc.strerror}") from None
    try:
        # a bar on the terminal's standard error, unless the cases themselves go there
        enabled = None if to_file or not sys.stdout.isatty() else False
        with Progress(args.count, "generating", enabled=enabled) as bar:
            for line in generate_lines(args.count, args.seed, workers, bar.advance):
                out.write(line + "\n")
    finally:
        if to_file:
            out.close()
    return 0
