"""Views of the caseworker blueprint."""

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.blueprints.caseworker import bp
from app.blueprints.jobseeker.forms import FEEDBACK_REASONS
from app.db import get_session
from app.services import caseworker


@bp.get("/")
def index() -> ResponseReturnValue:
    """The caseworker's landing page: assigned citizens who have not objected (access-logged)."""
    shared = caseworker.citizens(session=get_session(), caseworker=current_user)
    return render_template("caseworker/index.html", shared=shared)


@bp.get("/borger/<int:citizen_id>")
def citizen(citizen_id: int) -> ResponseReturnValue:
    """One citizen's profile and suggestions, for the dialogue with them (access-logged)."""
    try:
        view = caseworker.citizen_view(
            session=get_session(), caseworker=current_user, citizen_id=citizen_id
        )
    except caseworker.NotAssigned:
        abort(404)
    except caseworker.CitizenObjected:
        return render_template("caseworker/objected.html"), 403
    return render_template("caseworker/citizen.html", v=view, reasons=dict(FEEDBACK_REASONS))
