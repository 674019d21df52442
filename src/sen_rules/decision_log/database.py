"""Opening the decision log's database: SQLite (a file) or PostgreSQL, by URL.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit is on disk before it returns,
so a decision acknowledged as stored survives the process (or the machine) dying. Writes
take the write lock at ``BEGIN IMMEDIATE`` so concurrent writers queue (up to the busy
timeout) instead of failing half-way; reads do not take it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BUSY_TIMEOUT_MS = 30_000


class LogUrlError(ValueError):
    """The ``--log`` URL names no database this code can open."""


def normalize_url(url: str) -> str:
    """``sqlite:///file.db``, ``postgresql://...``, or a plain path (an SQLite file)."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def open_engine(url: str) -> Engine:
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError:
        raise LogUrlError(f"{url!r} is not a database URL (sqlite:///FILE or "
                          "postgresql://USER@HOST/DB)") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise LogUrlError("the decision log needs a file: sqlite:///PATH")
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise LogUrlError(f"the decision log runs on SQLite or PostgreSQL, not {backend!r}")


def _sqlite_engine(parsed: Any) -> Engine:
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                                 "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, explicitly
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        writing = conn.get_execution_options().get("sen_rules_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine
