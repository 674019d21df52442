"""How the cost of an evaluation grows: with the number of cases, of rules, of candidates.

    python benchmarks/growth.py [--cases 1000] [--repeat 3] [--seed 2024]

* cases: the same generated corpus evaluated 1, 2, 4 and 8 times over (time per case);
* rules: the generated corpus evaluated on growing sets of areas (each with the areas whose
  decisions it uses, ``evaluate_case(..., areas=...)``): rules in force, time per case and
  per rule;
* candidates: the placement example (examples/cases/placement-candidates.json) with 1 to
  50 candidate placements (the most a case may hold): native evaluation and the trace.

CPU time of this process, the least of ``repeat`` rounds. Used by benchmarks/benchmark.py;
runnable alone. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import peers  # noqa: E402
from explain_by_candidates import with_candidates  # noqa: E402

import sen_rules  # noqa: E402
from sen_rules.authoring.generate import generate_lines  # noqa: E402
from sen_rules.authoring.impact import needed_areas  # noqa: E402
from sen_rules.case import Case  # noqa: E402
from sen_rules.engine.service import evaluate_case  # noqa: E402
from sen_rules.explain import explain  # noqa: E402

AS_OF = "2012-02-01"


def least(fn: Callable[[], None], repeat: int) -> float:
    return peers.cpu_seconds([fn], repeat)[0]


def by_cases(rb: sen_rules.Rulebase, cases: list[tuple[Case, date]], repeat: int) -> None:
    print("cases evaluated   µs a case (native, validated case)")
    for times in (1, 2, 4, 8):
        def go(times: int = times) -> None:
            for _ in range(times):
                for case, day in cases:
                    evaluate_case(rb, case, day)
        seconds = least(go, repeat)
        print(f"{len(cases) * times:>15,}   {seconds / (len(cases) * times) * 1e6:>10.0f}")


def by_rules(rb: sen_rules.Rulebase, cases: list[tuple[Case, date]], repeat: int) -> None:
    """Prefixes of the areas in decision order, each closed over the areas it uses."""
    order = [a.id for a in rb.areas]
    print("areas  rules   µs a case   µs a rule")
    seen: set[frozenset[str]] = set()
    for k in range(1, len(order) + 1):
        areas = needed_areas(rb, frozenset(order[:k]))
        if areas in seen:
            continue
        seen.add(areas)
        rules = len({r.id for r in rb.rules if r.area in areas})

        def go(areas: frozenset[str] = areas) -> None:
            for case, when in cases:
                evaluate_case(rb, case, when, areas=areas)
        go()
        per_case = least(go, repeat) / len(cases) * 1e6
        print(f"{len(areas):>5}  {rules:>5}   {per_case:>9.0f}   {per_case / rules:>9.1f}")


def by_candidates(rb: sen_rules.Rulebase, repeat: int) -> None:
    print("candidates   µs to evaluate   ms to explain (trace, no counterfactuals)")
    day = date.fromisoformat(AS_OF)
    for n in (1, 2, 5, 10, 20, 50):
        case = sen_rules.parse_case(with_candidates(n))
        evaluate_case(rb, case, day)

        def ev(case: Case = case) -> None:
            for _ in range(50):
                evaluate_case(rb, case, day)

        def ex(case: Case = case) -> None:
            explain(case, as_of=day, rulebase=rb, counterfactuals=False)

        print(f"{n:>10}   {least(ev, repeat) / 50 * 1e6:>14.0f}   "
              f"{least(ex, repeat) * 1e3:>8.1f}")


def report(cases_n: int, repeat: int, seed: int) -> None:
    rb = sen_rules.bundled_rulebase()
    cases = []
    for line in generate_lines(cases_n, seed):
        item = json.loads(line)
        cases.append((sen_rules.parse_case(item["case"]), date.fromisoformat(item["as_of"])))
    for _, (case, day) in zip(range(50), cases, strict=False):  # compile, warm caches
        evaluate_case(rb, case, day)
    by_cases(rb, cases, repeat)
    print()
    by_rules(rb, cases, repeat)
    print()
    by_candidates(rb, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    report(args.cases, args.repeat, args.seed)


if __name__ == "__main__":
    main()
