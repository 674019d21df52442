"""Volume: a million fuzzed inputs and a million differential cases, with their figures.

    python benchmarks/volume.py [--fuzz 1000000] [--differential 1000000] [--workers 2]
                                [--seed 1] [--failures volume-failures.jsonl]
    python benchmarks/volume.py --replay PART SEED INDEX     # one input again, in full
    ... --ledger run.jsonl      # note finished chunks; a second run skips them (resume)

Offline, not CI (CI runs a small fixed-seed slice in tests/test_volume_slice.py). Plain
``random``, no hypothesis: input ``INDEX`` of a part is drawn from its own
``random.Random(f"{SEED}:{PART}:{INDEX}")``, so it is the same in any process, with any
worker count, and ``--replay`` gives it back alone. Two parts, each spread over
``--workers`` processes:

* fuzz (benchmarks/volume_fuzz.py): mutated case JSON, batch lines, audit records and rule
  files through the readers of untrusted input. Each input must end in a result or a
  documented error with an SR code, within a time limit; a result for an input the strict
  readers must refuse is a failure too.
* differential: cases of the corpus generator (sen_rules.authoring.randomcases, half of
  them pushed onto the rules' boundaries) on the native backend, the durable backend and
  the reference implementation (tests/reference/policy.py). Native and durable must give
  the same whole evaluation JSON; the engine's decisions (outcome, deciding rules, details,
  flags, notes) must be those of the reference.

Prints counts per target, failures, seconds and rates (progress every ``--every`` inputs);
exits 1 if anything failed, and writes each failing input (up to 100 per part) with its
seed and index to ``--failures``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.reference
sys.path.insert(0, str(ROOT / "benchmarks"))

CHUNK = {"fuzz": 2000, "differential": 500}


def rng_for(part: str, seed: int, index: int) -> random.Random:
    """The generator of one input: a pure function of the part, the seed and the index."""
    return random.Random(f"{seed}:{part}:{index}")


# ---------------------------------------------------------------------------- differential

def differential_one(seed: int, index: int) -> tuple[str, str | None]:
    """("case", None) when the three agree; otherwise ("case", what differs)."""
    from sen_rules.authoring.randomcases import CaseDrawer

    data, as_of = CaseDrawer(rng_for("differential", seed, index)).corpus_input()
    return "case", compare_three(data, as_of)


def compare_three(data: dict[str, Any], as_of: Any) -> str | None:
    """What differs between native, durable and the reference on one case (None: nothing)."""
    from tests.reference.engine_view import differences, summarise
    from tests.reference.policy import ReferenceSettings, decide

    import sen_rules
    from sen_rules.case import parse_case
    from sen_rules.engine.result import dumps

    try:
        rulebase = sen_rules.bundled_rulebase()
        case = parse_case(data)
        native = sen_rules.evaluate(case, as_of=as_of, rulebase=rulebase).to_dict()
        durable = sen_rules.evaluate(case, as_of=as_of, rulebase=rulebase,
                                     backend="durable").to_dict()
        problems: list[str] = []
        if dumps(native, indent=None) != dumps(durable, indent=None):
            problems.append("native and durable differ")
        expected = decide(case, as_of,
                          ReferenceSettings.from_values(rulebase.epoch(as_of).settings))
        problems.extend(differences(expected, summarise(native)))
        return "; ".join(problems) or None
    except Exception:
        return traceback.format_exc(limit=6)


# ---------------------------------------------------------------------------- chunks

def run_one(part: str, seed: int, index: int) -> tuple[str, str | None, str]:
    """(target, failure or None, the input as text for a failure report)."""
    if part == "differential":
        target, failure = differential_one(seed, index)
        if failure is None:
            return target, None, ""
        from sen_rules.authoring.randomcases import CaseDrawer

        data, as_of = CaseDrawer(rng_for(part, seed, index)).corpus_input()
        return target, failure, json.dumps({"case": data, "as_of": as_of.isoformat()})
    import volume_fuzz

    return volume_fuzz.fuzz_one(rng_for(part, seed, index))


def run_chunk(task: tuple[str, int, int, int]
              ) -> tuple[tuple[str, int, int, int], Counter[str], list[str], float, float]:
    """Inputs ``start`` to ``stop`` of a part: per-target counts, failures (JSON lines),
    wall seconds and CPU seconds (on a shared machine the CPU figure gives the rate)."""
    part, seed, start, stop = task
    counts: Counter[str] = Counter()
    failures: list[str] = []
    began = time.perf_counter()
    cpu = time.process_time()
    for index in range(start, stop):
        target, failure, shown = run_one(part, seed, index)
        counts[target] += 1
        if failure is not None:
            failures.append(json.dumps({
                "part": part, "seed": seed, "index": index, "target": target,
                "replay": f"python benchmarks/volume.py --replay {part} {seed} {index}",
                "error": failure, "input": shown[:20000]}))
    return task, counts, failures, time.perf_counter() - began, time.process_time() - cpu


def _ledger(path: str | None, part: str, seed: int
            ) -> dict[int, tuple[Counter[str], float, float]]:
    """Chunks already done in an earlier run with this seed (``--ledger``): start -> counts,
    wall and CPU seconds."""
    done: dict[int, tuple[Counter[str], float, float]] = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row["part"] == part and row["seed"] == seed:
                    done[row["start"]] = (Counter(row["counts"]), row["seconds"],
                                          row.get("cpu_seconds", row["seconds"]))
    return done


def run_part(part: str, count: int, seed: int, workers: int, every: int, out: Any,
             ledger: str | None = None) -> int:
    """Run one part; print its figures; return its number of failures.

    With a ledger, every finished chunk is noted there and chunks noted by an earlier run
    are not run again (a long run can be stopped and taken up again); failures are always
    in ``out`` and in the ledger, so a chunk with a failure is counted once, failed."""
    if count <= 0:
        return 0
    size = CHUNK[part]
    earlier = _ledger(ledger, part, seed)
    tasks = [(part, seed, s, min(s + size, count)) for s in range(0, count, size)
             if s not in earlier]
    counts: Counter[str] = Counter()
    failed = 0
    busy = cpu = 0.0
    for got, seconds, cpu_seconds in earlier.values():
        counts.update(got)
        busy += seconds
        cpu += cpu_seconds
        failed += got.get("failed", 0)
    counts.pop("failed", None)
    if earlier:
        print(f"  {part}: {sum(counts.values()):,} inputs done by an earlier run "
              f"({failed} failed)", flush=True)
    began = time.perf_counter()
    ran = 0
    shown_at = 0
    context = multiprocessing.get_context("spawn")
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(ledger, "a", encoding="utf-8")) if ledger else None
        pool = stack.enter_context(context.Pool(workers))
        for task, got, failures, seconds, cpu_seconds in pool.imap_unordered(run_chunk, tasks):
            counts.update(got)
            ran += sum(got.values())
            busy += seconds
            cpu += cpu_seconds
            failed += len(failures)
            for line in failures[:max(0, 100 - (failed - len(failures)))]:
                out.write(line + "\n")
                out.flush()
            if log is not None:
                log.write(json.dumps({"part": part, "seed": seed, "start": task[2],
                                      "counts": {**got, "failed": len(failures)},
                                      "seconds": seconds, "cpu_seconds": cpu_seconds}) + "\n")
                log.flush()
            done = sum(counts.values())
            if ran - shown_at >= every or not tasks or done == count:
                shown_at = ran
                elapsed = time.perf_counter() - began
                print(f"  {part}: {done:,}/{count:,} done, {failed} failed, "
                      f"{elapsed:,.0f} s, {ran / elapsed:,.0f}/s", flush=True)
    elapsed = time.perf_counter() - began
    done = sum(counts.values())
    print(f"{part}: {done:,} inputs, {failed} failures; this run {ran:,} in {elapsed:,.1f} s "
          f"wall, {ran / max(elapsed, 1e-9):,.1f} inputs/s with {workers} worker(s); "
          f"in all {busy:,.0f} s wall and {cpu:,.0f} s CPU in workers: "
          f"{done / max(cpu, 1e-9):,.1f} inputs per CPU-second", flush=True)
    for target, n in sorted(counts.items()):
        print(f"  {target}: {n:,}", flush=True)
    return failed


def replay(part: str, seed: int, index: int) -> int:
    """Run one input again and show it in full."""
    target, failure, shown = run_one(part, seed, index)
    if not shown:
        if part == "differential":
            from sen_rules.authoring.randomcases import CaseDrawer

            data, as_of = CaseDrawer(rng_for(part, seed, index)).corpus_input()
            shown = json.dumps({"case": data, "as_of": as_of.isoformat()})
        else:
            import volume_fuzz

            shown = volume_fuzz.describe(rng_for(part, seed, index))
    print(f"{part} {seed} {index}: target {target}")
    print(shown)
    print(f"failure: {failure}" if failure else "no failure")
    return 1 if failure else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--fuzz", type=int, default=1_000_000)
    parser.add_argument("--differential", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--every", type=int, default=20_000, help="progress every N inputs")
    parser.add_argument("--failures", default="volume-failures.jsonl")
    parser.add_argument("--ledger", help="note finished chunks here; skip those noted")
    parser.add_argument("--replay", nargs=3, metavar=("PART", "SEED", "INDEX"))
    args = parser.parse_args(argv)
    if args.replay:
        part, seed, index = args.replay
        return replay(part, int(seed), int(index))
    import sen_rules

    print(f"sen-rules {sen_rules.__version__}, python {sys.version.split()[0]}, "
          f"{args.workers} worker(s), seed {args.seed}", flush=True)
    with open(args.failures, "a" if args.ledger else "w", encoding="utf-8") as out:
        failed = run_part("fuzz", args.fuzz, args.seed, args.workers, args.every, out,
                          args.ledger)
        failed += run_part("differential", args.differential, args.seed, args.workers,
                           args.every, out, args.ledger)
    print(f"total failures: {failed}" + (f" (inputs in {args.failures})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
