"""Re-verifying a large decision log: generate N sealed decision records (varied example
cases, each under its own case id and date), store them in an SQLite log, then re-verify
them all in parallel, as ``sen-rules log reverify`` does, and print the time and rate.

    PYTHONPATH=src python benchmarks/decision_log_reverify.py [--records 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sen_rules
from sen_rules.decision_log.reverify import KINDS, reverify
from sen_rules.decision_log.store import DecisionLog, Prepared, prepare
from sen_rules.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
CASES = ["school-action", "placement-candidates", "complex-needs-referral",
         "transport-travel-provision", "cessation-nineteenth-birthday",
         "annual-review-transition", "assessment-timescale", "resource-decision-delegated"]
_bases: list[dict[str, Any]] = []


def _init() -> None:
    _bases.extend(json.loads((ROOT / "examples" / "cases" / f"{n}.json").read_text())
                  for n in CASES)


def _make(span: tuple[int, int]) -> list[Prepared]:
    out = []
    for i in range(*span):
        case = json.loads(json.dumps(_bases[i % len(_bases)]))
        case["child"]["id"] = f"BENCH-{i:07d}"
        day = date(2026, 11, 28) - timedelta(days=i % 365)
        out.append(prepare(sen_rules.make_record(case, as_of=day)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--db", help="keep the log in this file (default: a temporary one)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    path = args.db or os.path.join(folder, "log.db")
    log = DecisionLog(path)
    have = log.count()
    print(f"decision log {path}: {have:,} records; {os.cpu_count()} cores, "
          f"{args.workers} workers; load average {os.getloadavg()[0]:.1f}", flush=True)
    if have < args.records:
        spans = [(i, min(i + 250, args.records)) for i in range(have, args.records, 250)]
        began = time.perf_counter()
        with Progress(args.records - have, "generating", stream=sys.stderr) as bar, \
                multiprocessing.get_context("spawn").Pool(args.workers, _init) as pool:
            for prepared in pool.imap(_make, spans):
                log.store_prepared(prepared)
                bar.advance(len(prepared))
        print(f"generated and stored {args.records - have:,} records in "
              f"{time.perf_counter() - began:,.1f} s", flush=True)
    size = os.path.getsize(path) / 1e6
    print(f"log size {size:,.0f} MB", flush=True)
    rulebase = sen_rules.bundled_rulebase()
    total = log.count()
    began = time.perf_counter()
    with Progress(total, "re-verifying", stream=sys.stderr) as bar:
        result = reverify(log, rulebase, workers=args.workers, advance=bar.advance)
    elapsed = time.perf_counter() - began
    counts = ", ".join(f"{k} {result.counts.get(k, 0):,}" for k in KINDS)
    print(f"re-verified {result.total:,} records in {elapsed:,.1f} s "
          f"({result.total / elapsed:,.0f} per second, {args.workers} workers): {counts}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
