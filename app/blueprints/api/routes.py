"""Views of the API blueprint."""

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.blueprints.api import bp


@bp.get("/me")
def me() -> ResponseReturnValue:
    """Who is logged in, and with which role."""
    return jsonify(id=current_user.id, name=current_user.name, role=current_user.role)
