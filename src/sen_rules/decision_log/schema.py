"""The decision log's tables and their versioned migrations.

A small migration table of our own rather than Alembic: the log has two tables, the
migrations must run unattended when a server or ``sen-rules log`` opens the database
(from an installed wheel, with no migrations directory or ``alembic.ini`` to ship), and the
same code must work on SQLite and PostgreSQL. Each migration is a numbered step applied
in one transaction together with the row that records it, under a lock (an exclusive
SQLite transaction, a PostgreSQL advisory lock), so two processes starting together
cannot both apply it and a failed step leaves the schema as it was. A database written by
a newer version (a higher number than this code knows) is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
    text,
)

metadata = MetaData()

# sqlite only makes an INTEGER PRIMARY KEY an alias of the rowid (autoincrementing)
_ID = BigInteger().with_variant(Integer(), "sqlite")

schema_version = Table(
    "sen_rules_schema", metadata,
    Column("version", Integer, primary_key=True),
    Column("description", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("seq", _ID, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),  # the public identifier
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("case_id", String(200), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("rulebase_name", String(200), nullable=False),
    Column("rulebase_version", String(100), nullable=False),
    Column("rulebase_sha256", String(64), nullable=False),
    Column("package_version", String(50), nullable=False),
    Column("backend", String(20), nullable=False),
    Column("seal_algorithm", String(20), nullable=False),
    Column("seal_digest", String(64), nullable=False),
    Column("record_sha256", String(64), nullable=False),  # of the stored record text
    Column("record", LargeBinary, nullable=False),  # the record's text, zlib-compressed
    Index("ix_decisions_recorded_at", "recorded_at"),
    Index("ix_decisions_case_id", "case_id"),
    Index("ix_decisions_as_of", "as_of"),
    Index("ix_decisions_rulebase_version", "rulebase_version"),
)

outcomes = Table(
    "decision_outcomes", metadata,
    Column("decision_seq", _ID, ForeignKey("decisions.seq", ondelete="CASCADE"),
           primary_key=True),
    Column("area", String(100), primary_key=True),
    Column("outcome", String(100), nullable=True),  # None: the area made no decision
    Index("ix_outcomes_area_outcome", "area", "outcome"),
)


def _create_v1(conn: Connection) -> None:
    decisions.create(conn)
    outcomes.create(conn)


Migration = tuple[int, str, Callable[[Connection], None]]
MIGRATIONS: tuple[Migration, ...] = (
    (1, "decisions and their outcomes per area", _create_v1),
)
LATEST = MIGRATIONS[-1][0]


class SchemaError(RuntimeError):
    """The database's schema is newer than this code, or cannot be migrated."""


def current_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, schema_version.name):
        return 0
    found = conn.execute(select(schema_version.c.version)
                         .order_by(schema_version.c.version.desc()).limit(1)).scalar()
    return int(found or 0)


def migrate(conn: Connection) -> list[int]:
    """Apply the migrations this database lacks, in order, in the caller's transaction.

    Returns the versions applied. The caller holds the transaction (see ``lock``).
    """
    from datetime import UTC, datetime

    lock(conn)
    schema_version.create(conn, checkfirst=True)
    have = current_version(conn)
    if have > LATEST:
        raise SchemaError(f"the decision log has schema version {have}, newer than this "
                          f"version of sen-rules understands ({LATEST}); upgrade sen-rules")
    applied = []
    for version, description, step in MIGRATIONS:
        if version > have:
            step(conn)
            conn.execute(schema_version.insert().values(
                version=version, description=description, applied_at=datetime.now(UTC)))
            applied.append(version)
    return applied


def lock(conn: Connection) -> None:
    """Serialize migrations between processes for the rest of the transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(725001)"))
    elif conn.dialect.name == "sqlite":
        # a write lock now, not at the first write (BEGIN IMMEDIATE is issued by the engine)
        conn.execute(text("CREATE TABLE IF NOT EXISTS sen_rules_lock (x INTEGER)"))
