"""The Vietnamese working-day calendar: public holidays from `holidays`, corrected by an admin-edited table.

The `holidays` package knows the statutory holidays and some swap days but not the make-up Saturdays (ngày
làm bù), and its future years are estimates; the override table (calendar_vn.json) records each year's
government announcement and says which years are confirmed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

import holidays

__all__ = [
    "DEFAULT_OVERRIDES_PATH",
    "CalendarDataError",
    "CalendarOverrides",
    "WorkingCalendar",
    "YearOverrides",
    "load_calendar",
    "parse_overrides",
]

DEFAULT_OVERRIDES_PATH: Final = Path(__file__).with_name("calendar_vn.json")

YearStatus = Literal["confirmed", "estimated"]
_STATUSES: Final[frozenset[str]] = frozenset({"confirmed", "estimated"})
_YEAR_KEYS: Final[frozenset[str]] = frozenset({"status", "sources", "makeup_working_days", "extra_days_off"})
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# `holidays` names 24/11 "Vietnam Cultural Day" in English (and "... (observed)" for its weekday substitute).
# The English names are matched because they are the package's stable identifiers; the Vietnamese ones are
# translations that may be reworded.
_CULTURE_DAY_EN: Final = "Vietnam Cultural Day"

# No stretch of Vietnamese holidays comes near this; reaching it means the data is broken, not a long Tết.
_MAX_CONSECUTIVE_DAYS_OFF: Final = 60


class CalendarDataError(ValueError):
    """The override table cannot be read: the message names the file, the place in it and what is wrong."""


@dataclass(frozen=True)
class YearOverrides:
    """One year's announcement: make-up working days and extra days off, each with its Vietnamese name."""

    status: YearStatus
    makeup_working_days: Mapping[date, str] = field(default_factory=dict)
    extra_days_off: Mapping[date, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarOverrides:
    """The whole override table, by year."""

    years: Mapping[int, YearOverrides] = field(default_factory=dict)


def _is_culture_day(english_name: str) -> bool:
    return english_name == _CULTURE_DAY_EN or english_name.startswith(f"{_CULTURE_DAY_EN} (")


class WorkingCalendar:
    """Which days the one-stop shops work: Monday to Friday and make-up Saturdays, minus days off."""

    def __init__(self, overrides: CalendarOverrides | None = None, *, include_culture_day: bool = False) -> None:
        self.overrides = overrides or CalendarOverrides()
        self.include_culture_day = include_culture_day
        # A swap announced in one year's table may fall in the next (a Tết make-up day in late December),
        # so lookups go by date across all years.
        self._makeup: dict[date, str] = {}
        self._extra_off: dict[date, str] = {}
        for year_overrides in self.overrides.years.values():
            self._makeup.update(year_overrides.makeup_working_days)
            self._extra_off.update(year_overrides.extra_days_off)
        # Each year's package holidays are computed once: a dozen dates, asked for on every deadline.
        self._package_days: dict[int, dict[date, str]] = {}

    def _holidays_of(self, year: int) -> dict[date, str]:
        days = self._package_days.get(year)
        if days is None:
            days = {}
            names_vi = holidays.country_holidays("VN", years=year, language="vi")
            names_en = holidays.country_holidays("VN", years=year, language="en_US")
            for day in sorted(names_vi):
                if day.year != year:
                    continue
                # Both objects are built by the same code in the same order, so the names line up.
                kept = [
                    vi
                    for vi, en in zip(names_vi.get_list(day), names_en.get_list(day), strict=True)
                    if self.include_culture_day or not _is_culture_day(en)
                ]
                if kept:
                    days[day] = "; ".join(kept)
            self._package_days[year] = days
        return days

    def is_working_day(self, day: date) -> bool:
        """True on Monday–Friday that is not a day off, and on a make-up working day whatever its weekday."""
        if day in self._makeup:
            return True
        if day in self._extra_off or day in self._holidays_of(day.year):
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        candidate = day
        for _ in range(_MAX_CONSECUTIVE_DAYS_OFF):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarDataError(f"no working day within {_MAX_CONSECUTIVE_DAYS_OFF} days after {day}")

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (`day` itself is not counted); `day` when n is 0.

        Raises ValueError when n is negative.
        """
        if n < 0:
            raise ValueError(f"the number of working days must be 0 or more, not {n}")
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def non_working_days(self, year: int) -> list[tuple[date, str]]:
        """The named days off of `year` (holidays and announced extra days off), sorted; weekends not listed.

        A holiday that falls on a weekend is listed too: it has a name and its substitute is listed as well.
        """
        days = dict(self._holidays_of(year))
        # The announcement's wording wins over the package's for the same date.
        days.update((day, name) for day, name in self._extra_off.items() if day.year == year)
        return sorted((day, name) for day, name in days.items() if day not in self._makeup)

    def makeup_working_days(self, year: int) -> list[tuple[date, str]]:
        """The make-up working days (ngày làm bù) of `year`, sorted."""
        return sorted((day, name) for day, name in self._makeup.items() if day.year == year)

    def year_status(self, year: int) -> YearStatus | None:
        """The year's status in the override table ("confirmed" or "estimated"); None when it is missing."""
        year_overrides = self.overrides.years.get(year)
        return None if year_overrides is None else year_overrides.status

    def has_year(self, year: int) -> bool:
        """True only when the override table holds the government's confirmed calendar for `year`."""
        return self.year_status(year) == "confirmed"


def _parse_named_days(raw: Any, where: str, year: int) -> dict[date, str]:
    if not isinstance(raw, list):
        raise CalendarDataError(f'{where}: expected a list of {{"date": ..., "name": ...}}')
    days: dict[date, str] = {}
    for index, entry in enumerate(raw):
        at = f"{where}/{index}"
        if not isinstance(entry, dict) or set(entry) != {"date", "name"}:
            raise CalendarDataError(f'{at}: expected exactly the keys "date" and "name"')
        text, name = entry["date"], entry["name"]
        try:
            # fromisoformat alone would also take week dates ("2026-W01-1") and basic form ("20260101")
            day = date.fromisoformat(text) if isinstance(text, str) and _ISO_DATE.fullmatch(text) else None
        except ValueError:
            day = None
        if day is None:
            raise CalendarDataError(f"{at}/date: {text!r} is not a date written YYYY-MM-DD")
        # A swap may reach into the neighbouring year, but a date further away is a typo.
        if abs(day.year - year) > 1:
            raise CalendarDataError(f"{at}/date: {text} is too far from the year {year}")
        if not isinstance(name, str) or not name.strip():
            raise CalendarDataError(f"{at}/name: give the day's name in Vietnamese")
        if day in days:
            raise CalendarDataError(f"{at}/date: {text} is listed twice")
        days[day] = name.strip()
    return days


def parse_overrides(data: Any, source: str = "overrides") -> CalendarOverrides:
    """Check and convert the decoded JSON of an override table; `source` prefixes every error message.

    Raises CalendarDataError naming the JSON Pointer of the first problem.
    """
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise CalendarDataError(f'{source}: expected an object with a "years" object')
    years: dict[int, YearOverrides] = {}
    seen_makeup: dict[date, str] = {}
    seen_off: dict[date, str] = {}
    for key, raw in data["years"].items():
        where = f"{source}: /years/{key}"
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise CalendarDataError(f"{where}: a year is written as four digits")
        year = int(key)
        if not isinstance(raw, dict):
            raise CalendarDataError(f"{where}: expected an object")
        unknown = set(raw) - _YEAR_KEYS
        if unknown:
            raise CalendarDataError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_YEAR_KEYS)}")
        status = raw.get("status")
        if status not in _STATUSES:
            raise CalendarDataError(f'{where}/status: must be "confirmed" or "estimated", not {status!r}')
        sources = raw.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise CalendarDataError(f"{where}/sources: expected a list of strings")
        makeup = _parse_named_days(raw.get("makeup_working_days", []), f"{where}/makeup_working_days", year)
        extra_off = _parse_named_days(raw.get("extra_days_off", []), f"{where}/extra_days_off", year)
        for day in makeup:
            if day in extra_off or day in seen_off:
                raise CalendarDataError(f"{where}: {day} is both a make-up working day and a day off")
            if day in seen_makeup:
                raise CalendarDataError(f"{where}: {day} is also listed under {seen_makeup[day]}")
            seen_makeup[day] = key
        for day in extra_off:
            if day in seen_makeup:
                raise CalendarDataError(f"{where}: {day} is both a make-up working day and a day off")
            if day in seen_off:
                raise CalendarDataError(f"{where}: {day} is also listed under {seen_off[day]}")
            seen_off[day] = key
        years[year] = YearOverrides(
            status=status,
            makeup_working_days=MappingProxyType(makeup),
            extra_days_off=MappingProxyType(extra_off),
            sources=tuple(sources),
        )
    return CalendarOverrides(years=MappingProxyType(years))


def load_calendar(include_culture_day: bool = False, overrides_path: Path | None = None) -> WorkingCalendar:
    """The calendar from the `holidays` package and the override table (calendar_vn.json by default).

    `include_culture_day` counts Vietnam Culture Day (24/11, from 2026) as a day off; it is off by default
    because the Labour Code does not list it yet. Raises CalendarDataError when the table is unreadable.
    """
    path = DEFAULT_OVERRIDES_PATH if overrides_path is None else Path(overrides_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarDataError(f"{path}: cannot read the calendar table ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise CalendarDataError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    return WorkingCalendar(parse_overrides(data, str(path)), include_culture_day=include_culture_day)
