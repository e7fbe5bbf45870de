"""Pages for citizens and the people who help them: catalogue, e-Form, check, confirmation, look-up."""

from flask import Blueprint

bp = Blueprint("citizen", __name__)

from portal.blueprints.citizen import catalogue, filing, lookup, resume  # noqa: E402,F401  (routes register on import)
