"""A synthetic corpus: valid, varied cases for judging the impact of a rule change.

``sen-rules generate-cases N --seed S`` writes N lines of JSON Lines, each
``{"case": {...}, "as_of": "YYYY-MM-DD"}`` (the form ``sen-rules evaluate --jsonl`` and
``sen-rules diff`` read). The cases come from :class:`~sen_rules.authoring.randomcases.
CaseDrawer`, which mirrors the hypothesis strategies the tests use (the same fields and
odds, dates leaning towards the days that matter, half the cases pushed onto the
boundaries of rules) with plain ``random``: thousands of cases a second, and no test
dependency.

Determinism: line ``i`` of seed ``S`` is drawn from ``random.Random("sen-rules:generate:
S:i")`` alone (a string seed is hashed with SHA-512, never with Python's salted hash), so
the same N and S give byte-identical output in any process, and the corpus does not depend
on how many workers drew it. A corpus is reproducible with the same version of sen-rules.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections.abc import Callable, Iterator

from .. import codes
from ..errors import SenRulesError
from .randomcases import CaseDrawer


def case_line(seed: int, index: int) -> str:
    """Line ``index`` (0-based) of the corpus for ``seed``, as JSON text."""
    case, as_of = CaseDrawer(random.Random(f"sen-rules:generate:{seed}:{index}")).corpus_input()
    return json.dumps({"case": case, "as_of": as_of.isoformat()}, ensure_ascii=False,
                      separators=(",", ":"))


def _chunk_task(task: tuple[int, int, int]) -> list[str]:
    seed, start, stop = task
    return [case_line(seed, i) for i in range(start, stop)]


CHUNK = 500


def generate_lines(count: int, seed: int, workers: int = 1,
                   progress: Callable[[], None] | None = None) -> Iterator[str]:
    """The corpus, line by line, in order (``workers`` processes draw it)."""
    if count < 0:
        raise SenRulesError("the number of cases must be 0 or more", code=codes.SR182)
    if workers <= 1 or count <= CHUNK:
        for i in range(count):
            yield case_line(seed, i)
            if progress is not None:
                progress()
        return
    context = multiprocessing.get_context("spawn")
    tasks = ((seed, start, min(start + CHUNK, count)) for start in range(0, count, CHUNK))
    with context.Pool(workers) as pool:
        for lines in pool.imap(_chunk_task, tasks):
            for line in lines:
                yield line
                if progress is not None:
                    progress()
