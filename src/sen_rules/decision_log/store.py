"""The decision log: sealed decision records, stored whole or not at all.

Each decision is one row holding the record's exact text (compressed) and the sha256 of
that text, with the fields auditors filter by copied out beside it, and one row per
policy area with its outcome; both are written in one transaction, so a decision is
either entirely present or absent. :meth:`DecisionLog.store` returns only after the
commit: an id the service hands out is durable.
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, and_, exists, func, select

from ..audit.record import record_to_json
from .database import open_engine
from .schema import decisions, migrate, outcomes

SUMMARY_COLUMNS = (decisions.c.seq, decisions.c.id, decisions.c.recorded_at,
                   decisions.c.case_id, decisions.c.as_of, decisions.c.rulebase_name,
                   decisions.c.rulebase_version, decisions.c.rulebase_sha256,
                   decisions.c.package_version, decisions.c.backend)


class IntegrityError(RuntimeError):
    """A stored row does not hold the record it says it holds."""


@dataclass(frozen=True)
class Filters:
    """What an auditor narrows the log to (every field optional; all must hold)."""

    recorded_from: date | None = None  # the day the decision was made, inclusive
    recorded_until: date | None = None
    as_of_from: date | None = None  # the evaluation date, inclusive
    as_of_until: date | None = None
    area: str | None = None
    outcome: str | None = None
    rulebase_version: str | None = None
    rulebase_sha256: str | None = None
    case_id: str | None = None


@dataclass(frozen=True)
class Summary:
    """One stored decision without its record."""

    seq: int
    id: str
    recorded_at: datetime
    case_id: str
    as_of: date
    rulebase: Mapping[str, str]
    package_version: str
    backend: str
    outcomes: Mapping[str, str | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "recorded_at": iso_utc(self.recorded_at),
                "case_id": self.case_id, "as_of": self.as_of.isoformat(),
                "rulebase": dict(self.rulebase), "package_version": self.package_version,
                "backend": self.backend, "outcomes": dict(self.outcomes)}


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back the UTC time without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pack(text: str) -> tuple[bytes, str]:
    data = text.encode("utf-8")
    return zlib.compress(data, 6), hashlib.sha256(data).hexdigest()


def unpack(blob: bytes, sha256: str, decision_id: str) -> str:
    """The stored record text, checked against its digest."""
    return unpack_bytes(blob, sha256, decision_id).decode("utf-8")


def unpack_bytes(blob: bytes, sha256: str, decision_id: str) -> bytes:
    """The stored record's UTF-8 bytes, checked against their digest."""
    try:
        data = zlib.decompress(blob)
    except zlib.error:
        raise IntegrityError(f"decision {decision_id}: the stored record is damaged") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise IntegrityError(f"decision {decision_id}: the stored record does not match "
                             "its sha256")
    return data


class StoredBlob(NamedTuple):
    """A stored decision as re-verification reads it: its record still compressed, and
    the fields its row holds beside it (which name the decision when its record cannot be
    read or checked)."""

    id: str
    record: bytes
    sha256: str
    case_id: str
    as_of: date
    rulebase_name: str
    rulebase_version: str
    rulebase_sha256: str


@dataclass(frozen=True)
class Prepared:
    """A record made ready to store (compressed, its fields copied out): the work that
    needs no database, which can be done in another process."""

    row: dict[str, Any]
    outcomes: dict[str, str | None]


def prepare(record: Mapping[str, Any], text: str | None = None) -> Prepared:
    text = text if text is not None else record_to_json(record)
    blob, digest = pack(text)
    rb = record["rulebase"]
    return Prepared(
        row={
            "id": str(uuid.uuid4()),
            "case_id": str(record["case"]["child"]["id"]),
            "as_of": date.fromisoformat(record["as_of"]),
            "rulebase_name": rb["name"], "rulebase_version": rb["version"],
            "rulebase_sha256": rb["sha256"],
            "package_version": record["package"]["version"],
            "backend": record["backend"],
            "seal_algorithm": record["seal"]["algorithm"],
            "seal_digest": record["seal"]["digest"],
            "record_sha256": digest,
            "record": blob,
        },
        outcomes={d["topic"]: d.get("outcome") for d in record["evaluation"]["decisions"]})


