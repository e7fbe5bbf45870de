"""Deadline rules: when counting starts and when a limit of N working days ends (domain.md, "Time limits")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from portal.deadlines.calendar import WorkingCalendar

__all__ = ["DeadlineRules", "due_at", "start_day"]


@dataclass(frozen=True)
class DeadlineRules:
    """The counting convention; the defaults are the portal's (domain.md), each one configurable.

    - `cutoff`: a dossier received on a working day before this local time counts from that day, later ones
      from the next working day;
    - `close`: the close of office hours, the moment a limit ends;
    - `tz`: the zone all of this is read in (Asia/Ho_Chi_Minh, whatever the server's clock says);
    - `use_cutoff`: False for procedures whose law sets no cut-off; a dossier received after `close` still
      counts from the next working day, so that a same-day limit never ends before the receipt.

    Raises ValueError for an unknown zone, aware times, or a cut-off after the close.
    """

    cutoff: time = time(15, 0)
    close: time = time(17, 0)
    tz: str = "Asia/Ho_Chi_Minh"
    use_cutoff: bool = True

    def __post_init__(self) -> None:
        if self.cutoff.tzinfo is not None or self.close.tzinfo is not None:
            raise ValueError("cutoff and close are local wall-clock times; give them without a zone")
        # A cut-off later than the close would let a same-day limit end before the dossier arrived.
        if self.cutoff > self.close:
            raise ValueError(f"the cut-off {self.cutoff} is after the close of office hours {self.close}")
        ZoneInfo(self.tz)  # fails now, not at the first deadline, on a misspelt zone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def effective_cutoff(self) -> time:
        """The local time after which counting starts the next working day."""
        return self.cutoff if self.use_cutoff else self.close


def _require_aware(received_at: datetime) -> None:
    # A naive datetime would silently be read in the server's zone: the off-by-one of RL-10.
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware (store UTC, or give the offset)")


def start_day(received_at: datetime, cal: WorkingCalendar, rules: DeadlineRules) -> date:
    """The day counting starts from: the local day of receipt when it is a working day and the receipt came
    before the cut-off, otherwise the next working day.

    Raises ValueError when `received_at` is naive.
    """
    _require_aware(received_at)
    local = received_at.astimezone(rules.zone)
    day = local.date()
    if cal.is_working_day(day) and local.time() < rules.effective_cutoff:
        return day
    return cal.next_working_day(day)


def due_at(received_at: datetime, days: int, cal: WorkingCalendar, rules: DeadlineRules) -> datetime:
    """The moment a limit of `days` working days ends: the close of office hours on the `days`-th working day
    after the start day (the start day itself when `days` is 0), aware, in the rules' zone.

    Raises ValueError when `received_at` is naive or `days` is negative.
    """
    if days < 0:
        raise ValueError(f"a time limit is 0 or more working days, not {days}")
    end = cal.add_working_days(start_day(received_at, cal, rules), days)
    return datetime.combine(end, rules.close, tzinfo=rules.zone)
