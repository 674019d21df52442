"""Many cases at once: streaming, in order, one bad case never stopping the rest.

``evaluate_many`` takes any iterable (it is consumed lazily, so a file of a million lines
never sits in memory) and yields one :class:`BatchResult` per item, in input order. With
``workers > 1`` the cases are spread over that many processes, each of which loads the
rulebase once (the same directory, so the same hash: checked).
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import CaseError, SenRulesError
from ..rulebase import Rulebase
from .result import Evaluation
from .service import evaluate_case

CaseInput = Any  # a Case, a JSON-like mapping, JSON text, or a (case, as_of) pair
MAX_LINE_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome for one item: an evaluation, or the error that stopped it."""

    index: int  # 0-based position in the input
    evaluation: Evaluation | None
    error: SenRulesError | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self, line_base: int = 1) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.index + line_base, "ok": self.ok}
        if self.evaluation is not None:
            out["evaluation"] = self.evaluation.to_dict()
        if self.error is not None:
            out["error"] = {"code": self.error.code, "message": self.error.message}
        return out


def split_item(item: CaseInput, as_of: date | str | None) -> tuple[Any, date | str]:
    """An item's case and evaluation date (its own ``as_of`` wins over the common one)."""
    if isinstance(item, tuple) and len(item) == 2:
        return item[0], item[1]
    if isinstance(item, Mapping) and set(item) <= {"case", "as_of"} and "case" in item:
        case, day = item["case"], item.get("as_of", as_of)
    else:
        case, day = item, as_of
    if day is None:
        raise CaseError([("as_of", "no evaluation date: give as_of for the item or for all")],
                        code="SR202")
    return case, day


def parse_line(line: str) -> Any:
    """One line of JSON Lines: a case, or ``{"case": ..., "as_of": ...}``."""
    if not line.strip():
        raise CaseError([("", "the line is empty")])
    if len(line) > MAX_LINE_BYTES:
        raise CaseError([("", f"the line is longer than {MAX_LINE_BYTES} bytes")])
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise CaseError([("", f"not valid JSON ({exc.msg} at column {exc.colno})")]) from None
    except ValueError as exc:  # for example a number too long to read
        raise CaseError([("", f"not valid JSON ({exc})")]) from None


def _evaluate_one(rulebase: Rulebase, index: int, item: CaseInput, as_of: date | str | None,
                  backend: str) -> BatchResult:
    try:
        if isinstance(item, str):
            item = parse_line(item)
        case, day = split_item(item, as_of)
        return BatchResult(index, evaluate_case(rulebase, case, day, backend), None)
    except SenRulesError as exc:
        return BatchResult(index, None, exc)


# ---------------------------------------------------------------------------- processes

_worker_rulebase: Rulebase | None = None


def _init_worker(directory: str | None, sha256: str) -> None:
    global _worker_rulebase
    from ..loading.loader import load_rulebase

    _worker_rulebase = load_rulebase(directory)
    if _worker_rulebase.sha256 != sha256:  # the files changed under us: refuse, loudly
        raise RuntimeError("the rules changed while the batch was starting")


def _worker_task(task: tuple[int, Any, date | str | None, str]) -> dict[str, Any]:
    assert _worker_rulebase is not None
    index, item, as_of, backend = task
    result = _evaluate_one(_worker_rulebase, index, item, as_of, backend)
    # evaluations cross the process boundary as JSON text (immutable values, not pickles)
    return {
        "index": result.index,
        "evaluation": result.evaluation.to_json(indent=None) if result.evaluation else None,
        "error": (result.error.code, result.error.message) if result.error else None,
    }


def evaluate_many(
    items: Iterable[CaseInput],
    *,
    rulebase: Rulebase,
    as_of: date | str | None = None,
    backend: str = "native",
    workers: int = 1,
    chunk_size: int = 64,
) -> Iterator[BatchResult]:
    """Evaluate each item; yields results in input order. See the module docstring.

    With ``workers > 1`` the evaluations are returned as :class:`BatchResult` whose
    ``evaluation`` is rebuilt from JSON (:func:`evaluation_from_json`).
    """
    if workers <= 1:
        for index, item in enumerate(items):
            yield _evaluate_one(rulebase, index, item, as_of, backend)
        return
    directory = rulebase.directory
    context = multiprocessing.get_context("spawn" if _unsafe_to_fork() else "fork")
    tasks = ((i, item, as_of, backend) for i, item in enumerate(items))
    with context.Pool(workers, initializer=_init_worker,
                      initargs=(directory, rulebase.sha256)) as pool:
        for raw in pool.imap(_worker_task, tasks, chunksize=chunk_size):
            error = raw["error"]
            yield BatchResult(
                raw["index"],
                evaluation_from_json(raw["evaluation"]) if raw["evaluation"] else None,
                SenRulesError(error[1], code=error[0]) if error else None,
            )


def _unsafe_to_fork() -> bool:
    # durable-rules keeps C state and locks; a fork child must not inherit them half-held
    import threading

    return threading.active_count() > 1


def evaluation_from_json(text: str) -> Evaluation:
    """Rebuild an :class:`Evaluation` from its JSON (for results that crossed processes)."""
    from ..rulebase import Citation, InForce
    from .result import Decision, Finding, RuleRef, VersionChoice, freeze

    data = json.loads(text)

    def finding(f: Mapping[str, Any]) -> Finding:
        return Finding(f["code"], f["rule"], f["message"], freeze(f.get("details", {})))

    decisions = tuple(
        Decision(
            topic=d["topic"], title=d["title"], outcome=d["outcome"],
            outcome_label=d["outcome_label"], details=freeze(d["details"]),
            rules=tuple(RuleRef(r["id"], r["version"], r["title"], r["role"],
                                tuple(Citation(c["source"], c["clause"], c["quote"],
                                               c.get("reference")) for c in r["citations"]),
                                InForce.from_dict(r.get("in_force")),
                                VersionChoice.from_dict(r["version_chosen_by"])
                                if "version_chosen_by" in r else None) for r in d["rules"]),
            flags=tuple(finding(f) for f in d["flags"]),
            notes=tuple(finding(f) for f in d["notes"]),
            overridden=tuple(d["overridden"]),
        )
        for d in data["decisions"]
    )
    return Evaluation(freeze(data["rulebase"]), date.fromisoformat(data["as_of"]),
                      data["case_id"], decisions)

