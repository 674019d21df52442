"""Re-verifying a large decision log: generate N sealed decision records (varied example
cases, each under its own case id and date), store them in an SQLite log, then re-verify
them all, as ``sen-rules log reverify`` does, at each number of workers asked for, and
print the time, the rate and the time 100,000 and 300,000 records would take at that rate.
With ``--changed`` it also re-verifies them against another rulebase (a copy of the rules
with the Complex Needs Panel funding threshold at Level 4), the question asked after the
rules change.

    PYTHONPATH=src python benchmarks/decision_log_reverify.py [--records 5000] \
        [--workers 1,2] [--changed] [--db FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
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


def generate(log: DecisionLog, have: int, records: int, workers: int) -> None:
    spans = [(i, min(i + 250, records)) for i in range(have, records, 250)]
    began = time.perf_counter()
    with Progress(records - have, "generating", stream=sys.stderr) as bar, \
            multiprocessing.get_context("spawn").Pool(workers, _init) as pool:
        for prepared in pool.imap(_make, spans):
            log.store_prepared(prepared)
            bar.advance(len(prepared))
    print(f"generated and stored {records - have:,} records in "
          f"{time.perf_counter() - began:,.1f} s", flush=True)


def level_4_rules(folder: str) -> sen_rules.Rulebase:
    """A copy of the bundled rules with the Complex Needs Panel threshold at Level 4."""
    target = Path(folder) / "rules"
    shutil.copytree(sen_rules.bundled_rules_dir(), target)
    settings = target / "settings.yaml"
    text, n = re.subn(r"(- name: complex_needs_funding_level\n(?:    .*\n)*?    value: )3\n",
                      r"\g<1>4\n", settings.read_text(encoding="utf-8"))
    assert n == 1, "the funding threshold setting was not found"
    settings.write_text(text, encoding="utf-8")
    return sen_rules.load_rulebase(target)


def _cpu() -> float:
    t = os.times()  # this process and its finished children (the pool's workers)
    return t.user + t.system + t.children_user + t.children_system


def measure(log: DecisionLog, rulebase: sen_rules.Rulebase, workers: int, label: str) -> None:
    """Wall time and rate at this load, and the CPU time a record takes, which gives the
    time on ``workers`` otherwise idle cores."""
    total = log.count()
    began, cpu = time.perf_counter(), _cpu()
    with Progress(total, "re-verifying", stream=sys.stderr) as bar:
        result = reverify(log, rulebase, workers=workers, advance=bar.advance)
    elapsed, cpu = time.perf_counter() - began, _cpu() - cpu
    rate = result.total / elapsed
    idle_rate = result.total / cpu * workers
    counts = ", ".join(f"{k} {result.counts.get(k, 0):,}" for k in KINDS)
    print(f"{label}, {workers} worker(s): re-verified {result.total:,} records in "
          f"{elapsed:,.1f} s, {rate:,.0f} per second ({counts}); at that rate 100,000 "
          f"records take {100_000 / rate / 60:,.1f} min and 300,000 take "
          f"{300_000 / rate / 60:,.1f} min; load average {os.getloadavg()[0]:.1f}",
          flush=True)
    print(f"  CPU {cpu / result.total * 1000:,.1f} ms a record (start-up included): on "
          f"{workers} idle core(s) {idle_rate:,.0f} per second, 100,000 records in "
          f"{100_000 / idle_rate / 60:,.1f} min, 300,000 in {300_000 / idle_rate / 60:,.1f} "
          "min", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--workers", default="1,2",
                        help="the numbers of workers to measure, comma-separated")
    parser.add_argument("--changed", action="store_true",
                        help="also re-verify against another rulebase")
    parser.add_argument("--db", help="keep the log in this file (default: a temporary one)")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    folder = tempfile.mkdtemp()
    path = args.db or os.path.join(folder, "log.db")
    log = DecisionLog(path)
    have = log.count()
    print(f"decision log {path}: {have:,} records; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    if have < args.records:
        generate(log, have, args.records, max(counts))
    print(f"log size {os.path.getsize(path) / 1e6:,.0f} MB, {log.count():,} records",
          flush=True)
    rulebases = [("same rulebase", sen_rules.bundled_rulebase())]
    if args.changed:
        rulebases.append(("another rulebase", level_4_rules(folder)))
    for label, rulebase in rulebases:
        for workers in counts:
            measure(log, rulebase, workers, label)


if __name__ == "__main__":
    main()
