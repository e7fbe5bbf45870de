"""The installation's working-day calendar, loaded once per app, and the moments citizens are told about."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from flask import current_app

from portal.deadlines import DeadlineRules, WorkingCalendar, due_at, load_calendar


def installation_calendar() -> WorkingCalendar:
    cached = current_app.extensions.get("portal.calendar")
    if cached is None:
        path = current_app.config.get("DEADLINE_CALENDAR_PATH")
        cached = load_calendar(
            include_culture_day=bool(current_app.config.get("DEADLINE_INCLUDE_CULTURE_DAY", False)),
            overrides_path=Path(path) if path else None,
        )
        current_app.extensions["portal.calendar"] = cached
    return cached


def installation_rules() -> DeadlineRules:
    return DeadlineRules(cutoff=time(15, 0), close=time(17, 0), tz="Asia/Ho_Chi_Minh", use_cutoff=True)


def desk_check_by(submitted_at: datetime) -> datetime:
    """When the one-stop desk must have checked an online dossier: close of the day counting starts."""
    return due_at(submitted_at, 0, installation_calendar(), installation_rules())
