"""Views of the admin blueprint."""

from flask import render_template

from app.blueprints.admin import bp
from app.db import get_session
from app.services import stats


@bp.get("/")
def index():
    """The admin landing page: what the database holds."""
    return render_template("admin/index.html", counts=stats.table_counts(session=get_session()))
