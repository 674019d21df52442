"""What the caller's path costs, step by step: JSON text in, decisions as JSON text out.

    python benchmarks/json_path_costs.py [--cases 1000] [--repeat 5] [--seed 2024]

Prints CPU microseconds a case (the least of interleaved rounds) for: validating the case
from its JSON text, evaluating an already validated case, building the decisions' JSON-ready
data, encoding it, and the whole path; on the bundled rules. Not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from datetime import date

import sen_rules
from sen_rules.authoring.generate import generate_lines
from sen_rules.case import Case
from sen_rules.engine.result import dumps
from sen_rules.engine.service import evaluate_case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rulebase = sen_rules.bundled_rulebase()
    items = [json.loads(line) for line in generate_lines(args.cases, args.seed)]
    texts = [(json.dumps(i["case"]), i["as_of"]) for i in items]
    cases = [(Case.model_validate_json(t), date.fromisoformat(d)) for t, d in texts]
    evaluations = [evaluate_case(rulebase, c, d) for c, d in cases]
    data = [e.to_dict() for e in evaluations]

    def whole() -> None:
        for text, day in texts:
            evaluate_case(rulebase, text, day).to_json(indent=None)

    def validate() -> None:
        for text, _ in texts:
            Case.model_validate_json(text)

    def evaluate() -> None:
        for case, day in cases:
            evaluate_case(rulebase, case, day)

    def to_dict() -> None:
        for e in evaluations:
            e.to_dict()

    def encode() -> None:
        for d in data:
            dumps(d, indent=None)

    steps: list[tuple[str, Callable[[], None]]] = [
        ("the whole path: evaluate_case(rules, text, as_of).to_json()", whole),
        ("  validate the case from its JSON text (strict model)", validate),
        ("  evaluate an already validated case (decisions, provenance)", evaluate),
        ("  the decisions as JSON-ready data (to_dict)", to_dict),
        ("  encode that data as JSON text", encode),
    ]
    for _, fn in steps:
        fn()
    best = [float("inf")] * len(steps)
    for _ in range(args.repeat):
        for i, (_, fn) in enumerate(steps):
            gc.collect()
            start = time.process_time()
            fn()
            best[i] = min(best[i], time.process_time() - start)
    print(f"JSON in -> decisions JSON out, {len(texts)} generated cases (seed {args.seed}), "
          f"all {len(rulebase.areas)} areas; CPU time, least of {args.repeat} rounds")
    for (name, _), seconds in zip(steps, best, strict=True):
        print(f"{name:<64}{seconds / len(texts) * 1e6:>8.0f} µs")
    parts = sum(best[1:])
    print(f"{'  (the rest, by difference: the date, a fresh case, the epoch)':<64}"
          f"{(best[0] - parts) / len(texts) * 1e6:>8.0f} µs")


if __name__ == "__main__":
    main()
