"""Counting attempts per key in a fixed window, in the database so that every worker process sees the same count."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import Throttle
from portal.models.types import UTCDateTime, utcnow


def throttle_key(scope: str, identifier: str) -> str:
    """A fixed-length key that does not store the identifier itself (a client address is personal data)."""
    return hashlib.sha256(f"{scope}\x00{identifier}".encode()).hexdigest()


def hit(key: str, *, window: timedelta, now: datetime | None = None) -> int:
    """Count one attempt under `key` and return the attempts in the current window, this one included (flushes).

    One atomic upsert, so two concurrent attempts never both read the old count.
    """
    now = now or utcnow()
    expired = Throttle.__table__.c.window_start <= now - window
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Throttle).values(key=key, window_start=now, hits=1)
    statement = statement.on_conflict_do_update(
        index_elements=[Throttle.key],
        set_={
            "hits": case((expired, 1), else_=Throttle.__table__.c.hits + 1),
            "window_start": case((expired, literal(now, UTCDateTime)), else_=Throttle.__table__.c.window_start),
        },
    ).returning(Throttle.hits)
    return int(db.session.execute(statement).scalar_one())


def forget_older_than(cutoff: datetime) -> int:
    """Delete counters whose window started before `cutoff` (housekeeping); returns how many."""
    result = db.session.execute(delete(Throttle).where(Throttle.window_start < cutoff))
    return int(result.rowcount or 0)
