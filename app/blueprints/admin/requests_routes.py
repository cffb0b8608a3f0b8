"""Data-subject requests for administrators: the open ones by deadline, and closing them.

Requests are answered within one month of receipt (GDPR Art. 12(3)); overdue ones are marked.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.blueprints.admin import bp
from app.blueprints.admin.forms import CompleteRequestForm
from app.db import get_session
from app.services import privacy


@bp.get("/anmodninger")
def requests() -> ResponseReturnValue:
    """Open data-subject requests, nearest deadline first."""
    return render_template(
        "admin/requests.html",
        rows=privacy.open_requests(session=get_session()),
        form=CompleteRequestForm(),
    )


@bp.post("/anmodninger/<int:request_id>/afslut")
def complete_request(request_id: int) -> ResponseReturnValue:
    """Mark a request as completed."""
    form = CompleteRequestForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        privacy.complete_request(
            session=get_session(), request_id=request_id, note=form.note.data or ""
        )
    except LookupError:
        abort(404)
    except privacy.RequestClosedError:
        flash(_("That request was already closed."), "info")
    else:
        flash(_("The request is marked as completed."), "success")
    return redirect(url_for("admin.requests"), code=303)
