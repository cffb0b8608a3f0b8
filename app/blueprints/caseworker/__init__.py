"""Caseworker pages: only the profiles shared with the caseworker."""

from flask import Blueprint

from app.models import Role
from app.security import role_gate

bp = Blueprint("caseworker", __name__)
bp.before_request(role_gate(Role.CASEWORKER))

from app.blueprints.caseworker import routes  # noqa: E402,F401
