"""Views of the admin blueprint."""

from flask import render_template
from flask.typing import ResponseReturnValue

from app.blueprints.admin import bp
from app.db import get_session
from app.services import interventions, stats, trial


@bp.get("/")
def index() -> ResponseReturnValue:
    """The admin landing page: what the database holds."""
    return render_template("admin/index.html", counts=stats.table_counts(session=get_session()))


@bp.get("/forsoeg")
def trial_report() -> ResponseReturnValue:
    """The randomised controlled trial: arms, hires and the difference with its 95 % interval."""
    return render_template("admin/trial.html", report=trial.report(session=get_session()))


@bp.get("/bias")
def bias_audit() -> ResponseReturnValue:
    """Bias audit of intervention allocation per protected group (aggregates only)."""
    return render_template(
        "admin/bias_audit.html", audit=interventions.bias_audit(session=get_session())
    )
