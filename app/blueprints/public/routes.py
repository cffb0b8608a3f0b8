"""Views of the public blueprint."""

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask import session as http_session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from app.blueprints.public import bp
from app.blueprints.public.forms import LanguageForm
from app.db import get_session
from app.extensions import csrf
from app.security import safe_next_url
from app.services import auth as auth_service
from app.services import health


@bp.get("/")
def index() -> ResponseReturnValue:
    """Front page; logged-in users go to their own landing page."""
    if current_user.is_authenticated:
        return redirect(url_for(auth_service.home_endpoint(current_user.role)))
    return render_template("public/index.html")


@bp.post("/sprog")
def set_language() -> ResponseReturnValue:
    """Remember the chosen language in the session, a cookie and (if logged in) the account."""
    form = LanguageForm()
    target = safe_next_url(form.next.data) or url_for("public.index")
    response = redirect(target, code=303)
    if form.validate_on_submit():
        http_session["locale"] = form.locale.data
        response.set_cookie(
            "locale",
            form.locale.data,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
        )
        if current_user.is_authenticated:
            auth_service.set_locale(
                session=get_session(), user=current_user, locale=form.locale.data
            )
    return response


@bp.get("/healthz")
@csrf.exempt
def healthz() -> ResponseReturnValue:
    """Liveness and readiness: database and embedding-model status as JSON."""
    report = health.check(app=current_app)
    status = 200 if report["status"] == "ok" else 503
    return jsonify(report), status


@bp.app_context_processor
def language_form() -> dict[str, LanguageForm]:
    # formdata=None: the header's form must not read the body of whatever this request posted
    # (on a 413 page, reading it again would fail; elsewhere it could pick up a "locale" field).
    return {"language_form": LanguageForm(formdata=None, next=request.full_path.rstrip("?"))}


@bp.route("/afmeld/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """The unsubscribe link in every e-mail: confirm, then withdraw consent to e-mails.

    A used, expired or unknown link gets a page that says so and how to stop e-mails instead.
    """
    from app.services import notifications

    form = FlaskForm()
    done = False
    if request.method == "POST" and form.validate_on_submit():
        state = notifications.unsubscribe_with_link(session=get_session(), token=token)
        done = state is notifications.LinkState.VALID
    else:
        state = notifications.unsubscribe_link_state(session=get_session(), token=token)
    status = {notifications.LinkState.UNKNOWN: 404, notifications.LinkState.EXPIRED: 410}
    return render_template(
        "public/unsubscribe.html", form=form, done=done, state=state
    ), status.get(state, 200)
