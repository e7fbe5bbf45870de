"""`flask deadlines due --procedure CODE` against an in-memory SQLite database and a minimal app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from portal.cli.deadlines import deadlines_group
from portal.extensions import db
from portal.models import FormVersion, Procedure


def publish(code: str, meta: dict[str, Any]) -> None:
    procedure = Procedure(code=code, name=f"Thủ tục {code}")
    db.session.add(procedure)
    db.session.flush()
    version = FormVersion(
        procedure_id=procedure.id,
        number=1,
        definition={
            "procedure": {"code": code, "name": procedure.name, **meta},
            "schema": {"type": "object"},
        },
        digest="0" * 64,
    )
    db.session.add(version)
    db.session.flush()
    procedure.current_version_id = version.id


@pytest.fixture
def runner() -> Iterator[FlaskCliRunner]:
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://")
    db.init_app(app)
    app.cli.add_command(deadlines_group)
    with app.app_context():
        db.create_all()
        publish("1.001193", {"processing_days": 3})
        publish("2.000001", {"processing_days": 3, "deadline": {"cutoff": False}})
        publish("3.000001", {"processing_days": "ba"})
        db.session.commit()
    yield app.test_cli_runner()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def due(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["deadlines", "due", *args])


def test_procedure_supplies_processing_days(runner: FlaskCliRunner) -> None:
    result = due(runner, "--received", "2026-02-13T15:30", "--procedure", "1.001193")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-02-26T17:00:00+07:00\n"


def test_days_beat_the_procedure(runner: FlaskCliRunner) -> None:
    result = due(runner, "--received", "2026-02-13T09:00", "--procedure", "1.001193", "--days", "0")
    assert result.stdout == "2026-02-13T17:00:00+07:00\n"


def test_procedure_can_switch_the_cutoff_off(runner: FlaskCliRunner) -> None:
    result = due(runner, "--received", "2026-02-13T15:30", "--procedure", "2.000001")
    assert result.stdout == "2026-02-25T17:00:00+07:00\n"


def test_unknown_procedure_is_a_clear_error(runner: FlaskCliRunner) -> None:
    result = due(runner, "--received", "2026-02-13T09:00", "--procedure", "9.999999")
    assert result.exit_code == 1
    assert "no published procedure with code '9.999999'" in result.output
    assert "Traceback" not in result.output


def test_procedure_without_valid_processing_days_is_a_clear_error(runner: FlaskCliRunner) -> None:
    result = due(runner, "--received", "2026-02-13T09:00", "--procedure", "3.000001")
    assert result.exit_code == 1
    assert "processing_days" in result.output
