"""Many threads on one loaded rulebase give exactly what one thread gives, on both backends.

The interpreter is made to switch threads every microsecond (``sys.setswitchinterval``)
instead of every 5 ms, so each evaluation is interleaved with the others hundreds of times:
a race needs interleavings, not a long run. The number of evaluations per thread is
SEN_RULES_THREAD_CASES (default 300), over a corpus of distinct generated cases
evaluated in turn.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules.case import Case
from sen_rules.testing.strategies import evaluation_inputs

THREADS = 8
PER_THREAD = int(os.environ.get("SEN_RULES_THREAD_CASES", "150"))
SWITCH_INTERVAL = 1e-6  # seconds between forced thread switches (the default is 0.005)


@pytest.fixture(autouse=True)
def frequent_switches() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def corpus(n: int) -> list[tuple[Case, date]]:
    found: list[tuple[Case, date]] = []

    @settings(max_examples=n, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(evaluation_inputs())
    def collect(inputs: tuple[dict[str, Any], date]) -> None:
        found.append((sen_rules.parse_case(inputs[0]), inputs[1]))

    collect()
    return found[:n]


@pytest.fixture(scope="module")
def cases() -> list[tuple[Case, date]]:
    return corpus(200)


@pytest.mark.parametrize("backend", sen_rules.BACKENDS)
def test_eight_threads_agree_with_one(backend: str, cases: list[tuple[Case, date]]) -> None:
    rulebase = sen_rules.bundled_rulebase()
    expected = [sen_rules.evaluate(c, as_of=d, rulebase=rulebase, backend=backend).to_json()
                for c, d in cases]
    mismatches: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(thread: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                k = (i * 7 + thread * 13) % len(cases)  # threads walk the corpus differently
                case, day = cases[k]
                got = sen_rules.evaluate(case, as_of=day, rulebase=rulebase, backend=backend)
                if got.to_json() != expected[k]:
                    mismatches.append((thread, k))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert mismatches == []


def test_loading_a_new_version_while_others_evaluate(
        cases: list[tuple[Case, date]], rules_copy: Callable[..., Path]) -> None:
    rulebase = sen_rules.bundled_rulebase()
    directory = rules_copy({"rulebase.yaml": [("version: ", "version: 9.9.9-")]})
    expected = [sen_rules.evaluate(c, as_of=d, rulebase=rulebase).to_json() for c, d in cases]
    stop = threading.Event()
    problems: list[object] = []
    loaded: list[sen_rules.Rulebase] = []

    def evaluator() -> None:
        while not stop.is_set():
            for k, (case, day) in enumerate(cases):
                backend = "durable" if k % 5 == 0 else "native"
                if sen_rules.evaluate(case, as_of=day, rulebase=rulebase,
                                      backend=backend).to_json() != expected[k]:
                    problems.append(k)

    def loader() -> None:
        try:
            for _ in range(5):
                new = sen_rules.load_rulebase(directory)
                for case, day in cases[:40]:
                    for backend in sen_rules.BACKENDS:
                        got = sen_rules.evaluate(case, as_of=day, rulebase=new, backend=backend)
                        assert got.rulebase["version"].startswith("9.9.9-")
                loaded.append(new)
        except BaseException as exc:
            problems.append(exc)
        finally:
            stop.set()

    workers = [threading.Thread(target=evaluator) for _ in range(3)]
    workers.append(threading.Thread(target=loader))
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert problems == []
    assert len(loaded) == 5 and all(r.sha256 != rulebase.sha256 for r in loaded)
