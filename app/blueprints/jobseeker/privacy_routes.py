"""The jobseeker's privacy pages: "Mit overblik", consents, access log, export, rectification
and erasure (GDPR Art. 15-17, 20, 21).

Every read and write of consent data goes through ``app.services.privacy``; the overview is
collected by ``app.services.overview``. Bad input (an unknown purpose, an action that does not fit
the purpose) gets the friendly 400 page, never a 500.
"""

import json
import re
from datetime import date, datetime
from typing import Any

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import htmx, views
from app.blueprints.jobseeker import bp
from app.blueprints.jobseeker.forms import (
    CONFIRMATION_WORD,
    RECTIFY_CHOICES,
    DecisionForm,
    ErasureForm,
    RectificationForm,
)
from app.db import get_session
from app.security import require_recent_auth
from app.services import auth, matching, overview, privacy, profiles


def _attachment(payload: Any, filename: str) -> Response:
    """A JSON download that is never cached (it holds personal data)."""
    response = make_response(json.dumps(payload, ensure_ascii=False, indent=2))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Mit overblik --------------------------------------------------------------------------------


@bp.get("/overblik")
@bp.get("/")  # registered first, so url_for gives the landing URL
def overview_page() -> ResponseReturnValue:
    """Everything the jobcentre holds and does about the person, netbank style (reads only)."""
    data = overview.build(session=get_session(), user_id=current_user.id, locale=views.locale())
    return render_template("jobseeker/overview.html", o=data)


# --- Consents ------------------------------------------------------------------------------------


@bp.get("/samtykker")
def consents() -> ResponseReturnValue:
    """Every purpose in plain language, with the person's choices and their history."""
    session = get_session()
    locale = views.locale()
    return render_template(
        "jobseeker/privacy_consents.html",
        purposes=privacy.purposes_for(session=session, user_id=current_user.id, locale=locale),
        history=privacy.consent_history(session=session, user_id=current_user.id, locale=locale),
        form=DecisionForm(),
    )


@bp.post("/samtykker/<purpose_id>")
def decide(purpose_id: str) -> ResponseReturnValue:
    """Record a decision; htmx gets the purpose's card back, a plain form a redirect."""
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    try:
        # An opt-out or objection withdraws every algorithmic result here and now.
        changed = matching.change_decision(
            session=session,
            user_id=current_user.id,
            purpose_id=purpose_id,
            action=form.action.data,
            actor_role=current_user.role,
        )
    except (privacy.UnknownPurposeError, privacy.InvalidActionError):
        abort(400)
    matching.request_refresh(
        user_id=current_user.id,
        reason=matching.Reason.CONSENT,
        changed=changed,
        purpose_id=purpose_id,
    )
    if htmx.is_partial():
        purpose = privacy.purpose_for(
            session=session, user_id=current_user.id, purpose_id=purpose_id, locale=views.locale()
        )
        fragment = render_template("jobseeker/_purpose.html", p=purpose, saved=True)
        return htmx.vary(make_response(fragment))
    flash(_("Your choice is saved."), "success")
    return redirect(url_for("jobseeker.consents", _anchor=f"purpose-{purpose_id}"), code=303)


@bp.get("/samtykker/<purpose_id>/kvittering.json")
def consent_receipt(purpose_id: str) -> ResponseReturnValue:
    """The consent receipt (Kantara v1.1) of the person's latest grant, as a download."""
    try:
        receipt = privacy.consent_receipt(
            session=get_session(),
            user_id=current_user.id,
            purpose_id=purpose_id,
            locale=views.locale(),
            policy_url=url_for("transparency.processing", _external=True),
        )
    except (privacy.UnknownPurposeError, privacy.InvalidActionError):
        abort(400)
    except privacy.NoConsentError:
        abort(404)
    return _attachment(receipt, f"samtykkekvittering-{purpose_id}.json")


# --- Access log ----------------------------------------------------------------------------------


@bp.get("/adgangslog")
def access_log() -> ResponseReturnValue:
    """Who looked at the person's data, when, what and why, page by page."""
    page = privacy.access_log(
        session=get_session(),
        user_id=current_user.id,
        locale=views.locale(),
        page=request.args.get("side", 1, type=int),
    )
    return render_template("jobseeker/privacy_access_log.html", log=page)


# --- Export (Art. 15 and 20) ---------------------------------------------------------------------

