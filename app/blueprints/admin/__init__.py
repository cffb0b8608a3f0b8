"""Administration: reference data, data-subject requests, audit."""

from flask import Blueprint

from app.models import Role
from app.security import role_gate

bp = Blueprint("admin", __name__)
bp.before_request(role_gate(Role.ADMIN))

from app.blueprints.admin import requests_routes, routes  # noqa: E402,F401
