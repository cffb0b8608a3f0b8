"""Views of the caseworker blueprint."""

from flask import render_template
from flask_login import current_user

from app.blueprints.caseworker import bp
from app.db import get_session
from app.services import profiles


@bp.get("/")
def index():
    """The caseworker's landing page: the jobseekers who shared their profile."""
    shared = profiles.shared_with(session=get_session(), caseworker_id=current_user.id)
    return render_template("caseworker/index.html", shared=shared)