# Plain names for the registered tables, keyed by "table.column" (the export's own key).
RECORD_TITLES = {
    "user.id": _l("Your account"),
    "authsession.user_id": _l("Your logins"),
    "jobseekerprofile.user_id": _l("Your profile and CV"),
    "caseworkerassignment.jobseeker_id": _l("Your caseworkers"),
    "caseworkerassignment.caseworker_id": _l("Citizens assigned to you as caseworker"),
    "consentevent.subject_id": _l("Your consents, objections and opt-outs"),
    "consentevent.actor_id": _l("Decisions recorded by you"),
    "accesslogentry.subject_id": _l("Who has looked at your data"),
    "accesslogentry.actor_id": _l("Data you have looked at about others"),
    "datasubjectrequest.subject_id": _l("Your requests about your data"),
    "profileembedding.user_id": _l("Your profile as numbers (used for matching)"),
    "suggestion.user_id": _l("Job suggestions and their explanations"),
    "swipe.user_id": _l("Your answers to job suggestions"),
    "savedjob.user_id": _l("Saved jobs"),
    "suggestionfeedback.user_id": _l("Your feedback on suggestions"),
    "notification.user_id": _l("Notifications"),
    "emailoutbox.user_id": _l("Emails to you"),
    "coffeeresponse.user_id": _l("Coffee meeting sign-ups"),
    "trialassignment.user_id": _l("Your group in the trial"),
}
VALUE_LIMIT = 300
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _readable(value: Any) -> str:
    """A stored value as short text for the page; the JSON download has it in full."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict) and set(value) == {"base64"}:
        return _("Binary data (%(n)s characters in the download)", n=len(value["base64"]))
    if isinstance(value, str) and ISO_TIMESTAMP.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), "short")
        except ValueError:
            pass  # free text that merely starts like a timestamp
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT] + "…"


@bp.get("/mine-data")
def my_data() -> ResponseReturnValue:
    """A readable view of everything stored about the person, with the JSON download."""
    data = privacy.export_personal_data(
        session=get_session(), user_id=current_user.id, locale=views.locale()
    )
    sections = [
        {
            "key": f"{record['table']}.{record['column']}",
            "title": RECORD_TITLES.get(
                f"{record['table']}.{record['column']}", record["category_label"]
            ),
            "category": record["category_label"],
            "rows": [
                [(name, _readable(value)) for name, value in row.items()] for row in record["rows"]
            ],
        }
        for record in data["records"]
    ]
    return render_template(
        "jobseeker/privacy_my_data.html",
        sections=sections,
        filled=[s for s in sections if s["rows"]],
        exported_at=datetime.fromisoformat(data["exported_at"]),
    )


@bp.get("/mine-data.json")
def my_data_json() -> ResponseReturnValue:
    """Everything stored about the person in a machine-readable file (Art. 20)."""
    data = privacy.export_personal_data(
        session=get_session(), user_id=current_user.id, locale=views.locale()
    )
    return _attachment(data, f"jobunivers-mine-data-{date.today().isoformat()}.json")


@bp.get("/profil/json-resume")
def json_resume() -> ResponseReturnValue:
    """The profile as a JSON Resume, the open CV format, to take to another service (Art. 20);
    the profile page reads such a file back in."""
    record = profiles.profile_or_blank(session=get_session(), user_id=current_user.id)
    return _attachment(profiles.to_json_resume(record, current_user), "cv.json")


# --- Rectification (Art. 16) ---------------------------------------------------------------------


@bp.route("/ret-data", methods=["GET", "POST"])
def rectify() -> ResponseReturnValue:
    """ "Report wrong data": registered as a request the jobcentre answers within a month."""
    form = RectificationForm()
    if form.validate_on_submit():
        label = dict(RECTIFY_CHOICES)[form.what.data]
        registered = privacy.register_request(
            session=get_session(),
            user_id=current_user.id,
            kind=privacy.RequestKind.RECTIFICATION,
            note=f"[{form.what.data}] {label}\n{form.details.data.strip()}",
        )
        flash(
            _(
                "Thank you. Your request is registered. The jobcentre answers you by %(date)s.",
                date=format_date(registered.due_at, "long"),
            ),
            "success",
        )
        return redirect(url_for("jobseeker.rectify"), code=303)
    return render_template("jobseeker/privacy_rectify.html", form=form)


# --- Erasure (Art. 17) ---------------------------------------------------------------------------


@bp.route("/slet-mig", methods=["GET", "POST"])
@require_recent_auth
def erase_me() -> ResponseReturnValue:
    """Explain what is deleted and kept; on a confirmed POST erase the person and log them out.

    Only right after a login or re-authentication: a session left open on a shared computer must
    not be enough to erase someone.
    """
    form = ErasureForm()
    if request.method == "POST" and form.validate_on_submit():
        if not form.confirmed():
            form.confirmation.errors = [
                _(
                    "Type %(word)s to confirm, or leave the page to keep your data.",
                    word=CONFIRMATION_WORD,
                )
            ]
        else:
            try:
                receipt = privacy.erase_person(
                    session=get_session(), user_id=current_user.id, actor_role=current_user.role
                )
            except privacy.ErasureFailedError:
                page = render_template(
                    "jobseeker/privacy_erase.html", form=form, word=CONFIRMATION_WORD, failed=True
                )
                return make_response(page, 500)
            auth.logout()
            # Rendered here, not redirected: the person is logged out and the page is gone.
            return render_template("jobseeker/privacy_erased.html", receipt=receipt)
    return render_template(
        "jobseeker/privacy_erase.html", form=form, word=CONFIRMATION_WORD, failed=False
    )
