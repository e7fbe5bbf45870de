"""Working days and due dates for dossiers; pure Python, no Flask, no database."""

from portal.deadlines.calendar import (
    DEFAULT_OVERRIDES_PATH,
    CalendarDataError,
    CalendarOverrides,
    WorkingCalendar,
    YearOverrides,
    load_calendar,
    parse_overrides,
)
from portal.deadlines.rules import DeadlineRules, due_at, start_day

__all__ = [
    "DEFAULT_OVERRIDES_PATH",
    "CalendarDataError",
    "CalendarOverrides",
    "DeadlineRules",
    "WorkingCalendar",
    "YearOverrides",
    "due_at",
    "load_calendar",
    "parse_overrides",
    "start_day",
]
