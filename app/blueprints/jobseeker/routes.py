"""Views of the jobseeker blueprint."""

from flask import render_template
from flask_login import current_user

from app.blueprints.jobseeker import bp
from app.db import get_session
from app.services import profiles


@bp.get("/")
def index():
    """The jobseeker's landing page."""
    profile = profiles.get_profile(session=get_session(), user_id=current_user.id)
    return render_template("jobseeker/index.html", profile=profile)
