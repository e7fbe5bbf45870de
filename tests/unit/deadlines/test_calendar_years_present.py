"""Reminders, like alphagov notifications-utils' bank-holiday test: they fail when the calendar runs out.

When one fails, add the government's announcement for that year to portal/deadlines/calendar_vn.json
(make-up working days, extra days off, sources) and set its status.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from portal.deadlines import load_calendar


def _this_year() -> int:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year


def test_calendar_table_has_next_year() -> None:
    next_year = _this_year() + 1
    status = load_calendar().year_status(next_year)
    assert status is not None, (
        f"calendar_vn.json has no entry for {next_year}: add it (status 'estimated' until the government "
        "announces the holidays, then 'confirmed')"
    )


def test_calendar_table_has_this_year_confirmed() -> None:
    this_year = _this_year()
    assert load_calendar().has_year(this_year), (
        f"the {this_year} calendar in calendar_vn.json is not confirmed: enter the official announcement"
    )
