"""Benchmark: cases per second for each backend beside hand-written Python, in one run.

    python benchmarks/benchmark.py [--cases N] [--repeat R]

Machines here are shared and noisy, so the figures that matter are the *ratios* measured
in the same run (medians of R repeats). Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import handwritten_foundation
from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules.case import Case
from sen_rules.testing.strategies import evaluation_inputs


def corpus(n: int) -> list[tuple[dict[str, Any], date]]:
    """N generated cases, the same every run (hypothesis, derandomized)."""
    found: list[tuple[dict[str, Any], date]] = []

    @settings(max_examples=n, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(evaluation_inputs())
    def collect(inputs: tuple[dict[str, Any], date]) -> None:
        if len(found) < n:
            found.append(inputs)

    collect()
    return found


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    rulebase = sen_rules.load_rulebase()
    load_s = time.perf_counter() - start

    data = corpus(args.cases)
    cases = [(Case.model_validate_json(json.dumps(d)), as_of) for d, as_of in data]
    n = len(cases)

    # the hand-written function must agree with the engine before it is timed
    for case, as_of in cases:
        result = sen_rules.evaluate(case, as_of=as_of, rulebase=rulebase)
        engine = {d.topic: (d.outcome, d.rules[0].id, tuple(f.code for f in d.flags))
                  for d in result.decisions if d.topic in ("sen_stage", "assessment_routing")}
        assert engine == handwritten_foundation.decide(case, as_of), (case, as_of)

    def run_native() -> None:
        for case, as_of in cases:
            sen_rules.evaluate(case, as_of=as_of, rulebase=rulebase)

    def run_durable() -> None:
        for case, as_of in cases:
            sen_rules.evaluate(case, as_of=as_of, rulebase=rulebase, backend="durable")

    def run_hand() -> None:
        for case, as_of in cases:
            handwritten_foundation.decide(case, as_of)

    def run_validate() -> None:
        for d, _ in data:
            sen_rules.parse_case(d)

    run_native(), run_durable()  # warm the caches (compilation happens once)
    figures = {
        "hand-written Python (stage + routing)": timed(run_hand, args.repeat),
        "native backend (decisions with provenance)": timed(run_native, args.repeat),
        "durable backend (decisions with provenance)": timed(run_durable, args.repeat),
        "case validation from JSON-like data": timed(run_validate, args.repeat),
    }
    base = figures["hand-written Python (stage + routing)"]
    print(f"sen-rules benchmark: {n} generated cases, median of {args.repeat} runs")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; rulebase {rulebase.name} {rulebase.version} "
          f"({len(rulebase.rules)} rules)")
    print(f"rulebase load time: {load_s * 1000:.1f} ms")
    print(f"{'what':<48} {'cases/s':>12} {'vs hand-written':>16}")
    for name, seconds in figures.items():
        print(f"{name:<48} {n / seconds:>12,.0f} {seconds / base:>15.1f}x")


if __name__ == "__main__":
    main()
