"""``sen-rules generate-cases``: a synthetic, valid, varied corpus of cases (JSON Lines)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import CommandError, add_out_option, bar_enabled, output_stream, workers_from


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "generate-cases", help="write N synthetic cases as JSON Lines (deterministic per seed)",
        description="Write N valid, varied cases (the distributions of the test suite's "
        "strategies, drawn with plain random: dates near birthdays, deadlines and leaving "
        "dates, 29 February, the academic-year boundary), one {\"case\": ..., \"as_of\": ...} "
        "per line. The same N and --seed give the "
        "same file, byte for byte. Read it with `sen-rules diff --cases` or `sen-rules "
        "evaluate --jsonl`.")
    p.add_argument("count", metavar="N", type=int, help="how many cases")
    p.add_argument("--seed", type=int, default=0, help="the seed (default 0)")
    add_out_option(p, metavar="FILE.jsonl", help="write to FILE instead of standard output")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="processes to draw the cases (default 1; 0 means one per core); "
                   "the output does not depend on it")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.generate import generate_lines
    from ..progress import Progress

    if args.count < 0:
        raise CommandError("error: N must be 0 or more")
    workers = workers_from(args)
    # a bar on the terminal's standard error, unless the cases themselves go there
    with (output_stream(args.out) as out,
          Progress(args.count, "generating", enabled=bar_enabled(out)) as bar):
        for line in generate_lines(args.count, args.seed, workers, bar.advance):
            out.write(line + "\n")
    return 0
