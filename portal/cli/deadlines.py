"""`flask deadlines …`: due moments and the working-day calendar under the installation's settings.

Settings are read from app.config when present, with the portal's defaults otherwise:
DEADLINE_CUTOFF ("15:00"), DEADLINE_CLOSE ("17:00"), DEADLINE_USE_CUTOFF (on),
DEADLINE_TIMEZONE ("Asia/Ho_Chi_Minh"), DEADLINE_INCLUDE_CULTURE_DAY (off),
DEADLINE_CALENDAR_PATH (the packaged portal/deadlines/calendar_vn.json).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from portal.deadlines import CalendarDataError, DeadlineRules, WorkingCalendar, due_at, load_calendar

deadlines_group = AppGroup("deadlines", help="Working-day calendar and due dates (ngày làm việc, thời hạn).")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _parse_received(ctx: click.Context, param: click.Parameter, value: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is local time, which the command attaches later."""
    # A callback rather than a ParamType subclass: ParamType became generic only in recent Click releases.
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date-time; write e.g. 2026-02-13T09:00 (local time) "
            "or 2026-02-13T02:00+00:00",
            ctx,
            param,
        ) from None


def _setting_bool(config: Mapping[str, Any], key: str, default: bool) -> bool:
    # Environment-fed settings arrive as strings; "0" must not read as true.
    value = config.get(key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise click.ClickException(f"setting {key}={value!r} is not a yes/no value")


def _setting_time(config: Mapping[str, Any], key: str, default: time) -> time:
    value = config.get(key, default)
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise click.ClickException(f"setting {key}={value!r} is not a time such as 15:00") from None


def _calendar(config: Mapping[str, Any]) -> WorkingCalendar:
    path = config.get("DEADLINE_CALENDAR_PATH")
    try:
        return load_calendar(
            include_culture_day=_setting_bool(config, "DEADLINE_INCLUDE_CULTURE_DAY", False),
            overrides_path=Path(path) if path else None,
        )
    except CalendarDataError as exc:
        raise click.ClickException(str(exc)) from None


def _rules(config: Mapping[str, Any], use_cutoff: bool | None) -> DeadlineRules:
    """The installation's rules; `use_cutoff` from the procedure, when it says, beats the setting."""
    if use_cutoff is None:
        use_cutoff = _setting_bool(config, "DEADLINE_USE_CUTOFF", True)
    try:
        return DeadlineRules(
            cutoff=_setting_time(config, "DEADLINE_CUTOFF", time(15, 0)),
            close=_setting_time(config, "DEADLINE_CLOSE", time(17, 0)),
            tz=str(config.get("DEADLINE_TIMEZONE", "Asia/Ho_Chi_Minh")),
            use_cutoff=use_cutoff,
        )
    except (ValueError, LookupError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise click.ClickException(f"deadline settings: {exc}") from None


def _procedure_settings(code: str) -> tuple[int, bool | None]:
    """processing_days and the optional `deadline.cutoff` switch of the procedure's current version."""
    # Imported here so that `deadlines calendar` and `deadlines due --days` work without the models.
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Procedure

    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None or procedure.current_version is None:
        raise click.ClickException(f"no published procedure with code {code!r}")
    meta = procedure.current_version.meta
    days = meta.get("processing_days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise click.ClickException(f"procedure {code!r} has no valid processing_days ({days!r})")
    deadline = meta.get("deadline")
    cutoff = deadline.get("cutoff") if isinstance(deadline, dict) else None
    return days, cutoff if isinstance(cutoff, bool) else None


def _warn_unconfirmed(cal: WorkingCalendar, first: date, last: date) -> None:
    # On stderr, so that scripts reading the answer from stdout are not disturbed.
    for year in range(first.year, last.year + 1):
        if not cal.has_year(year):
            state = "estimated" if cal.year_status(year) == "estimated" else "missing"
            click.echo(
                f"warning: the {year} calendar is {state}, not confirmed; add the government's announcement "
                "to the calendar table (DEADLINE_CALENDAR_PATH)",
                err=True,
            )


@deadlines_group.command("due")
@click.option("--received", metavar="DATETIME", required=True, callback=_parse_received, help="Receipt time, ISO 8601.")
@click.option("--days", type=click.IntRange(min=0), help="Time limit in working days (0 = same day).")
@click.option("--procedure", "procedure_code", help="Procedure code: its processing_days and cut-off.")
def due_command(received: datetime, days: int | None, procedure_code: str | None) -> None:
    """Print the due moment of a dossier, ISO 8601 with offset (e.g. 2026-02-25T17:00:00+07:00)."""
    config = current_app.config
    use_cutoff: bool | None = None
    if procedure_code is not None:
        procedure_days, use_cutoff = _procedure_settings(procedure_code)
        if days is None:
            days = procedure_days
    if days is None:
        raise click.UsageError("give --days or --procedure")
    rules = _rules(config, use_cutoff)
    if received.tzinfo is None:
        received = received.replace(tzinfo=rules.zone)
    cal = _calendar(config)
    due = due_at(received, days, cal, rules)
    _warn_unconfirmed(cal, received.astimezone(rules.zone).date(), due.date())
    click.echo(due.isoformat())


@deadlines_group.command("calendar")
@click.argument("year", type=click.IntRange(1995, 2199))
def calendar_command(year: int) -> None:
    """Print the days off and make-up working days of YEAR, one per line, sorted.

    Each line is tab-separated: ISO date, "nghỉ" (day off) or "làm bù" (make-up working day), the name.
    Ordinary weekends are not listed.
    """
    cal = _calendar(current_app.config)
    rows = [(day, "nghỉ", name) for day, name in cal.non_working_days(year)]
    rows += [(day, "làm bù", name) for day, name in cal.makeup_working_days(year)]
    for day, kind, name in sorted(rows):
        click.echo(f"{day.isoformat()}\t{kind}\t{name}")
    _warn_unconfirmed(cal, date(year, 1, 1), date(year, 1, 1))
