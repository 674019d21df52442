"""Benchmark: every speed and memory figure the project promises, measured in one run.

    python benchmarks/benchmark.py [--cases 2000] [--repeat 5] [--memory-evaluations 1000000]

Prints cases per second for the hand-written reference implementation of the policy
(tests/reference/policy.py), the native backend (decisions with provenance), the durable
backend and ``explain``; the rulebase load time; the side-by-side with other rule engines
on the same two areas (benchmarks/peers.py: GoRules zen, rule-engine; needs the ``bench``
extra); peak memory; and memory growth over many evaluations. Machines here are shared
and noisy, so what matters are the *ratios*, taken from medians of ``--repeat`` runs in
the same process. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.reference

from tests.reference import policy as reference  # noqa: E402
from tests.reference.engine_view import differences, summarise  # noqa: E402

import sen_rules  # noqa: E402
from sen_rules.authoring.generate import generate_lines  # noqa: E402
from sen_rules.case import Case  # noqa: E402
from sen_rules.explain import explain  # noqa: E402

TARGETS = {
    "native": 5.0,  # within 5x of the hand-written reference
    "durable": 100.0,  # within 100x of the reference
    "explain": 10.0,  # within 10x of native evaluate
    "load_ms": 200.0,
    "growth_mb": 10.0,
}


def corpus(n: int, seed: int) -> list[tuple[dict[str, Any], date]]:
    """N generated cases, the same for a given seed (sen-rules generate-cases)."""
    out = []
    for line in generate_lines(n, seed):
        item = json.loads(line)
        out.append((item["case"], date.fromisoformat(item["as_of"])))
    return out


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU time of this process (not wall time: on a shared machine, waiting for a
    core is not the code's cost)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """Highest RSS of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_times(repeat: int) -> tuple[float, float]:
    """(fresh process, again in this process), milliseconds, medians."""
    code = ("import time, sen_rules; t = time.perf_counter(); sen_rules.load_rulebase(); "
            "print((time.perf_counter() - t) * 1000)")
    fresh = [float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                  text=True, check=True).stdout) for _ in range(repeat)]
    again = []
    for _ in range(repeat):
        start = time.perf_counter()
        sen_rules.load_rulebase()
        again.append((time.perf_counter() - start) * 1000)
    return statistics.median(fresh), statistics.median(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--explain-cases", type=int, default=300)
    parser.add_argument("--memory-evaluations", type=int, default=1_000_000)
    parser.add_argument("--durable-memory-evaluations", type=int, default=100_000)
    parser.add_argument("--peer-cases", type=int, default=2000,
                        help="cases for the side-by-side with other engines (0: skip)")
    args = parser.parse_args()

    fresh_ms, again_ms = load_times(args.repeat)
    rulebase = sen_rules.bundled_rulebase()
    data = corpus(args.cases, args.seed)
    cases = [(Case.model_validate_json(json.dumps(d)), day) for d, day in data]
    n = len(cases)

    setup_peak = peak_mb()
    # the reference must agree with the engine before it is timed
    for case, day in cases:
        engine = summarise(sen_rules.evaluate(case, as_of=day, rulebase=rulebase).to_dict())
        assert not differences(reference.decide(case, day), engine), (case, day)
    check_peak = peak_mb()

    def run_reference() -> None:
        for case, day in cases:
            reference.decide(case, day)

    def run(backend: str) -> Callable[[], None]:
        def go() -> None:
            for case, day in cases:
                sen_rules.evaluate(case, as_of=day, rulebase=rulebase, backend=backend)
        return go

    few = cases[: args.explain_cases]

    def run_explain() -> None:
        for case, day in few:
            explain(case, as_of=day, rulebase=rulebase, counterfactuals=False)

    def run_explain_json() -> None:
        for case, day in few:
            explain(case, as_of=day, rulebase=rulebase, counterfactuals=False).to_json(indent=None)

    def run_native_few() -> None:
        for case, day in few:
            sen_rules.evaluate(case, as_of=day, rulebase=rulebase)

    def run_validate() -> None:
        for d, _ in data:
            sen_rules.parse_case(d)

    for warm_up in (run("native"), run("durable"), run_explain):  # compile once, warm caches
        warm_up()
    ref_s = median_seconds(run_reference, args.repeat)
    native_s = median_seconds(run("native"), args.repeat)
    durable_s = median_seconds(run("durable"), args.repeat)
    explain_s = median_seconds(run_explain, args.repeat)
    explain_json_s = median_seconds(run_explain_json, args.repeat)
    json_kb = statistics.mean(
        len(explain(c, as_of=d, rulebase=rulebase, counterfactuals=False).to_json(
            indent=None)) / 1024 for c, d in few)
    native_few_s = median_seconds(run_native_few, args.repeat)
    validate_s = median_seconds(run_validate, args.repeat)

    ratios = {
        "native": native_s / ref_s,
        "durable": durable_s / ref_s,
        "explain": explain_s / native_few_s,
        "explain_json": explain_json_s / native_few_s,
    }
    print(f"sen-rules benchmark: {n} generated cases (seed {args.seed}), median CPU time of "
          f"{args.repeat} runs")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; rulebase {rulebase.name} {rulebase.version}, "
          f"{len(rulebase.rules)} rule versions in {len(rulebase.areas)} areas")
    print()
    print(f"{'what':<52}{'cases/s':>11}{'ratio':>10}{'target':>10}")
    rows = [
        ("hand-written reference (tests/reference)", ref_s, n, "1.0x", ""),
        ("native backend, decisions with provenance", native_s, n,
         f"{ratios['native']:.1f}x", f"<= {TARGETS['native']:.0f}x"),
        ("durable backend, decisions with provenance", durable_s, n,
         f"{ratios['durable']:.1f}x", f"<= {TARGETS['durable']:.0f}x"),
        (f"explain: the full trace ({len(few)} cases; vs evaluate)", explain_s, len(few),
         f"{ratios['explain']:.1f}x", f"<= {TARGETS['explain']:.0f}x"),
        (f"explain and render it as JSON ({json_kb:.0f} KB a case)", explain_json_s,
         len(few), f"{ratios['explain_json']:.1f}x", ""),
        ("case validation from JSON-like data", validate_s, n, "", ""),
    ]
    for name, seconds, count, ratio, target in rows:
        print(f"{name:<52}{count / seconds:>11,.0f}{ratio:>10}{target:>10}")
    print()
    print(f"rulebase load: {fresh_ms:.0f} ms in a fresh process (target < "
          f"{TARGETS['load_ms']:.0f} ms), {again_ms:.0f} ms again in the same process")
    print(f"peak memory (max RSS): {setup_peak:.0f} MB after loading and generating, "
          f"{check_peak:.0f} MB after the reference check, {peak_mb():.0f} MB after the "
          "timed runs")

    if args.peer_cases > 0:  # the same policy in other engines (benchmarks/peers.py)
        import peers

        print()
        lines = peers.corpus(args.peer_cases, args.seed)
        peers.report(peers.measure(lines, args.repeat), len(lines), args.seed, args.repeat)
        print(f"peak memory (max RSS) after the peers: {peak_mb():.0f} MB")

    # memory: flat over many evaluations (cycling through the corpus)
    for backend, total in (("native", args.memory_evaluations),
                           ("durable", args.durable_memory_evaluations)):
        if total <= 0:
            continue
        gc.collect()
        start = rss_mb()
        done = 0
        marks = []
        while done < total:
            for case, day in cases:
                sen_rules.evaluate(case, as_of=day, rulebase=rulebase, backend=backend)
                done += 1
                if done % (total // 4) == 0:
                    marks.append(f"{done:,}: {rss_mb():.1f} MB")
                if done >= total:
                    break
        gc.collect()
        growth = rss_mb() - start
        print(f"memory, {backend}: {start:.1f} MB after warm-up, {growth:+.1f} MB after "
              f"{total:,} evaluations (target < {TARGETS['growth_mb']:.0f} MB); "
              + "; ".join(marks) + f"; peak so far {peak_mb():.0f} MB")
    print(f"peak memory (max RSS) of this run: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
