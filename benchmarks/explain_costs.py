"""The cost of explaining, against evaluating (not a test; run it by hand).

    python benchmarks/explain_costs.py [N]

Prints, per case and per backend, the mean time of ``evaluate``, ``explain`` (trace and
its JSON), ``explain`` with counterfactuals, and ``make_record``, on N generated cases
(hypothesis seed 4; default 200) and on the bundled examples.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings

import sen_rules
from sen_rules.audit import make_record
from sen_rules.case import iter_dates, parse_case
from sen_rules.explain import explain
from sen_rules.testing.strategies import evaluation_inputs

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"


def generated(n: int) -> list[tuple[Any, date]]:
    found: list[tuple[Any, date]] = []

    @seed(4)
    @settings(max_examples=n, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(evaluation_inputs())
    def collect(inputs: tuple[Any, date]) -> None:
        found.append(inputs)

    collect()
    return found


def examples() -> list[tuple[Any, date]]:
    out = []
    for path in sorted(EXAMPLES.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        out.append((text, max(d for _, d in iter_dates(parse_case(text)))))
    return out


def mean_ms(cases: list[tuple[Any, date]], f: Callable[[Any, date], object]) -> float:
    f(*cases[0])  # compile once
    start = time.perf_counter()
    for data, as_of in cases:
        f(data, as_of)
    return (time.perf_counter() - start) / len(cases) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    for label, cases in ((f"{n} generated cases", generated(n)),
                         (f"{len(examples())} examples", examples())):
        for backend in sen_rules.BACKENDS:
            print(f"{label}, {backend}: " + measure(cases, backend))


def measure(cases: list[tuple[Any, date]], backend: str) -> str:
    ev = mean_ms(cases, lambda d, a: sen_rules.evaluate(d, as_of=a, backend=backend))
    tr = mean_ms(cases, lambda d, a: explain(d, as_of=a, backend=backend,
                                             counterfactuals=False).to_json())
    cf = mean_ms(cases, lambda d, a: explain(d, as_of=a, backend=backend).to_json())
    rec = mean_ms(cases, lambda d, a: make_record(d, as_of=a, backend=backend))
    return (f"evaluate {ev:.2f} ms; explain {tr:.1f} ms; explain with counterfactuals "
            f"{cf:.1f} ms; record {rec:.1f} ms (per case)")

if __name__ == "__main__":
    main()
