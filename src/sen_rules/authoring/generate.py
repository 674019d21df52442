"""A synthetic corpus: valid, varied cases from the hypothesis strategies the tests use.

``sen-rules generate-cases N --seed S`` writes N lines of JSON Lines, each
``{"case": {...}, "as_of": "YYYY-MM-DD"}`` (the form ``sen-rules evaluate --jsonl`` and
``sen-rules diff`` read). The cases come from :func:`sen_rules.testing.strategies.
evaluation_inputs`, so they lean towards the dates that matter (29 February, prescribed
days, the academic-year boundary) and every one is valid on its date.

Determinism: hypothesis' ``.example()`` is not reproducible, so each case is drawn through
hypothesis' public fuzzing entry point (``fuzz_one_input``), which turns a byte string into
the strategy's choices without any randomness of its own. Case ``i`` of seed ``S`` is
drawn from bytes produced by ``random.Random("sen-rules:generate:S:i:k")`` (``k`` counts
the rare byte strings hypothesis rejects), so the same N and S give byte-identical
output in any process, and the corpus does not depend on how many workers drew it. (How
hypothesis maps bytes to choices can change between its releases: a corpus is reproducible
with the same versions of hypothesis and of the strategies.)
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from ..errors import SenRulesError

BUFFER_BYTES = 4096
MAX_TRIES = 50


def _drawer() -> Callable[[bytes], tuple[dict[str, Any], date] | None]:
    try:
        from hypothesis import HealthCheck, given, settings
    except ImportError:  # pragma: no cover - hypothesis comes with the test extra
        raise SenRulesError("generate-cases needs hypothesis: pip install 'sen-rules[test]'",
                            code="SR181") from None
    from ..testing.strategies import evaluation_inputs

    drawn: list[tuple[dict[str, Any], date]] = []

    @settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(evaluation_inputs())
    def collect(value: tuple[dict[str, Any], date]) -> None:
        drawn.append(value)

    fuzz = collect.hypothesis.fuzz_one_input  # type: ignore[attr-defined]

    def draw(buffer: bytes) -> tuple[dict[str, Any], date] | None:
        drawn.clear()
        fuzz(buffer)
        return drawn[-1] if drawn else None

    return draw


_draw: Callable[[bytes], tuple[dict[str, Any], date] | None] | None = None


def case_line(seed: int, index: int) -> str:
    """Line ``index`` (0-based) of the corpus for ``seed``, as JSON text."""
    global _draw
    if _draw is None:
        _draw = _drawer()
    for attempt in range(MAX_TRIES):
        rng = random.Random(f"sen-rules:generate:{seed}:{index}:{attempt}")
        found = _draw(rng.randbytes(BUFFER_BYTES))
        if found is not None:
            case, as_of = found
            return json.dumps({"case": case, "as_of": as_of.isoformat()}, ensure_ascii=False,
                              separators=(",", ":"))
    raise SenRulesError(f"could not draw case {index} of seed {seed}", code="SR182")


def _line_task(task: tuple[int, int]) -> str:
    return case_line(*task)


def generate_lines(count: int, seed: int, workers: int = 1,
                   progress: Callable[[], None] | None = None) -> Iterator[str]:
    """The corpus, line by line, in order (``workers`` processes draw it)."""
    if count < 0:
        raise SenRulesError("the number of cases must be 0 or more", code="SR182")
    if workers <= 1:
        for i in range(count):
            yield case_line(seed, i)
            if progress is not None:
                progress()
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        for line in pool.imap(_line_task, ((seed, i) for i in range(count)), chunksize=32):
            yield line
            if progress is not None:
                progress()
