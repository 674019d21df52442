"""The cost of explaining, against evaluating (not a test; run it by hand).

    python benchmarks/explain_costs.py [N]

Prints where the time of a trace goes (against ``evaluate``, least CPU time of 5
interleaved rounds: the observed closures with an observer that does nothing, then one that
only builds a bare node for each node evaluated, then the full trace), and then, per case
and per backend, the mean time of ``evaluate``, ``explain`` (trace and its JSON),
``explain`` with counterfactuals, and ``make_record``, on N generated cases (hypothesis
seed 4; default 200) and on the bundled examples.
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
from sen_rules.engine.decide import decide
from sen_rules.engine.native import Env, Observer, match_observed
from sen_rules.engine.service import compiled, prepare
from sen_rules.explain import explain
from sen_rules.explain.trace import Node
from sen_rules.explain.tracing import traced_evaluation
from sen_rules.language import ir
from sen_rules.testing.strategies import evaluation_inputs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import cpu_seconds

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


class BareNodes(Observer):
    """Builds a node for each node evaluated, with its children, and nothing else: the
    least a trace of the observed evaluation can cost."""

    def __init__(self) -> None:
        self.stack: list[list[Node]] = []
        self.got: list[Node] = []

    def enter(self, node: ir.Expr, area: str | None, env: Env) -> None:
        self.stack.append(self.got)
        self.got = []

    def leave(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        got, self.got = self.got, self.stack.pop()
        self.got.append(Node(node, area, value, True, tuple(got)))

    def leaf(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        self.got.append(Node(node, area, value, True))


def trace_floor(cases: list[tuple[Any, date]]) -> None:
    """Where the time of a trace goes, as multiples of evaluating the same cases."""
    rulebase = sen_rules.bundled_rulebase()
    valid = [(parse_case(c), d) for c, d in cases]

    def observed(make: Callable[[], Observer]) -> Callable[[], None]:
        def go() -> None:
            for case, day in valid:
                case, day, epoch = prepare(rulebase, case, day)
                program = compiled(rulebase).program(epoch)
                env = Env(case, day, make())
                matches = match_observed(program, env)
                env.vars.clear()
                decide(program, env, matches)
        return go

    def evaluate() -> None:
        for case, day in valid:
            sen_rules.evaluate(case, as_of=day, rulebase=rulebase)

    def trace() -> None:
        for case, day in valid:
            case, day, epoch = prepare(rulebase, case, day)
            traced_evaluation(compiled(rulebase).program(epoch), case, day)

    def explained() -> None:
        for case, day in valid:
            explain(case, as_of=day, rulebase=rulebase, counterfactuals=False)

    runs = [("evaluate", evaluate),
            ("observed closures, an observer that does nothing", observed(Observer)),
            ("observed, a bare node for each node evaluated", observed(BareNodes)),
            ("the trace (traced_evaluation)", trace),
            ("explain, no counterfactuals", explained)]
    for _, fn in runs:
        fn()
    seconds = cpu_seconds([fn for _, fn in runs], 5)
    print(f"where the time of a trace goes ({len(valid)} generated cases):")
    for (what, _), s in zip(runs, seconds, strict=True):
        print(f"  {what:<52}{s / len(valid) * 1e6:8.0f} µs  {s / seconds[0]:5.2f}x")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    trace_floor(generated(n))
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
