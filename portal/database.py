"""Connection settings that make a receipt a promise: durable commits and one SQLite writer at a time."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session


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
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get(WRITE_OPTION):
        # Take the write lock at the start: a deferred transaction that read first and writes later
        # fails at once with SQLITE_BUSY instead of waiting, so concurrent filings would lose requests.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # reads never wait for a writer (WAL)
        connection.exec_driver_sql("BEGIN")


WRITE_OPTION = "portal_write"


def begin_write(session: Session | scoped_session) -> None:
    """Start the request's writing transaction; on SQLite it holds the write lock until commit.

    Anything read so far is released first (its objects reload on access), so the write starts from the
    latest committed state instead of failing on a stale read snapshot.
    """
    if isinstance(session, scoped_session):
        session = session()
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if session.in_transaction():
        connection = session.connection()
        if connection.get_execution_options().get(WRITE_OPTION):
            return
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})
