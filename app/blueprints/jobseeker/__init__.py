"""The jobseeker's own pages: overview, profile, swipe deck."""

from flask import Blueprint

from app.models import Role
from app.security import role_gate

bp = Blueprint("jobseeker", __name__)
bp.before_request(role_gate(Role.JOBSEEKER))

from app.blueprints.jobseeker import coffee_routes, privacy_routes, routes  # noqa: E402,F401
