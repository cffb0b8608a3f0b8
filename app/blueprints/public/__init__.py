"""Front page, language switch and health check."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.blueprints.public import routes  # noqa: E402,F401
