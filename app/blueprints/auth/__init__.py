"""Login and logout: OIDC for jobseekers and caseworkers, local accounts for employers and demo."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.blueprints.auth import routes, security_routes  # noqa: E402,F401
