"""Re-verify stored decisions against a rulebase, in parallel, with a progress bar.

The records are read from the database in pages of a few thousand (one query each) in
this process and handed, still compressed, in chunks to worker processes that each load
the rulebase once and replay them (see :mod:`.replay`: a record that holds is shown so by
rebuilding it, anything else gets the answer of :func:`sen_rules.verify_record`). Chunks
are collected in the order they were sent, so the answer does not depend on the number
of workers. It counts each outcome (holds, differs, rulebase changed with the same
decisions, rulebase changed with other decisions, record altered, sealed with a key that
was not given) and lists every decision that would now be decided differently, with what
changed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import codes
from ..audit.verify import replay
from ..errors import RecordError
from ..loading.loader import load_rulebase
from ..rulebase import Rulebase
from .replay import check_stored, holds_as_stored
from .store import DecisionLog, Filters, IntegrityError, StoredBlob, unpack_bytes

# the answers, in the order reports show them
HOLDS = "holds"
DIFFERS = "differs"
CHANGED_SAME = "rulebase-changed-same"
CHANGED_DIFFERS = "rulebase-changed-differs"
ALTERED = "altered"
NEEDS_KEY = "needs-key"
KINDS = (HOLDS, DIFFERS, CHANGED_SAME, CHANGED_DIFFERS, ALTERED, NEEDS_KEY)
FAILED = (ALTERED, NEEDS_KEY)  # the record could not be checked: exit 5


@dataclass
class Reverification:
    """Counts per answer, and the decisions that would now differ (or were altered)."""

    rulebase: dict[str, str]
    counts: Counter[str] = field(default_factory=Counter)
    differing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        return {"rulebase": self.rulebase, "total": self.total,
                "counts": {k: self.counts.get(k, 0) for k in KINDS},
                "differing": self.differing}

    def to_text(self) -> str:
        rb = self.rulebase
        lines = [f"re-verified {self.total:,} decisions against {rb['name']} {rb['version']} "
                 f"(sha256 {rb['sha256']})",
                 f"  holds                                  {self.counts[HOLDS]:>9,}",
                 f"  differs (same rulebase)                {self.counts[DIFFERS]:>9,}",
                 f"  rulebase changed, same decisions       {self.counts[CHANGED_SAME]:>9,}",
                 f"  rulebase changed, decisions differ     {self.counts[CHANGED_DIFFERS]:>9,}",
                 f"  record altered or unreadable           {self.counts[ALTERED]:>9,}",
                 f"  sealed with a key that was not given   {self.counts[NEEDS_KEY]:>9,}"]
        if self.differing:
            lines.append("")
            lines.append("decisions that would now differ:")
        for item in self.differing:
            lines.append(f"- {item['id']} case {item['case_id']} as of {item['as_of']} "
                         f"(recorded under {item['recorded_rulebase']}): {item['status']}")
            lines.extend(f"    {text}" for text in item["changes"])
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- one record

def check_one(rulebase: Rulebase, decision_id: str, blob: bytes, sha256: str,
              key: bytes | None = None, *, row: StoredBlob | None = None
              ) -> tuple[str, dict[str, Any] | None]:
    """The answer for one stored decision, and its entry for the differing list. A record
    that cannot be checked is named in its entry by the fields of its ``row``, if given."""
    try:
        raw = unpack_bytes(blob, sha256, decision_id)
        if holds_as_stored(raw, rulebase, key):
            return HOLDS, None
        answer = replay(check_stored(raw, key), rulebase, trace=False)
    except (IntegrityError, RecordError) as exc:
        kind = NEEDS_KEY if getattr(exc, "code", None) == codes.SR503 else ALTERED
        return kind, {"id": decision_id, **_named_by(row), "status": kind,
                      "changes": [str(exc)]}
    if answer.status == "holds":
        return HOLDS, None
    if answer.status == "rulebase-changed" and not answer.differences:
        return CHANGED_SAME, None
    kind = DIFFERS if answer.status == "differs" else CHANGED_DIFFERS
    rec = answer.recorded_rulebase
    return kind, {"id": decision_id, "case_id": answer.case_id, "as_of": answer.as_of,
                  "recorded_rulebase": _rulebase_text(rec["name"], rec["version"], rec["sha256"]),
                  "status": kind, "changes": [d.text for d in answer.differences],
                  "differences": [d.to_dict() for d in answer.differences]}


def check_row(rulebase: Rulebase, row: StoredBlob, key: bytes | None = None
              ) -> tuple[str, dict[str, Any] | None]:
    """:func:`check_one` for a decision as the log hands it out."""
    return check_one(rulebase, row.id, row.record, row.sha256, key, row=row)


def _named_by(row: StoredBlob | None) -> dict[str, str | None]:
    """The case, date and rulebase of a decision, as its row holds them."""
    if row is None:
        return {"case_id": None, "as_of": None, "recorded_rulebase": None}
    return {"case_id": row.case_id, "as_of": row.as_of.isoformat(),
            "recorded_rulebase": _rulebase_text(row.rulebase_name, row.rulebase_version,
                                                row.rulebase_sha256)}


def _rulebase_text(name: str, version: str, sha256: str) -> str:
    return f"{name} {version} ({sha256[:12]})"


_worker_rulebase: Rulebase | None = None
_worker_key: bytes | None = None


def _init(directory: str, sha256: str, key: bytes | None) -> None:
    global _worker_rulebase, _worker_key
    _worker_rulebase = load_rulebase(directory)
    _worker_key = key
    if _worker_rulebase.sha256 != sha256:
        raise RuntimeError("the rules changed while re-verification was starting")


def _check_chunk(chunk: list[StoredBlob]) -> list[tuple[str, dict[str, Any] | None]]:
    assert _worker_rulebase is not None
    return [check_row(_worker_rulebase, row, _worker_key) for row in chunk]


def _chunks(items: Iterator[StoredBlob], size: int) -> Iterator[list[StoredBlob]]:
    chunk: list[StoredBlob] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def reverify(log: DecisionLog, rulebase: Rulebase, filters: Filters | None = None, *,
             workers: int = 0, chunk_size: int = 100, key: bytes | None = None,
             advance: Callable[[int], None] | None = None) -> Reverification:
    """Replay every matching stored decision under ``rulebase`` (``workers`` processes;
    0 means one per core; ``key`` checks HMAC-keyed seals). ``advance(n)`` is called as
    records are done."""
    workers = workers if workers > 0 else (os.cpu_count() or 1)
    result = Reverification(rulebase.identity())

    def take(answers: list[tuple[str, dict[str, Any] | None]]) -> None:
        for kind, entry in answers:
            result.counts[kind] += 1
            if entry is not None:
                result.differing.append(entry)
        if advance is not None:
            advance(len(answers))

    chunks = _chunks(log.blobs(filters), chunk_size)
    if workers == 1:
        for chunk in chunks:
            take([check_row(rulebase, row, key) for row in chunk])
        return result
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init,
                      initargs=(rulebase.directory, rulebase.sha256, key)) as pool:
        # a bounded window of chunks in flight: the log is never read ahead into memory
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_check_chunk, (chunk,)))
            if len(pending) >= 3 * workers:
                take(pending.popleft().get())
        while pending:
            take(pending.popleft().get())
    return result
