"""Many cases at once: streaming, in order, one bad case never stopping the rest.

``evaluate_many`` takes any iterable (it is consumed lazily, so a file of a million lines
never sits in memory) and yields one :class:`BatchResult` per item, in input order. With
``workers > 1`` the cases are spread over that many processes, each of which loads the
rulebase once (the same directory, so the same hash: checked). ``map_with_rulebases`` is
the mechanism underneath, for any per-item work that needs one or more rulebases.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from .. import codes, jsonread
from ..case import read_item_fast
from ..dates import parse_day
from ..errors import CaseError, SenRulesError
from ..rulebase import Rulebase
from .result import Evaluation, dumps, evaluation_json
from .service import evaluate_case
from .workers import MAX_WORKERS as MAX_WORKERS
from .workers import check_workers, run_ordered

T = TypeVar("T")
R = TypeVar("R")
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
        if self.error is not None:  # its code, message and (a case's) every problem
            out["error"] = self.error.to_dict()
        return out

    def to_json(self, line_base: int = 1) -> str:
        """``dumps(to_dict(line_base), indent=None)``, the evaluation's part from its kept
        texts (:func:`.result.evaluation_json`): one line of a JSON Lines answer."""
        if self.evaluation is None:
            return dumps(self.to_dict(line_base), indent=None)
        return (f'{{"line":{self.index + line_base},"ok":{"true" if self.ok else "false"},'
                f'"evaluation":{evaluation_json(self.evaluation)}}}')


def split_item(item: CaseInput, as_of: date | str | None) -> tuple[Any, date | str]:
    """An item's case and evaluation date (its own ``as_of`` wins over the common one)."""
    if isinstance(item, tuple) and len(item) == 2:
        return item[0], item[1]
    if isinstance(item, Mapping) and "case" in item:  # a case has no field "case"
        unknown = sorted(str(k) for k in item if k not in ("case", "as_of"))
        if unknown:
            raise CaseError([(key, 'unknown field: an item is a case, or {"case": ..., '
                                   '"as_of": ...}') for key in unknown])
        case = item["case"]
        day = as_of if item.get("as_of") is None else item["as_of"]  # null: not given
    else:
        case, day = item, as_of
    if day is None:
        raise CaseError([("as_of", "no evaluation date: give as_of for the item or for all")],
                        code=codes.SR202)
    return case, day


def parse_line(line: str | bytes) -> Any:
    """One line of JSON Lines: a case, or ``{"case": ..., "as_of": ...}``.

    Read by the strict reader (:mod:`sen_rules.jsonread`); a line given as bytes is decoded
    here, so a line that is not UTF-8 is an error of that line alone.
    """
    if len(line) > MAX_LINE_BYTES:
        raise CaseError([("", f"the line is longer than {MAX_LINE_BYTES:,} bytes")])
    try:
        text = jsonread.decode(line) if isinstance(line, bytes) else line
        if not text.strip():
            raise CaseError([("", "the line is empty")])
        return jsonread.loads(text, limit=MAX_LINE_BYTES)
    except jsonread.JsonInputError as exc:
        where = f" at column {exc.column}" if exc.column else ""
        raise CaseError([("", f"{exc.reason}{where}")]) from None


def read_line(line: str | bytes, as_of: date | str | None) -> tuple[Any, date | str]:
    """A line's case and evaluation date: in one pass for a valid line (the case then read
    already), else as :func:`parse_line` and :func:`split_item` read it, with their errors."""
    quick = read_line_fast(line, as_of)
    return quick if quick is not None else split_item(parse_line(line), as_of)


def read_line_fast(line: str | bytes, as_of: date | str | None) -> tuple[Any, date | str] | None:
    """A valid line's case, read, and its date (see :func:`sen_rules.case.read_item_fast`);
    None for any other line, which only the strict way reads (and names what is wrong)."""
    quick = read_item_fast(line, MAX_LINE_BYTES)
    if quick is None:
        return None
    case, day = quick
    if day is not None:
        return case, day
    return None if as_of is None else (case, as_of)


def _evaluate_one(rulebase: Rulebase, index: int, item: CaseInput, as_of: date | str | None,
                  backend: str) -> BatchResult:
    try:
        if isinstance(item, (str, bytes)):
            case, day = read_line(item, as_of)
        else:
            case, day = split_item(item, as_of)
        return BatchResult(index, evaluate_case(rulebase, case, day, backend), None)
    except SenRulesError as exc:
        return BatchResult(index, None, exc)


# ---------------------------------------------------------------------------- processes


def _worker_setup(rulebase: Rulebase) -> Rulebase:
    return rulebase  # inherited (fork) or unpickled (spawn): the files are not read again


def _worker_task(rulebase: Rulebase, index: int,
                 task: tuple[Any, date | str | None, str]) -> tuple[str | None, Any]:
    item, as_of, backend = task
    result = _evaluate_one(rulebase, index, item, as_of, backend)
    # evaluations cross the process boundary as JSON text (immutable values, not pickles);
    # errors as themselves, so a CaseError arrives with its problems
    return (result.evaluation.to_json(indent=None) if result.evaluation else None,
            result.error)


