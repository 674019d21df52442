"""What the caller's path costs, step by step: JSON text in, decisions as JSON text out.

    python benchmarks/json_path_costs.py [--cases 2000] [--rounds 15] [--seed 2024]

Prints CPU microseconds a case, the median of interleaved rounds (each round times every
step on the next slice of the cases, in a new order), on the generated corpus and the bundled
rules: reading a case with ``parse_case`` from JSON text and from a dict, and the parts of
each read; the strict way every refused case takes; evaluating, building the decisions'
data and encoding it; and the whole path. Not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import marshal
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sen_rules
from sen_rules import jsonread
from sen_rules.authoring.generate import generate_lines
from sen_rules.case import (
    _NUMBER_CHARS,
    _TOO_LONG_NUMBER,
    MAX_CASE_BYTES,
    Case,
    _checked,
    _fast_read,
    parse_case,
)
from sen_rules.case_dates import count_colons, gather_dates
from sen_rules.engine.result import dumps
from sen_rules.engine.service import evaluate_case

Step = tuple[str, Callable[[Any], object], Sequence[Any]]


def _steps(texts: list[str], dicts: list[dict[str, Any]], days: list[date]) -> list[Step]:
    fast = _fast_read()
    assert fast is not None and fast.data is not None, "the fast read is off"
    text_validator, data_validator, plans = fast.text, fast.data, fast.plans
    raws = [t.encode() for t in texts]
    read = [parse_case(t) for t in texts]
    dated = []
    for case in read:
        found: list[date] = []
        count_colons(case, plans, found)
        dated.append((case, found))
    rulebase = sen_rules.bundled_rulebase()
    evaluations = [evaluate_case(rulebase, c, d) for c, d in zip(read, days, strict=True)]
    data = [e.to_dict() for e in evaluations]

    def strict(text: str) -> Case:
        jsonread.loads(text, limit=MAX_CASE_BYTES)
        return Case.model_validate_json(text)

    return [
        ("parse_case from JSON text", parse_case, texts),
        ("  size, escaped colon and number length checks",
         lambda r: len(r) > MAX_CASE_BYTES or b"u003" in r
         or _TOO_LONG_NUMBER in r.translate(_NUMBER_CHARS) or r.count(b":"), raws),
        ("  pydantic: validate the JSON text", text_validator.validate_json, raws),
        ("  colon count and date walk", lambda c: count_colons(c, plans, []), read),
        ("  whole-case checks", lambda cd: _checked(*cd), dated),
        ("parse_case from a dict", parse_case, dicts),
        ("  exact built-in types (marshal)", marshal.dumps, dicts),
        ("  pydantic: validate the data", data_validator.validate_python, dicts),
        ("  date walk", lambda c: gather_dates(c, []), read),
        ("the strict way (what a refused case takes)", strict, texts),
        ("  strict reader: jsonread.loads", lambda t: jsonread.loads(t, limit=MAX_CASE_BYTES),
         texts),
        ("  the model: Case.model_validate_json", Case.model_validate_json, texts),
        ("evaluate an already validated case", lambda cd: evaluate_case(rulebase, *cd),
         list(zip(read, days, strict=True))),
        ("the decisions as JSON-ready data (to_dict)", lambda e: e.to_dict(), evaluations),
        ("encode that data as JSON text", lambda d: dumps(d, indent=None), data),
        ("the whole path: evaluate_case(rules, text, as_of).to_json()",
         lambda td: evaluate_case(rulebase, *td).to_json(indent=None),
         list(zip(texts, days, strict=True))),
    ]


def _median_costs(steps: list[Step], rounds: int, size: int) -> list[float]:
    """Microseconds a case for each step: the median over rounds, each on its own slice."""
    costs: list[list[float]] = [[] for _ in steps]
    order = list(range(len(steps)))
    shuffle = random.Random(0).shuffle
    gc.disable()
    try:
        for r in range(rounds):
            shuffle(order)
            for i in order:
                _, fn, items = steps[i]
                start = (r * size) % len(items)
                batch = items[start:start + size]
                began = time.process_time()
                for item in batch:
                    fn(item)
                costs[i].append((time.process_time() - began) / len(batch) * 1e6)
            gc.collect()
    finally:
        gc.enable()
    return [statistics.median(c) for c in costs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    items = [json.loads(line) for line in generate_lines(args.cases, args.seed)]
    dicts = [i["case"] for i in items]
    texts = [json.dumps(d) for d in dicts]
    days = [date.fromisoformat(i["as_of"]) for i in items]
    steps = _steps(texts, dicts, days)
    for _, fn, items_ in steps:  # once first: what is built on first use is built
        fn(items_[0])
    medians = _median_costs(steps, args.rounds, max(1, min(200, args.cases)))
    print(f"{len(texts)} generated cases (seed {args.seed}), all areas of the bundled rules; "
          f"CPU µs a case, median of {args.rounds} interleaved rounds")
    for (name, _, _), cost in zip(steps, medians, strict=True):
        print(f"{name:<64}{cost:>8.1f}")


if __name__ == "__main__":
    main()
