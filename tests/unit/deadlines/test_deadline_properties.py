"""Properties of due dates over any receipt moment, zone and limit between 2024 and 2028."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.deadlines import DeadlineRules, due_at, load_calendar, start_day

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = load_calendar()
RULES = DeadlineRules()
NO_CUTOFF = DeadlineRules(use_cutoff=False)

receipts = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 6, 30),
    timezones=st.sampled_from(
        [UTC, ICT, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), timezone(timedelta(hours=14))]
    ),
)
limits = st.integers(min_value=0, max_value=40)
rule_sets = st.sampled_from([RULES, NO_CUTOFF])

# The first examples fill the calendar's per-year cache; timing them would only measure that.
common = settings(deadline=None, max_examples=300)


@common
@given(received_at=receipts, days=limits, rules=rule_sets)
def test_due_is_a_working_day_at_close_in_local_time(received_at: datetime, days: int, rules: DeadlineRules) -> None:
    due = due_at(received_at, days, CAL, rules)
    assert due.utcoffset() == timedelta(hours=7)
    assert due.timetz() == time(17, 0, tzinfo=due.tzinfo)
    assert CAL.is_working_day(due.date())


@common
@given(received_at=receipts, days=limits, rules=rule_sets)
def test_due_is_never_before_receipt(received_at: datetime, days: int, rules: DeadlineRules) -> None:
    assert due_at(received_at, days, CAL, rules) > received_at


@common
@given(received_at=receipts, days=limits)
def test_one_more_day_ends_on_the_next_working_day(received_at: datetime, days: int) -> None:
    shorter = due_at(received_at, days, CAL, RULES)
    longer = due_at(received_at, days + 1, CAL, RULES)
    assert shorter < longer
    assert longer.date() == CAL.next_working_day(shorter.date())


@common
@given(first=receipts, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), days=limits)
def test_a_later_receipt_is_never_due_earlier(first: datetime, gap: timedelta, days: int) -> None:
    assert due_at(first, days, CAL, RULES) <= due_at(first + gap, days, CAL, RULES)


@common
@given(received_at=receipts, days=st.integers(min_value=1, max_value=40))
def test_limit_counts_exactly_n_working_days_after_the_start(received_at: datetime, days: int) -> None:
    start = start_day(received_at, CAL, RULES)
    due = due_at(received_at, days, CAL, RULES).date()
    counted = sum(CAL.is_working_day(start + timedelta(days=offset)) for offset in range(1, (due - start).days + 1))
    assert counted == days


@common
@given(received_at=receipts)
def test_start_day_is_a_working_day_on_or_after_the_local_receipt_day(received_at: datetime) -> None:
    start = start_day(received_at, CAL, RULES)
    local_day: date = received_at.astimezone(ICT).date()
    assert CAL.is_working_day(start)
    assert local_day <= start <= CAL.next_working_day(local_day)
