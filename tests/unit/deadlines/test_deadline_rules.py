"""The counting convention of domain.md ("Time limits") on real Vietnamese dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from portal.deadlines import DeadlineRules, due_at, load_calendar, start_day

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = load_calendar()
RULES = DeadlineRules()


def local(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """An aware moment on the Hà Nội wall clock."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ICT)


def due(received_at: datetime, days: int, rules: DeadlineRules = RULES) -> datetime:
    return due_at(received_at, days, CAL, rules)


def test_domain_example_received_before_cutoff_skips_tet() -> None:
    assert due(local(2026, 2, 13, 9, 0), 3).isoformat() == "2026-02-25T17:00:00+07:00"


def test_domain_example_received_after_cutoff_counts_from_next_working_day() -> None:
    assert due(local(2026, 2, 13, 15, 30), 3).isoformat() == "2026-02-26T17:00:00+07:00"


def test_due_moment_is_in_ho_chi_minh_time() -> None:
    result = due(datetime(2026, 3, 4, 2, 0, tzinfo=UTC), 1)
    assert result.tzinfo == ICT
    assert result.isoformat() == "2026-03-05T17:00:00+07:00"


def test_same_day_limit_before_cutoff_ends_at_close_that_day() -> None:
    assert due(local(2026, 3, 4, 14, 59, 59), 0) == local(2026, 3, 4, 17, 0)


def test_same_day_limit_at_cutoff_moves_to_next_working_day() -> None:
    # "before 15:00": a dossier received at 15:00 sharp already counts from the next working day
    assert due(local(2026, 3, 4, 15, 0), 0) == local(2026, 3, 5, 17, 0)


def test_same_day_limit_on_friday_after_cutoff_ends_monday() -> None:
    assert due(local(2026, 3, 6, 16, 0), 0) == local(2026, 3, 9, 17, 0)


def test_receipt_on_saturday_counts_from_monday() -> None:
    assert start_day(local(2026, 3, 7, 9, 0), CAL, RULES) == date(2026, 3, 9)
    assert due(local(2026, 3, 7, 9, 0), 1) == local(2026, 3, 10, 17, 0)


def test_receipt_on_holiday_counts_from_next_working_day() -> None:
    # 30/4 (Thu) and 1/5 (Fri) are holidays, then the weekend
    assert start_day(local(2026, 4, 30, 9, 0), CAL, RULES) == date(2026, 5, 4)
    assert due(local(2026, 4, 30, 9, 0), 1) == local(2026, 5, 5, 17, 0)


def test_makeup_saturday_counts_as_working_day() -> None:
    assert due(local(2026, 8, 21, 9, 0), 1) == local(2026, 8, 22, 17, 0)
    assert due(local(2026, 8, 22, 10, 0), 0) == local(2026, 8, 22, 17, 0)
    assert due(local(2025, 4, 25, 9, 0), 1) == local(2025, 4, 26, 17, 0)


def test_swap_day_is_skipped() -> None:
    # Fri 29/8 -> Sat 22/8 was worked instead of Mon 31/8; 1/9 and 2/9 are National Day
    assert due(local(2026, 8, 28, 9, 0), 1) == local(2026, 9, 3, 17, 0)
    assert due(local(2025, 4, 29, 9, 0), 1) == local(2025, 5, 5, 17, 0)


def test_receipt_at_2330_ict_stored_as_utc_counts_from_next_day() -> None:
    # RL-10: 23:30 ICT on Wed 4/3 is 16:30 UTC the same date; on a UTC server it must not look like 16:30
    received_at = datetime(2026, 3, 4, 16, 30, tzinfo=UTC)
    assert start_day(received_at, CAL, RULES) == date(2026, 3, 5)
    assert due(received_at, 1) == local(2026, 3, 6, 17, 0)


def test_receipt_just_after_midnight_ict_is_the_next_local_day() -> None:
    # 17:30 UTC on 4/3 is 00:30 on Thu 5/3 in Hà Nội: before the cut-off of that day
    received_at = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)
    assert start_day(received_at, CAL, RULES) == date(2026, 3, 5)
    assert due(received_at, 0) == local(2026, 3, 5, 17, 0)


def test_receipt_2330_ict_before_tet_counts_from_after_tet() -> None:
    received_at = datetime(2026, 2, 13, 16, 30, tzinfo=UTC)  # Fri 13/2 23:30 ICT
    assert start_day(received_at, CAL, RULES) == date(2026, 2, 23)
    assert due(received_at, 1) == local(2026, 2, 24, 17, 0)


def test_deadline_skips_lunar_new_year() -> None:
    # the day before Tết closes (Thu 12/2/2026): day 1 is Fri 13/2, day 2 is the first day back
    assert due(local(2026, 2, 12, 10, 0), 1) == local(2026, 2, 13, 17, 0)
    assert due(local(2026, 2, 12, 10, 0), 2) == local(2026, 2, 23, 17, 0)
    assert due(local(2026, 2, 14, 10, 0), 0) == local(2026, 2, 23, 17, 0)


def test_without_cutoff_an_afternoon_receipt_counts_from_that_day() -> None:
    rules = DeadlineRules(use_cutoff=False)
    assert due(local(2026, 2, 13, 15, 30), 3, rules).isoformat() == "2026-02-25T17:00:00+07:00"
    assert due(local(2026, 3, 4, 16, 59), 0, rules) == local(2026, 3, 4, 17, 0)


def test_without_cutoff_a_receipt_after_close_still_counts_from_next_day() -> None:
    rules = DeadlineRules(use_cutoff=False)
    assert due(local(2026, 3, 4, 17, 0), 0, rules) == local(2026, 3, 5, 17, 0)


def test_cutoff_and_close_are_configurable() -> None:
    rules = DeadlineRules(cutoff=time(11, 30), close=time(16, 30))
    assert due(local(2026, 3, 4, 11, 0), 0, rules).isoformat() == "2026-03-04T16:30:00+07:00"
    assert due(local(2026, 3, 4, 11, 30), 0, rules).isoformat() == "2026-03-05T16:30:00+07:00"


def test_naive_receipt_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due(datetime(2026, 2, 13, 9, 0), 3)


def test_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        due(local(2026, 2, 13, 9, 0), -1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cutoff": time(18, 0)},
        {"tz": "Asia/Nowhere"},
        {"close": time(17, 0, tzinfo=UTC)},
    ],
)
def test_inconsistent_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises((ValueError, LookupError)):
        DeadlineRules(**kwargs)  # type: ignore[arg-type]
