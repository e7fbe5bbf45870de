"""`flask deadlines due --procedure` through the real app: the time limit comes from the published version."""

from __future__ import annotations


def test_due_takes_the_procedures_time_limit(runner, sample_procedures):
    # received Friday 13/2/2026 09:00; Tết closes 14–22/2; CT01 has 7 working days: 23–27/2, 2/3, 3/3
    result = runner.invoke(args=["deadlines", "due", "--received", "2026-02-13T09:00", "--procedure", "1.004222"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2026-03-03T17:00:00+07:00"


def test_same_day_procedure_after_the_cutoff_is_due_next_working_day(runner, sample_procedures):
    result = runner.invoke(args=["deadlines", "due", "--received", "2026-02-13T15:30", "--procedure", "1.001193"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2026-02-23T17:00:00+07:00"


def test_unknown_procedure_is_a_clear_error(runner, sample_procedures):
    result = runner.invoke(args=["deadlines", "due", "--received", "2026-02-13T09:00", "--procedure", "9.9"])
    assert result.exit_code == 1
    assert "9.9" in result.output
