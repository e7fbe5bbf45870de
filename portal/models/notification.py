"""Messages to citizens waiting in the outbox (SMS, e-mail), delivered after the commit that queued them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


class NotificationChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    """One message to one recipient, queued in the transaction that caused it and delivered after commit."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    #: phone number in national form, or e-mail address; never written to the logs
    recipient: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING, index=True)
    #: delivery attempts started so far
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: not before this; a claimed message is pushed forward by a lease, a failed one by the backoff
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the sender's last complaint, without personal numbers
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: what the message is about (e.g. "draft-resume:42"); the same message is never queued twice
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
