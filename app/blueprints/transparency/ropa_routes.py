"""The public record of processing activities (GDPR Art. 30), built from the purpose registry."""

from flask import render_template
from flask.typing import ResponseReturnValue

from app import views
from app.blueprints.transparency import bp
from app.services import privacy, trial
from consent import purposes


@bp.get("/behandlinger")
def processing() -> ResponseReturnValue:
    """Every purpose: legal basis, data, recipients, retention and security, in plain words,
    and the legal basis of the randomised trial."""
    locale = views.locale()
    return render_template(
        "transparency/ropa.html",
        records=privacy.records_of_processing(locale=locale),
        controller=privacy.controller(),
        trial=trial.legal_basis_record(),
        retention=purposes.retention_schedule(locale),
    )
