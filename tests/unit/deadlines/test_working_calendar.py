"""The working-day calendar: what the `holidays` package gives, and what the override table corrects."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from portal.deadlines import CalendarDataError, WorkingCalendar, load_calendar, parse_overrides

CAL = load_calendar()


def test_package_dates_of_tet_2026_match_the_domain_example() -> None:
    package = holidays.country_holidays("VN", years=2026, language="en_US")
    assert [day for day in sorted(package) if day.month == 2] == [date(2026, 2, d) for d in range(16, 21)]
    assert package[date(2026, 2, 17)] == "Lunar New Year"


def test_tet_2026_closes_14_to_22_february() -> None:
    closed = [date(2026, 2, d) for d in range(14, 23)]
    assert not any(CAL.is_working_day(day) for day in closed)
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize(
    "day",
    [date(2025, 5, 2), date(2026, 8, 31), date(2026, 1, 2), date(2025, 9, 1), date(2026, 4, 27)],
    ids=["swap-2025-05-02", "swap-2026-08-31", "swap-2026-01-02", "national-day-2025", "hung-kings-observed"],
)
def test_swap_and_holiday_days_are_off(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [date(2025, 4, 26), date(2026, 8, 22), date(2026, 1, 10), date(2024, 5, 4)],
    ids=["2025-04-26", "2026-08-22", "2026-01-10", "2024-05-04"],
)
def test_makeup_saturdays_are_working_days(day: date) -> None:
    assert day.weekday() == 5
    assert CAL.is_working_day(day)


def test_package_alone_does_not_know_makeup_saturdays() -> None:
    # the reason the override table exists: without it these Saturdays would be days off
    bare = WorkingCalendar()
    assert not bare.is_working_day(date(2025, 4, 26))
    assert not bare.is_working_day(date(2026, 8, 22))
    # and the New Year swap of 2026 (Văn bản 12729/VPCP-KGVX) came after the package's data
    assert bare.is_working_day(date(2026, 1, 2))


def test_ordinary_weekend_is_off_and_weekday_is_on() -> None:
    assert not CAL.is_working_day(date(2026, 3, 7))
    assert not CAL.is_working_day(date(2026, 3, 8))
    assert CAL.is_working_day(date(2026, 3, 9))


def test_culture_day_is_named_by_the_package_as_expected() -> None:
    # the filter keys on this English name; if the package renames it, this test says so
    package = holidays.country_holidays("VN", years=[2026, 2029], language="en_US")
    assert package[date(2026, 11, 24)] == "Vietnam Cultural Day"
    assert package[date(2029, 11, 26)] == "Vietnam Cultural Day (observed)"


def test_culture_day_is_a_working_day_by_default() -> None:
    assert CAL.is_working_day(date(2026, 11, 24))
    assert CAL.is_working_day(date(2029, 11, 26))  # the Monday substitute for a Saturday 24/11
    assert all(day.month != 11 for day, _ in CAL.non_working_days(2026))


def test_culture_day_is_off_behind_the_setting() -> None:
    cal = load_calendar(include_culture_day=True)
    assert not cal.is_working_day(date(2026, 11, 24))
    assert (date(2026, 11, 24), "Ngày Văn hóa Việt Nam") in cal.non_working_days(2026)
    assert not cal.is_working_day(date(2029, 11, 26))
    assert cal.is_working_day(date(2025, 11, 24))  # not a holiday before 2026


def test_next_working_day_is_strictly_after() -> None:
    assert CAL.next_working_day(date(2026, 3, 4)) == date(2026, 3, 5)
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.next_working_day(date(2026, 8, 21)) == date(2026, 8, 22)


def test_add_working_days() -> None:
    assert CAL.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert CAL.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert CAL.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 2, 13), -1)


def test_calendar_lists_named_days_of_2026() -> None:
    off = dict(CAL.non_working_days(2026))
    assert off[date(2026, 1, 1)] == "Tết Dương lịch"
    assert off[date(2026, 2, 17)] == "Tết Nguyên Đán"
    assert "10/01/2026" in off[date(2026, 1, 2)]
    assert "22/08/2026" in off[date(2026, 8, 31)]
    assert date(2026, 2, 14) not in off  # a plain weekend, even inside Tết, is not listed
    assert [day for day, _ in CAL.makeup_working_days(2026)] == [date(2026, 1, 10), date(2026, 8, 22)]
    assert CAL.non_working_days(2026) == sorted(CAL.non_working_days(2026))


def test_has_year_is_true_only_for_confirmed_years() -> None:
    assert CAL.has_year(2025)
    assert CAL.has_year(2026)
    assert CAL.year_status(2027) == "estimated"
    assert not CAL.has_year(2027)
    assert CAL.year_status(2099) is None
    assert not CAL.has_year(2099)


def test_estimated_2027_follows_the_lunar_new_year_of_6_february() -> None:
    off = dict(CAL.non_working_days(2027))
    assert off[date(2027, 2, 6)] == "Tết Nguyên Đán"
    assert not CAL.is_working_day(date(2027, 2, 5))


def write(tmp_path: Path, years: dict[str, object]) -> Path:
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps({"years": years}, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_admin_can_add_a_day_off_and_a_working_day(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "2027": {
                "status": "confirmed",
                "makeup_working_days": [{"date": "2027-02-10", "name": "Làm việc (thử)"}],
                "extra_days_off": [{"date": "2027-02-11", "name": "Nghỉ Tết (thử)"}],
            }
        },
    )
    cal = load_calendar(overrides_path=path)
    assert cal.has_year(2027)
    assert cal.is_working_day(date(2027, 2, 10))  # a package holiday turned back into a working day
    assert not cal.is_working_day(date(2027, 2, 11))
    assert (date(2027, 2, 11), "Nghỉ Tết (thử)") in cal.non_working_days(2027)
    assert date(2027, 2, 10) not in dict(cal.non_working_days(2027))


@pytest.mark.parametrize(
    ("year_data", "message"),
    [
        ({"status": "maybe"}, "/years/2027/status"),
        ({"status": "confirmed", "extra_days_off": [{"date": "2027-02-30", "name": "x"}]}, "/0/date"),
        ({"status": "confirmed", "extra_days_off": [{"date": "2027-W01-1", "name": "x"}]}, "/0/date"),
        ({"status": "confirmed", "extra_days_off": [{"date": "2072-01-04", "name": "x"}]}, "too far"),
        ({"status": "confirmed", "extra_days_off": [{"date": "2027-01-04", "name": " "}]}, "/0/name"),
        ({"status": "confirmed", "holidays": []}, "unknown keys"),
        (
            {
                "status": "confirmed",
                "extra_days_off": [{"date": "2027-01-04", "name": "a"}],
                "makeup_working_days": [{"date": "2027-01-04", "name": "b"}],
            },
            "both",
        ),
    ],
)
def test_a_broken_table_is_refused_with_its_place(tmp_path: Path, year_data: object, message: str) -> None:
    with pytest.raises(CalendarDataError, match=message):
        load_calendar(overrides_path=write(tmp_path, {"2027": year_data}))


def test_unreadable_table_is_a_calendar_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CalendarDataError, match="not valid JSON"):
        load_calendar(overrides_path=broken)
    with pytest.raises(CalendarDataError, match="cannot read"):
        load_calendar(overrides_path=tmp_path / "missing.json")


def test_parse_overrides_needs_years() -> None:
    with pytest.raises(CalendarDataError, match="years"):
        parse_overrides([])


def test_every_day_in_the_shipped_table_is_consistent() -> None:
    for year, year_overrides in CAL.overrides.years.items():
        for day in year_overrides.makeup_working_days:
            # a make-up day replaces a weekend day (or corrects a package holiday)
            assert day.weekday() >= 5 or not WorkingCalendar().is_working_day(day), day
        for day in year_overrides.extra_days_off:
            assert abs(day.year - year) <= 1
        assert year_overrides.sources, f"{year}: say where the calendar comes from"
    # the whole table is within reach of the loop guard in next_working_day
    day = date(2024, 1, 1)
    while day.year < 2028:
        assert CAL.next_working_day(day) - day < timedelta(days=15)
        day += timedelta(days=1)
