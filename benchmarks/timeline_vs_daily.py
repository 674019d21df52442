"""Timelines against evaluating every day (not a test; run it by hand).

    python benchmarks/timeline_vs_daily.py [N] [YEARS]

For each bundled example and N generated cases (hypothesis seed 4; default 50), over YEARS
years (default 10) from the latest date of the case: the number of candidate dates the
timeline evaluated against the number of days, the time of the timeline against evaluating
every day, and whether the change points and decisions are the same (they must be; any
difference is printed and the exit status is 1).
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings

import sen_rules
from sen_rules.case import Case, parse_case
from sen_rules.engine.service import evaluate_case
from sen_rules.rulebase import Rulebase
from sen_rules.testing.strategies import boundary_inputs
from sen_rules.timelines import build_timeline, decision_key
from sen_rules.timelines.points import candidate_days

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"


def generated(n: int) -> list[tuple[str, Case]]:
    found: list[tuple[str, Case]] = []

    @seed(4)
    @settings(max_examples=n, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(boundary_inputs())
    def collect(inputs: tuple[Any, date]) -> None:
        found.append((f"generated {len(found) + 1}", parse_case(inputs[0])))

    collect()
    return found


def daily(rulebase: Rulebase, case: Case, start: date, end: date) -> dict[date, Any]:
    changes: dict[date, Any] = {}
    before = None
    day = start
    while day <= end:
        key = decision_key(rulebase, evaluate_case(rulebase, case, day))
        if before is not None and key != before:
            changes[day] = key
        before, day = key, day + timedelta(days=1)
    return changes


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    years = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rulebase = sen_rules.bundled_rulebase()
    cases = [(p.name, parse_case(p.read_text(encoding="utf-8")))
             for p in sorted(EXAMPLES.glob("*.json"))] + generated(n)
    print(f"{'case':<40} {'days':>5} {'cand.':>5} {'eval.':>5} {'changes':>7} "
          f"{'timeline ms':>11} {'daily ms':>9} {'speed-up':>8}  same")
    totals = [0, 0, 0, 0.0, 0.0]
    bad = 0
    for name, case in cases:
        start = case._latest_date
        end = min(start + timedelta(days=round(365.25 * years)), date(2199, 12, 31))
        candidates = candidate_days(rulebase, case, start, end)
        t0 = time.perf_counter()
        timeline = build_timeline(rulebase, case, start, end)
        t1 = time.perf_counter()
        expected = daily(rulebase, case, start, end)
        t2 = time.perf_counter()
        same = ([p.date for p in timeline.points] == list(expected)
                and all(decision_key(rulebase, p.evaluation) == expected[p.date]
                        for p in timeline.points))
        bad += not same
        totals[0] += timeline.days
        totals[1] += len(candidates.days)
        totals[2] += timeline.dates_evaluated
        totals[3] += t1 - t0
        totals[4] += t2 - t1
        print(f"{name:<40} {timeline.days:>5} {len(candidates.days):>5} "
              f"{timeline.dates_evaluated:>5} {len(timeline.points):>7} "
              f"{(t1 - t0) * 1000:>11.1f} {(t2 - t1) * 1000:>9.1f} "
              f"{(t2 - t1) / (t1 - t0):>7.0f}x  {'yes' if same else 'NO'}")
    days, cand, evaluated, t_tl, t_daily = totals
    print(f"\n{len(cases)} cases over {years} years: {days} days in all; {cand} candidate "
          f"dates ({evaluated} evaluated with the dates decisions produce), "
          f"{days / evaluated:.0f}x fewer evaluations; timeline {t_tl:.2f} s, every day "
          f"{t_daily:.2f} s ({t_daily / t_tl:.0f}x); {bad} case(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
