"""`flask maintenance …`: daily housekeeping an operator schedules (cron or a systemd timer)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

maintenance_group = AppGroup("maintenance", help="Housekeeping: uploads nobody filed, expired drafts.")


@maintenance_group.command("collect-uploads")
@click.option(
    "--hours",
    type=click.IntRange(min=1),
    default=24,
    show_default=True,
    help="Only what is older than this many hours.",
)
def collect_uploads(hours: int) -> None:
    """Delete uploads that belong to no dossier and no open draft (cut uploads, abandoned forms)."""
    from datetime import timedelta

    from portal.services.uploads import collect_orphans

    removed = collect_orphans(upload_dir=current_app.config["UPLOAD_DIR"], older_than=timedelta(hours=hours))
    db.session.commit()
    click.echo(f"{removed} orphan upload(s) removed")


@maintenance_group.command("collect-drafts")
def collect_drafts() -> None:
    """Delete drafts past their expiry (DRAFT_LIFETIME_DAYS after the last save) with their uploads."""
    from datetime import timedelta

    from portal.database import begin_write
    from portal.models.types import utcnow
    from portal.services.drafts import delete_expired
    from portal.services.throttle import forget_older_than

    begin_write(db.session)
    removed = delete_expired(upload_dir=current_app.config["UPLOAD_DIR"])
    forget_older_than(utcnow() - timedelta(days=1))
    db.session.commit()
    click.echo(f"{removed} expired draft(s) removed")
