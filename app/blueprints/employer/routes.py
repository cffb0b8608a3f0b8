"""Views of the employer blueprint."""

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.blueprints.employer import bp
from app.db import get_session
from app.services import postings


@bp.get("/")
def index() -> ResponseReturnValue:
    """The employer's landing page: their organisation's postings."""
    rows = postings.for_employer(session=get_session(), employer_id=current_user.employer_id)
    return render_template("employer/index.html", postings=rows)
