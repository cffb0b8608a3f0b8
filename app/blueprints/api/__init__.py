"""JSON API for integrations; every endpoint needs a logged-in user."""

from flask import Blueprint

from app.models import Role
from app.security import role_gate

bp = Blueprint("api", __name__)
bp.before_request(role_gate(Role.JOBSEEKER, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN))

from app.blueprints.api import routes  # noqa: E402,F401
