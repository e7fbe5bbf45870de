"""Command-line groups: `flask forms …`, `flask deadlines …`, `flask maintenance …`, `flask notifications …`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.cli.deadlines import deadlines_group
    from portal.cli.forms import forms_group
    from portal.cli.maintenance import maintenance_group
    from portal.cli.notifications import notifications_group

    app.cli.add_command(forms_group)
    app.cli.add_command(deadlines_group)
    app.cli.add_command(maintenance_group)
    app.cli.add_command(notifications_group)
