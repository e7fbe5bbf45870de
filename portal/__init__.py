"""The intake portal: create_app builds the Flask application without touching the database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from portal.config import INSTANCE, Config


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the app from `Config`, then from an object or mapping given by tests."""
    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE))
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.instance_path = str(app.config["INSTANCE_DIR"])
    _database_options(app)
    os.makedirs(app.instance_path, exist_ok=True)

    from portal import extensions, i18n, logs, web

    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(Path(__file__).parent.parent / "migrations"), render_as_batch=True
    )
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    logs.init_app(app)
    web.init_app(app)

    from portal import cli
    from portal.blueprints.api import bp as api_bp
    from portal.blueprints.citizen import bp as citizen_bp

    app.register_blueprint(citizen_bp)
    app.register_blueprint(api_bp)
    extensions.csrf.exempt(api_bp)
    cli.init_app(app)
    return app


def _database_options(app: Flask) -> None:
    """How long an SQLite writer waits for the lock (then the request answers 503) is a setting."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("timeout", float(app.config["SQLITE_BUSY_TIMEOUT"]))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
