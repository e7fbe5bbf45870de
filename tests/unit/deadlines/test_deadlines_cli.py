"""`flask deadlines due` and `flask deadlines calendar` through a minimal app (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from portal.cli.deadlines import deadlines_group


def run(*args: str, **config: Any) -> Result:
    app = Flask(__name__)
    app.config.update(config)
    app.cli.add_command(deadlines_group)
    return app.test_cli_runner().invoke(args=["deadlines", *args])


def test_due_prints_the_domain_example() -> None:
    result = run("due", "--received", "2026-02-13T09:00", "--days", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-02-25T17:00:00+07:00\n"


def test_due_after_cutoff() -> None:
    result = run("due", "--received", "2026-02-13T15:30", "--days", "3")
    assert result.stdout == "2026-02-26T17:00:00+07:00\n"


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        ("2026-02-13T02:00+00:00", "3", "2026-02-25T17:00:00+07:00"),  # 09:00 in Hà Nội
        ("2026-02-13T08:30Z", "3", "2026-02-26T17:00:00+07:00"),  # 15:30 in Hà Nội
        ("2026-03-04T16:30:00+00:00", "1", "2026-03-06T17:00:00+07:00"),  # 23:30 ICT, RL-10
    ],
)
def test_due_honours_an_offset(received: str, days: str, expected: str) -> None:
    assert run("due", "--received", received, "--days", days).stdout == f"{expected}\n"


def test_due_reads_the_cutoff_setting() -> None:
    result = run("due", "--received", "2026-02-13T15:30", "--days", "3", DEADLINE_USE_CUTOFF="0")
    assert result.stdout == "2026-02-25T17:00:00+07:00\n"
    result = run("due", "--received", "2026-03-04T12:00", "--days", "0", DEADLINE_CUTOFF="11:30")
    assert result.stdout == "2026-03-05T17:00:00+07:00\n"


def test_due_same_day() -> None:
    assert run("due", "--received", "2026-03-06T16:00", "--days", "0").stdout == "2026-03-09T17:00:00+07:00\n"


@pytest.mark.parametrize("received", ["13/02/2026 09:00", "2026-02-30T09:00", "tomorrow"])
def test_due_refuses_a_bad_date_without_a_traceback(received: str) -> None:
    result = run("due", "--received", received, "--days", "3")
    assert result.exit_code == 2
    assert "is not an ISO 8601 date-time" in result.output
    assert "Traceback" not in result.output


def test_due_needs_days_or_procedure() -> None:
    result = run("due", "--received", "2026-02-13T09:00")
    assert result.exit_code == 2
    assert "--days or --procedure" in result.output


def test_due_refuses_a_negative_limit() -> None:
    assert run("due", "--received", "2026-02-13T09:00", "--days", "-1").exit_code == 2


def test_due_warns_on_stderr_for_an_estimated_year() -> None:
    result = run("due", "--received", "2027-02-03T09:00", "--days", "1")
    assert result.exit_code == 0
    assert result.stdout == "2027-02-11T17:00:00+07:00\n"
    assert "2027 calendar is estimated" in result.stderr


def test_calendar_prints_days_off_and_makeup_days_sorted() -> None:
    result = run("calendar", "2026")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-01-01\tnghỉ\tTết Dương lịch"
    assert "2026-01-10\tlàm bù\tLàm bù cho ngày nghỉ thứ Sáu 02/01/2026" in lines
    assert "2026-02-17\tnghỉ\tTết Nguyên Đán" in lines
    assert any(line.startswith("2026-08-22\tlàm bù\t") for line in lines)
    assert any(line.startswith("2026-08-31\tnghỉ\t") for line in lines)
    assert lines == sorted(lines)
    assert not any(line.startswith(("2026-02-14", "2026-11-24")) for line in lines)
    assert all(len(line.split("\t")) == 3 for line in lines)
    assert result.stderr == ""


def test_calendar_includes_culture_day_behind_the_setting() -> None:
    result = run("calendar", "2026", DEADLINE_INCLUDE_CULTURE_DAY=True)
    assert "2026-11-24\tnghỉ\tNgày Văn hóa Việt Nam" in result.stdout.splitlines()


def test_calendar_warns_for_an_estimated_year() -> None:
    result = run("calendar", "2027")
    assert result.exit_code == 0
    assert "2027-02-06\tnghỉ\tTết Nguyên Đán" in result.stdout.splitlines()
    assert "estimated" in result.stderr


def test_calendar_reports_a_broken_table_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "calendar.json"
    broken.write_text('{"years": {"2026": {"status": "?"}}}', encoding="utf-8")
    result = run("calendar", "2026", DEADLINE_CALENDAR_PATH=str(broken))
    assert result.exit_code == 1
    assert "/years/2026/status" in result.output
    assert "Traceback" not in result.output
