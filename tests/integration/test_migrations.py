"""The migrations build the schema the models describe, on SQLite and on PostgreSQL, and come back down."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from portal import create_app
from portal.extensions import db


@pytest.fixture
def bare_app(db_url, tmp_path):
    """An app on an empty database: no create_all, the migrations must do everything."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True})
    with app.app_context():
        if db_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    yield app
    with app.app_context():
        if db_url.startswith("postgresql"):
            # leave the shared test database as the other tests expect it
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            db.create_all()
        db.engine.dispose()


def test_upgrade_builds_the_models_schema_and_check_finds_no_drift(bare_app):
    runner = bare_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with bare_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {
        "procedure",
        "form_version",
        "dossier",
        "attachment",
        "dossier_event",
        "dossier_sequence",
        "draft",
        "idempotency_record",
    } <= tables
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    with bare_app.app_context(), db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == []


def test_downgrade_to_base_removes_every_table(bare_app):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with bare_app.app_context():
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_upgraded_database_imports_and_files(bare_app):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["forms", "import", "forms_schemas"])
    assert result.exit_code == 0, result.output
    with bare_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM procedure")).scalar() == 3
