"""Public transparency pages: how the algorithm works, open to everyone without login."""

from flask import Blueprint

bp = Blueprint("transparency", __name__)

from app.blueprints.transparency import ropa_routes, routes  # noqa: E402,F401
