"""The compact JSON of an evaluation is the JSON of its data, whichever parts are shared.

Decisions whose content does not depend on the case are worked out once per set of fired
rules and shared between evaluations, and every part keeps its JSON text once written
(engine/result.py). These tests check that the composed text is byte for byte the plain
encoding of ``to_dict()``, on both backends, across many cases evaluated in turn and from
several threads at once, so a kept text can never carry one case's values into another's.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules.engine.result import dumps
from sen_rules.testing.strategies import evaluation_inputs


@pytest.mark.parametrize("backend", sen_rules.BACKENDS)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(inputs=evaluation_inputs())
def test_compact_json_is_the_encoding_of_the_data(backend: str,
                                                  inputs: tuple[dict[str, Any], date]) -> None:
    data, day = inputs
    result = sen_rules.evaluate(data, as_of=day, backend=backend)
    text = result.to_json(indent=None)
    assert text == dumps(result.to_dict(), indent=None)
    assert json.loads(text) == json.loads(result.to_json())
    assert result.to_json(indent=None) == text  # written again from the kept texts


def test_shared_decisions_are_the_same_objects_and_equal_data() -> None:
    """Two cases that fire the same rules of an area with no case-dependent part share that
    area's decision object; each evaluation's JSON is still its own."""
    inputs = [(sen_rules.parse_case(d), day) for d, day in _corpus(40)]
    evaluations = [sen_rules.evaluate(c, as_of=d) for c, d in inputs]
    seen: dict[tuple[str, str], Any] = {}
    shared = 0
    for e in evaluations:
        for d in e.decisions:
            if not d.details and not d.uses:
                key = (d.topic, json.dumps(d.to_dict(), sort_keys=True))
                if key in seen:
                    shared += seen[key] is d
                seen.setdefault(key, d)
        assert e.to_json(indent=None) == dumps(e.to_dict(), indent=None)
    assert shared > 0


def test_threads_write_the_same_compact_json() -> None:
    inputs = [(sen_rules.parse_case(d), day) for d, day in _corpus(60)]
    expected = [dumps(sen_rules.evaluate(c, as_of=d).to_dict(), indent=None)
                for c, d in inputs]
    rulebase = sen_rules.load_rulebase()  # a fresh copy: nothing worked out or written yet
    problems: list[object] = []
    barrier = threading.Barrier(4)
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)

    def work(offset: int) -> None:
        try:
            barrier.wait()
            for i in range(len(inputs)):
                k = (i + offset * 17) % len(inputs)
                case, day = inputs[k]
                got = sen_rules.evaluate(case, as_of=day, rulebase=rulebase)
                if got.to_json(indent=None) != expected[k]:
                    problems.append(k)
        except BaseException as exc:
            problems.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(before)
    assert problems == []


def _corpus(n: int) -> list[tuple[dict[str, Any], date]]:
    from sen_rules.authoring.generate import generate_lines

    out = []
    for line in generate_lines(n, 11):
        item = json.loads(line)
        out.append((item["case"], date.fromisoformat(item["as_of"])))
    return out
