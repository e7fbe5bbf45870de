"""`flask notifications …`: delivering the outbox (run it from cron every minute or two)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

notifications_group = AppGroup("notifications", help="The outbox of SMS and e-mail messages to citizens.")


@notifications_group.command("send")
def send() -> None:
    """Deliver the messages that are due; failures are retried later with a growing delay."""
    from portal.services.notifications import deliver_with_settings

    report = deliver_with_settings()
    click.echo(f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed")


@notifications_group.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True, help="Keep what is newer.")
def purge(days: int) -> None:
    """Delete sent and failed messages older than this many days (pending ones are kept)."""
    from datetime import timedelta

    from portal.database import begin_write
    from portal.extensions import db
    from portal.models.types import utcnow
    from portal.services.notifications import purge_finished

    begin_write(db.session)
    removed = purge_finished(cutoff=utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"{removed} finished message(s) removed")