class DecisionLog:
    """A decision log on SQLite or PostgreSQL (see :func:`open_engine` for URLs)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = open_engine(url)
        self.dialect = self.engine.dialect.name
        with self._write() as conn:
            migrate(conn)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed when the block ends."""
        with self.engine.connect().execution_options(sen_rules_write=True) as conn, \
                conn.begin():
            yield conn

    # ------------------------------------------------------------------ writing
    def store(self, record: Mapping[str, Any], text: str | None = None) -> Summary:
        """Store a sealed record; returns once it is committed."""
        return self.store_prepared([prepare(record, text)])[0]

    def store_prepared(self, items: Sequence[Prepared]) -> list[Summary]:
        """Store many prepared records in one transaction (all or none)."""
        stored = []
        with self._write() as conn:
            for item in items:
                row = {**item.row, "recorded_at": datetime.now(UTC)}
                seq = conn.execute(decisions.insert().returning(decisions.c.seq),
                                   row).scalar_one()
                if item.outcomes:
                    conn.execute(outcomes.insert(), [
                        {"decision_seq": seq, "area": area, "outcome": outcome}
                        for area, outcome in item.outcomes.items()])
                stored.append(Summary(
                    seq, row["id"], row["recorded_at"], row["case_id"], row["as_of"],
                    {"name": row["rulebase_name"], "version": row["rulebase_version"],
                     "sha256": row["rulebase_sha256"]}, row["package_version"],
                    row["backend"], item.outcomes))
        return stored

    # ------------------------------------------------------------------ reading
    def _where(self, f: Filters | None) -> list[Any]:
        f = f or Filters()
        c = decisions.c
        conds: list[Any] = []
        if f.recorded_from:
            conds.append(c.recorded_at >= _start_of(f.recorded_from))
        if f.recorded_until:
            until = _day_after(f.recorded_until)
            if until is not None:  # after the calendar's last day: no upper bound
                conds.append(c.recorded_at < until)
        if f.as_of_from:
            conds.append(c.as_of >= f.as_of_from)
        if f.as_of_until:
            conds.append(c.as_of <= f.as_of_until)
        if f.rulebase_version:
            conds.append(c.rulebase_version == f.rulebase_version)
        if f.rulebase_sha256:
            conds.append(c.rulebase_sha256 == f.rulebase_sha256)
        if f.case_id:
            conds.append(c.case_id == f.case_id)
        if f.area or f.outcome:
            sub = [outcomes.c.decision_seq == c.seq]
            if f.area:
                sub.append(outcomes.c.area == f.area)
            if f.outcome:
                sub.append(outcomes.c.outcome == f.outcome)
            conds.append(exists().where(and_(*sub)))
        return conds

    def count(self, filters: Filters | None = None) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).select_from(decisions).where(*self._where(filters))
            return int(conn.execute(query).scalar_one())

    def summaries(self, filters: Filters | None = None, *, limit: int = 100,
             before: int | None = None) -> list[Summary]:
        """The newest decisions first; ``before`` continues after the last ``seq`` seen."""
        conds = self._where(filters)
        if before is not None:
            conds.append(decisions.c.seq < before)
        query = (select(*SUMMARY_COLUMNS).where(*conds)
                 .order_by(decisions.c.seq.desc()).limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            return self._with_outcomes(conn, rows)

    def _with_outcomes(self, conn: Connection, rows: Any) -> list[Summary]:
        by_seq: dict[int, dict[str, str | None]] = {row.seq: {} for row in rows}
        if by_seq:
            found = conn.execute(select(outcomes).where(
                outcomes.c.decision_seq.in_(list(by_seq))))
            for o in found:
                by_seq[o.decision_seq][o.area] = o.outcome
        return [Summary(r.seq, r.id, r.recorded_at, r.case_id, r.as_of,
                        {"name": r.rulebase_name, "version": r.rulebase_version,
                         "sha256": r.rulebase_sha256}, r.package_version, r.backend,
                        by_seq[r.seq]) for r in rows]

    def get(self, decision_id: str) -> tuple[Summary, str] | None:
        """A decision and its record's exact text (checked against its digest)."""
        query = select(*SUMMARY_COLUMNS, decisions.c.record, decisions.c.record_sha256).where(
            decisions.c.id == decision_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            summary = self._with_outcomes(conn, [row])[0]
        return summary, unpack(row.record, row.record_sha256, row.id)

    def blobs(self, filters: Filters | None = None, chunk: int = 2_000
              ) -> Iterator[StoredBlob]:
        """Every matching decision (its compressed record, its sha256 and the fields of
        its row), oldest first, read in chunks (the log never has to fit in memory)."""
        after = 0
        while True:
            rows = self._blob_page([*self._where(filters), decisions.c.seq > after],
                                   newest_first=False, size=chunk)
            if not rows:
                return
            yield from map(_blob, rows)
            after = rows[-1].seq

    def _blob_page(self, conds: list[Any], *, newest_first: bool, size: int) -> list[Any]:
        """One page of rows (seq, the fields of a :class:`StoredBlob`), in order of storage."""
        order = decisions.c.seq.desc() if newest_first else decisions.c.seq
        c = decisions.c
        query = (select(c.seq, c.id, c.record, c.record_sha256, c.case_id, c.as_of,
                        c.rulebase_name, c.rulebase_version, c.rulebase_sha256)
                 .where(*conds).order_by(order).limit(size))
        with self.engine.connect() as conn:
            return list(conn.execute(query).all())

    def newest_blobs(self, filters: Filters | None = None, limit: int = 1000,
                     page: int = 500) -> Iterator[StoredBlob]:
        """The ``limit`` newest matching decisions (as :meth:`blobs`), newest first, read
        in pages."""
        before: int | None = None
        while limit > 0:
            conds = self._where(filters)
            if before is not None:
                conds.append(decisions.c.seq < before)
            rows = self._blob_page(conds, newest_first=True, size=min(page, limit))
            if not rows:
                return
            yield from map(_blob, rows)
            limit -= len(rows)
            before = rows[-1].seq

    def records(self, filters: Filters | None = None) -> Iterator[tuple[str, str]]:
        """``(id, record text)`` of every matching decision, oldest first."""
        for row in self.blobs(filters):
            yield row.id, unpack(row.record, row.sha256, row.id)


def _blob(row: Any) -> StoredBlob:
    return StoredBlob(row.id, row.record, row.record_sha256, row.case_id, row.as_of,
                      row.rulebase_name, row.rulebase_version, row.rulebase_sha256)


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _day_after(day: date) -> datetime | None:
    """The start of the day after ``day`` (UTC); None after the calendar's last day."""
    if day == date.max:
        return None
    return _start_of(date.fromordinal(day.toordinal() + 1))
