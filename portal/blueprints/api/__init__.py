"""The JSON API of design/interfaces.md under /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from portal.blueprints.api import routes  # noqa: E402,F401  (routes register on import)
