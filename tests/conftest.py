"""Fixtures for every test: the app on SQLite and on a real PostgreSQL, its client, CLI runner and sample data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.pg_cluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FORMS_DIR = ROOT / "forms_schemas"


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL server for the whole run; set PORTAL_TEST_PG_URL to use an existing one."""
    if os.environ.get("PORTAL_TEST_PG_URL"):
        yield None
        return
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="portal-pg-")))
    try:
        cluster.start()
    except Exception as error:
        cluster.stop()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL unavailable here: {error}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster) -> str:
    if pg_cluster is None:
        return os.environ["PORTAL_TEST_PG_URL"]
    return pg_cluster.create_database("portal_test")


_pg_schema_ready: dict[str, bool] = {}


def _truncate_all(db) -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.db'}"
    return request.getfixturevalue("pg_url")


def build_app(db_url: str, tmp_path: Path, **overrides):
    """The app as tests use it: test settings, its own instance folder, the given database."""
    from portal import create_app
    from portal.config import TestConfig

    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=db_url,
        INSTANCE_DIR=str(tmp_path / "instance"),
        UPLOAD_DIR=str(tmp_path / "instance" / "uploads"),
    )
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture
def app(db_url, tmp_path):
    from portal.extensions import db

    app = build_app(db_url, tmp_path)
    with app.app_context():
        if db_url.startswith("postgresql"):
            if not _pg_schema_ready.get(db_url):
                db.drop_all()
                db.create_all()
                _pg_schema_ready[db_url] = True
            else:
                _truncate_all(db)
        else:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sample_procedures(app):
    """The procedures shipped in forms_schemas/, imported as the README's run command does."""
    result = app.test_cli_runner().invoke(args=["forms", "import", str(FORMS_DIR)])
    assert result.exit_code == 0, result.output
    return result
