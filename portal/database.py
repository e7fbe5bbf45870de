"""Connection settings that make a receipt a promise: durable commits and one SQLite writer at a time."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: how long an SQLite writer waits for the lock before the request answers 503
SQLITE_BUSY_TIMEOUT_MS = 5000


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record) -> None:
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    # pysqlite's own transaction handling would BEGIN lazily (DEFERRED); we issue BEGIN IMMEDIATE ourselves
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a dossier whose receipt was shown survives a power cut (NORMAL may lose the last commits in WAL)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        # Take the write lock at the start: a deferred transaction that read first and writes later
        # fails at once with SQLITE_BUSY instead of waiting, so concurrent filings would lose requests.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
