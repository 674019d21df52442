"""Benchmark: the speed and memory figures the project aims at, measured in one run.

    python benchmarks/benchmark.py [--cases 2000] [--repeat 5] [--memory-evaluations 1000000]
                                   [--generate 10000] [--diff 100000] [--jsonl 1000000]

Prints, for every area of the bundled rules, cases per second and the ratio to the
hand-written reference (tests/reference/policy.py) of: the native backend (decisions with
provenance), the durable backend, the caller's path (JSON text in, decisions JSON out,
strict validation included), validation alone, and ``explain`` (the full trace, and with
its JSON, full and compact); the targets beside them, marked met or not. Then the rulebase
load time, the side by side with other rule engines on two areas (benchmarks/peers.py: GoRules zen,
rule-engine; needs the ``bench`` extra), peak memory after each phase, and memory growth
over many evaluations, how the cost grows with the number of cases, rules and candidates
(benchmarks/growth.py). Last, the author tools and the batch command at corpus size
(benchmarks/tools.py: ``generate-cases``, ``diff`` with workers, ``evaluate --jsonl`` at 1
and 2 workers with the memory of the process tree; 0 skips one). Every timed run is
taken in turn in each round and the least CPU time kept, so load on a shared machine moves
the figures alike and the ratios hold. Not a test: nothing asserts a time.
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

import growth  # noqa: E402
import peers  # noqa: E402
import tools  # noqa: E402
from tests.reference import policy as reference  # noqa: E402
from tests.reference.engine_view import differences, summarise  # noqa: E402

import sen_rules  # noqa: E402
from sen_rules.authoring.generate import generate_lines  # noqa: E402
from sen_rules.case import Case  # noqa: E402
from sen_rules.explain import explain  # noqa: E402

TARGETS = {
    "native": 2.0,  # native evaluation within 2x of the hand-written reference
    "durable": 100.0,  # the Rete backend within 100x of the reference
    "explain": 5.0,  # the full trace within 5x of native evaluate
    "load_ms": 200.0,  # the bundled rulebase loaded in a fresh process
    "growth_mb": 10.0,  # memory growth over the memory loops
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


def rounds(runs: list[tuple[str, Callable[[], None]]], repeat: int) -> dict[str, float]:
    """The least CPU time of each run over ``repeat`` rounds, the runs taken in turn in
    every round (peers.cpu_seconds): a change of load on a shared machine then moves every
    figure alike, and the ratios hold."""
    for _, fn in runs:  # compile once, warm caches
        fn()
    seconds = peers.cpu_seconds([fn for _, fn in runs], repeat)
    return {name: s for (name, _), s in zip(runs, seconds, strict=True)}


def evaluation_table(args: argparse.Namespace, rulebase: sen_rules.Rulebase,
                     data: list[tuple[dict[str, Any], date]]) -> None:
    """Every area of the bundled rules: the reference, both backends, the caller's path,
    validation and explanations, with their targets."""
    cases = [(Case.model_validate_json(json.dumps(d)), day) for d, day in data]
    texts = [(json.dumps(d), day) for d, day in data]
    n = len(cases)
    # the reference must agree with the engine before it is timed
    for case, day in cases:
        engine = summarise(sen_rules.evaluate(case, as_of=day, rulebase=rulebase).to_dict())
        assert not differences(reference.decide(case, day), engine), (case, day)
    few = cases[: args.explain_cases]

    def over(items: list[tuple[Any, date]], fn: Callable[[Any, date], object]
             ) -> Callable[[], None]:
        def go() -> None:
            for item, day in items:
                fn(item, day)
        return go

    def evaluate(backend: str) -> Callable[[Any, date], object]:
        return lambda c, d: sen_rules.evaluate(c, as_of=d, rulebase=rulebase, backend=backend)

    def explained(form: str | None) -> Callable[[Any, date], object]:
        def go(c: Any, d: date) -> object:
            e = explain(c, as_of=d, rulebase=rulebase, counterfactuals=False)
            return e if form is None else e.to_json(indent=None, form=form)
        return go

    runs = [
        ("reference", over(cases, reference.decide)),
        ("native", over(cases, evaluate("native"))),
        ("durable", over(cases, evaluate("durable"))),
        ("json path", over(texts, lambda t, d: sen_rules.evaluate(
            t, as_of=d, rulebase=rulebase).to_json(indent=None))),
        ("json path indented", over(texts, lambda t, d: sen_rules.evaluate(
            t, as_of=d, rulebase=rulebase).to_json())),
        ("validate text", over(texts, lambda t, d: sen_rules.parse_case(t))),
        ("validate dict", over(data, lambda c, d: sen_rules.parse_case(c))),
        ("native few", over(few, evaluate("native"))),
        ("explain", over(few, explained(None))),
        ("explain json", over(few, explained("full"))),
        ("explain compact", over(few, explained("compact"))),
    ]
    t = rounds(runs, args.repeat)
    size = {form: statistics.mean(len(explain(
        c, as_of=d, rulebase=rulebase, counterfactuals=False).to_json(indent=None, form=form))
        for c, d in few) / 1024 for form in ("full", "compact")}
    ref, few_s = t["reference"], t["native few"]
    print(f"{'what (all ' + str(len(rulebase.areas)) + ' areas)':<62}{'cases/s':>9}"
          f"{'ratio':>9}  target")
    rows = [
        ("hand-written reference, validated case (the limit)", ref, n, 1.0, ""),
        ("native, validated case -> decisions with provenance", t["native"], n,
         t["native"] / ref, f"<= {TARGETS['native']:.0f}x ref"),
        ("durable-rules, validated case -> decisions with provenance", t["durable"], n,
         t["durable"] / ref, f"<= {TARGETS['durable']:.0f}x ref"),
        ("native, JSON text in -> decisions JSON out (strict)", t["json path"], n,
         t["json path"] / ref, "vs ref"),
        ("  the same, indented as the CLI and the service write it", t["json path indented"],
         n, t["json path indented"] / ref, "vs ref"),
        ("  of which: strict case validation from JSON text", t["validate text"], n, None, ""),
        ("  (strict case validation from a dict)", t["validate dict"], n, None, ""),
        (f"explain: the full trace ({len(few)} cases; vs evaluate)", t["explain"], len(few),
         t["explain"] / few_s, f"<= {TARGETS['explain']:.0f}x evaluate"),
        (f"explain + JSON, full ({size['full']:.0f} KB a case)", t["explain json"],
         len(few), t["explain json"] / few_s, "vs evaluate"),
        (f"explain + JSON, compact ({size['compact']:.0f} KB a case)", t["explain compact"],
         len(few), t["explain compact"] / few_s, "vs evaluate"),
    ]
    for name, seconds, count, ratio, target in rows:
        shown = "" if ratio is None else f"{ratio:.2f}x"
        print(f"{name:<62}{count / seconds:>9,.0f}{shown:>9}  {target}{_met(ratio, target)}")


def _met(ratio: float | None, target: str) -> str:
    """' ✓' or ' ✗' after a target of the form '<= Nx ...'."""
    if ratio is None or not target.startswith("<= "):
        return ""
    return " ✓" if ratio <= float(target[3:].split("x")[0]) else " ✗"


def memory_loops(args: argparse.Namespace, rulebase: sen_rules.Rulebase,
                 data: list[tuple[dict[str, Any], date]]) -> None:
    """Memory stays flat over many evaluations (cycling through the corpus)."""
    cases = [(Case.model_validate_json(json.dumps(d)), day) for d, day in data]
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
                if done % max(1, total // 4) == 0:
                    marks.append(f"{done:,}: {rss_mb():.1f} MB")
                if done >= total:
                    break
        gc.collect()
        growth = rss_mb() - start
        print(f"memory, {backend}: {start:.1f} MB after warm-up, {growth:+.1f} MB after "
              f"{total:,} evaluations (target < {TARGETS['growth_mb']:.0f} MB"
              f"{' ✓' if growth < TARGETS['growth_mb'] else ' ✗'}); " + "; ".join(marks)
              + f"; peak so far {peak_mb():.0f} MB")


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
    parser.add_argument("--growth-cases", type=int, default=1000,
                        help="cases for how the cost grows (0: skip)")
    tools.add_options(parser)
    args = parser.parse_args()

    fresh_ms, again_ms = load_times(args.repeat)
    rulebase = sen_rules.bundled_rulebase()
    data = corpus(args.cases, args.seed)
    print(f"sen-rules benchmark: {len(data)} generated cases (seed {args.seed}); least CPU "
          f"time of {args.repeat} interleaved rounds")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; rulebase {rulebase.name} {rulebase.version}, "
          f"{len(rulebase.rules)} rule versions in {len(rulebase.areas)} areas")
    print()
    evaluation_table(args, rulebase, data)
    print()
    print(f"rulebase load: {fresh_ms:.0f} ms in a fresh process (target < "
          f"{TARGETS['load_ms']:.0f} ms{' ✓' if fresh_ms < TARGETS['load_ms'] else ' ✗'}), "
          f"{again_ms:.0f} ms again in the same process")
    print(f"peak memory (max RSS) after the timed runs: {peak_mb():.0f} MB")
    if args.peer_cases > 0:  # the same policy in other engines (benchmarks/peers.py)
        print()
        lines = peers.corpus(args.peer_cases, args.seed)
        peers.report(peers.measure(lines, args.repeat), len(lines), args.seed, args.repeat)
        print(f"peak memory (max RSS) after the peers: {peak_mb():.0f} MB")
    print()
    memory_loops(args, rulebase, data)
    print(f"peak memory (max RSS) of this run: {peak_mb():.0f} MB")
    if args.growth_cases > 0:
        print()
        growth.report(args.growth_cases, args.repeat, args.seed)
    if args.generate > 0 or args.diff > 0 or args.jsonl > 0:
        print()  # wall time of the commands as a user runs them, in child processes
        tools.report(args)


if __name__ == "__main__":
    main()
