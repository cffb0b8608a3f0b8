"""Employer pages: job postings, coffee meetings, answers to jobseekers."""

from flask import Blueprint

from app.models import Role
from app.security import role_gate

bp = Blueprint("employer", __name__)
bp.before_request(role_gate(Role.EMPLOYER))

from app.blueprints.employer import coffee_routes, postings_routes, routes  # noqa: E402,F401
