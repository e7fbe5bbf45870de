"""The notification outbox: messages queued with the change that caused them, delivered after commit with retries.

`queue` flushes like every service. `deliver_pending` is a delivery loop, not a request: it commits after each
claim and each outcome, so that a message handed to the SMS gateway is never handed over again because a later
one failed, and so that no database lock is held while a gateway is slow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from portal.database import begin_write
from portal.extensions import db
from portal.logs import mask_personal_numbers
from portal.models import Notification, NotificationChannel, NotificationStatus
from portal.models.types import utcnow
from portal.notify import OutgoingMessage, Sender, load_sender

log = logging.getLogger("portal.notify")

#: a claimed message whose outcome was never written (a crash mid-send) is tried again after this
CLAIM_LEASE = timedelta(minutes=5)


def queue(*, channel: NotificationChannel, recipient: str, body: str, dedup_key: str) -> Notification | None:
    """Add a message to the outbox (flushed); None when a message with this dedup key was queued before."""
    if db.session.scalar(select(Notification.id).where(Notification.dedup_key == dedup_key)) is not None:
        return None
    notification = Notification(
        channel=str(channel),
        recipient=recipient,
        body=body,
        status=NotificationStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        dedup_key=dedup_key,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int, *, base_seconds: int) -> timedelta:
    """Delay before the next attempt after `attempts` failures: base, 2×base, 4×base, …"""
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


def _claim(notification_id: int, now: datetime) -> OutgoingMessage | None:
    begin_write(db.session)
    row = db.session.scalar(
        select(Notification)
        .where(Notification.id == notification_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if row is None or row.status != NotificationStatus.PENDING or row.next_attempt_at > now:
        db.session.commit()
        return None
    row.attempts += 1
    row.next_attempt_at = now + CLAIM_LEASE
    message = OutgoingMessage(id=row.id, channel=row.channel, recipient=row.recipient, body=row.body)
    db.session.commit()
    return message


def _record(notification_id: int, *, error: str | None, now: datetime, max_attempts: int, retry_seconds: int) -> str:
    begin_write(db.session)
    row = db.session.scalar(
        select(Notification).where(Notification.id == notification_id).execution_options(populate_existing=True)
    )
    if error is None:
        row.status = NotificationStatus.SENT
        row.sent_at = now
        row.last_error = None
    else:
        row.last_error = error[:500]
        if row.attempts >= max_attempts:
            row.status = NotificationStatus.FAILED
        else:
            row.next_attempt_at = now + backoff(row.attempts, base_seconds=retry_seconds)
    outcome = "sent" if error is None else row.status
    db.session.commit()
    return outcome


def deliver_pending(
    *,
    sender: Sender,
    now: datetime | None = None,
    max_attempts: int = 5,
    retry_seconds: int = 60,
    limit: int = 100,
    only: Iterable[int] | None = None,
) -> DeliveryReport:
    """Send the messages that are due (optionally only those ids); failures wait `backoff`, then give up.

    Commits (see the module docstring). A sender's exception never escapes: it is recorded as the attempt's error.
    """
    now = now or utcnow()
    query = (
        select(Notification.id)
        .where(Notification.status == NotificationStatus.PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.id)
        .limit(limit)
    )
    if only is not None:
        query = query.where(Notification.id.in_(list(only)))
    ids = list(db.session.scalars(query))
    report = DeliveryReport()
    for notification_id in ids:
        message = _claim(notification_id, now)
        if message is None:
            continue
        error = None
        try:
            sender.send(message)
        except Exception as failure:  # any sender failure is one failed attempt
            error = mask_personal_numbers(f"{type(failure).__name__}: {failure}")
        outcome = _record(notification_id, error=error, now=now, max_attempts=max_attempts, retry_seconds=retry_seconds)
        if outcome == "sent":
            report.sent += 1
        elif outcome == NotificationStatus.FAILED:
            report.failed += 1
            log.warning("notification failed for good", extra={"event": "notification_failed"})
        else:
            report.retrying += 1
    return report


def purge_finished(*, cutoff: datetime) -> int:
    """Delete sent and failed messages created before `cutoff`: their bodies can hold resume codes (flushes)."""
    result = db.session.execute(
        delete(Notification).where(
            Notification.status.in_([NotificationStatus.SENT, NotificationStatus.FAILED]),
            Notification.created_at < cutoff,
        )
    )
    db.session.flush()
    return int(result.rowcount or 0)


def configured_sender() -> Sender:
    return load_sender(current_app.config["NOTIFY_SENDER"], instance_dir=current_app.instance_path)


def deliver_with_settings(*, now: datetime | None = None, only: Iterable[int] | None = None) -> DeliveryReport:
    """deliver_pending with the app's sender and retry settings."""
    config = current_app.config
    return deliver_pending(
        sender=configured_sender(),
        now=now,
        max_attempts=config["NOTIFY_MAX_ATTEMPTS"],
        retry_seconds=config["NOTIFY_RETRY_SECONDS"],
        only=only,
    )


def deliver_quietly(ids: Iterable[int]) -> None:
    """Try to deliver these just-committed messages now; any problem is logged and left to the CLI's next run."""
    ids = list(ids)
    if not ids or not current_app.config.get("NOTIFY_AFTER_REQUEST"):
        return
    try:
        deliver_with_settings(only=ids)
    except Exception:
        db.session.rollback()
        log.warning("immediate notification delivery failed; left in the outbox", exc_info=True)