def _with_rulebases(task: Callable[[Sequence[Rulebase], Any], Any],
                    rulebases: tuple[Rulebase, ...]) -> tuple[Any, tuple[Rulebase, ...]]:
    return task, rulebases  # inherited (fork) or unpickled (spawn): no file is read again


def _apply(state: tuple[Callable[[Sequence[Rulebase], Any], Any], tuple[Rulebase, ...]],
           index: int, item: Any) -> Any:
    task, rulebases = state
    return task(rulebases, item)


def map_with_rulebases(task: Callable[[Sequence[Rulebase], T], R], items: Iterable[T],
                       rulebases: Sequence[Rulebase], *, workers: int = 1,
                       chunk_size: int = 64) -> Iterator[R]:
    """``task(rulebases, item)`` for each item, in input order, consumed lazily.

    With ``workers > 1`` the items are spread over that many processes by the same
    mechanism as :func:`evaluate_many` (a worker that dies ends the run with a
    :class:`BatchError`, never a hang); ``task`` must then be a module-level function, and
    its items and results picklable.
    """
    if workers <= 1:
        for item in items:
            yield task(rulebases, item)
        return
    yield from run_ordered(_apply, items, workers=workers, setup=_with_rulebases,
                           setup_args=(task, tuple(rulebases)), chunk_size=chunk_size)


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

    ``workers`` is 1 to :data:`MAX_WORKERS` (a ValueError otherwise). With ``workers > 1``
    the evaluations are rebuilt from JSON (:func:`evaluation_from_json`), and a worker that
    dies stops the batch with a :class:`BatchError` (SR601) after every earlier result.
    """
    check_workers(workers)
    if workers == 1:
        for index, item in enumerate(items):
            yield _evaluate_one(rulebase, index, item, as_of, backend)
        return
    tasks = ((item, as_of, backend) for item in items)
    results = run_ordered(_worker_task, tasks, workers=workers, setup=_worker_setup,
                          setup_args=(rulebase,), chunk_size=chunk_size)
    for index, (evaluation, error) in enumerate(results):
        yield BatchResult(index, evaluation_from_json(evaluation) if evaluation else None,
                          error)


@dataclass(frozen=True, slots=True)
class WrittenResult:
    """One result already written as its JSON Lines line (:meth:`BatchResult.to_json`)."""

    index: int
    line: str
    error: SenRulesError | None


def evaluate_many_written(
    items: Iterable[CaseInput],
    *,
    rulebase: Rulebase,
    as_of: date | str | None = None,
    backend: str = "native",
    workers: int = 1,
    chunk_size: int = 64,
) -> Iterator[WrittenResult]:
    """As :func:`evaluate_many`, each result written as its line where it was evaluated:
    with workers, only the text crosses back, and nothing is rebuilt to be written again
    (what ``sen-rules evaluate --jsonl`` writes)."""
    check_workers(workers)
    if workers == 1:
        for index, item in enumerate(items):
            yield _written(_evaluate_one(rulebase, index, item, as_of, backend))
        return
    tasks = ((item, as_of, backend) for item in items)
    yield from run_ordered(_written_task, tasks, workers=workers, setup=_worker_setup,
                           setup_args=(rulebase,), chunk_size=chunk_size)


def _written(result: BatchResult) -> WrittenResult:
    return WrittenResult(result.index, result.to_json(), result.error)


def _written_task(rulebase: Rulebase, index: int,
                  task: tuple[Any, date | str | None, str]) -> WrittenResult:
    item, as_of, backend = task
    return _written(_evaluate_one(rulebase, index, item, as_of, backend))


def evaluation_from_json(text: str) -> Evaluation:
    """Rebuild an :class:`Evaluation` from its JSON (for results that crossed processes)."""
    from ..rulebase import Citation, InForce
    from .result import (
        Decision,
        DecisionBasis,
        Finding,
        NotApplicable,
        RuleRef,
        SettingUsed,
        VersionChoice,
        freeze,
    )

    data = json.loads(text)

    def finding(f: Mapping[str, Any]) -> Finding:
        return Finding(f["code"], f["rule"], f["message"], freeze(f.get("details", {})))

    def basis(b: Mapping[str, Any]) -> DecisionBasis:
        # the JSON names the deciding rules by id only
        refs = tuple(RuleRef(rid, "1", "", "outcome", (), InForce()) for rid in b.get("rules", ()))
        return DecisionBasis(b["topic"], b["title"], b["applies"], b.get("outcome"),
                             b.get("outcome_label"), freeze(b.get("details", {})), refs)

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
            settings=tuple(SettingUsed(st["name"], st["title"], freeze(st["value"]))
                           for st in d.get("settings", ())),
            uses=tuple(basis(b) for b in d.get("uses", ())),
        )
        for d in data["decisions"]
    )
    skipped = tuple(NotApplicable(n["topic"], n["title"], n["applies_when"], n["condition"],
                                  tuple(basis(b) for b in n["because"]))
                    for n in data.get("not_applicable", ()))
    return Evaluation(freeze(data["rulebase"]), parse_day(data["as_of"]),
                      data["case_id"], decisions, skipped)

