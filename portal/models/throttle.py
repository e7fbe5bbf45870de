"""Attempt counters that slow down guessing (resume codes), shared by every worker process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime


class Throttle(db.Model):
    """Attempts per key in a fixed window (resume codes: per session and per client address, hashed)."""

    __tablename__ = "throttle"

    #: sha256 of scope and identifier, so no address is stored
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
