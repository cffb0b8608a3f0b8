"""The security page of local accounts (second factor and recovery codes) and the
re-authentication page that sensitive changes send people to."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.blueprints.auth import bp
from app.blueprints.auth.forms import CodeForm, ReauthForm
from app.blueprints.auth.routes import throttled_page
from app.db import get_session
from app.extensions import limiter
from app.security import require_recent_auth, safe_next_url
from app.services import auth as auth_service
from app.services import mfa, oidc


def _codes_page(codes: list[str], *, switched_on: bool, next_url: str | None = None) -> Response:
    """Recovery codes are shown exactly once: never cached, never shown again."""
    page = render_template(
        "auth/recovery_codes.html",
        codes=codes,
        switched_on=switched_on,
        next=next_url or url_for("auth.security"),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sikkerhed")
@login_required
def security() -> ResponseReturnValue:
    """Two-step login (TOTP) for local accounts: status, set up, switch off, new recovery codes."""
    user = current_user
    offered = mfa.offered(user=user)
    return render_template(
        "auth/security.html",
        offered=offered,
        required=mfa.required(user=user),
        status=mfa.status(session=get_session(), user_id=user.id) if offered else None,
        form=FlaskForm(),
        next=safe_next_url(request.args.get("next")) or "",
    )


def _offered_or_404() -> None:
    if not mfa.offered(user=current_user):
        abort(404)


@bp.post("/sikkerhed/totp/start")
@login_required
@require_recent_auth
def totp_start() -> ResponseReturnValue:
    """Create a new secret and show it as a QR code (replaces an unfinished set-up)."""
    _offered_or_404()
    if FlaskForm().validate_on_submit():
        try:
            mfa.begin_enrolment(session=get_session(), user_id=current_user.id)
        except mfa.MfaError:
            flash(_("Two-step login is already set up."), "info")
            return redirect(url_for("auth.security"), code=303)
    return redirect(url_for("auth.totp_setup", next=request.form.get("next", "")), code=303)


@bp.route("/sikkerhed/totp", methods=["GET", "POST"])
@login_required
@require_recent_auth
def totp_setup() -> ResponseReturnValue:
    """Scan the QR code, type the first code; then the recovery codes are shown once."""
    _offered_or_404()
    db = get_session()
    enrolment = mfa.pending_enrolment(session=db, user=current_user)
    if enrolment is None:
        return redirect(url_for("auth.security"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        codes = mfa.confirm_enrolment(session=db, user_id=current_user.id, code=form.code.data)
        if codes is not None:
            current_app.logger.info("user %s switched on two-step login", current_user.id)
            return _codes_page(
                codes, switched_on=True, next_url=safe_next_url(request.args.get("next"))
            )
        form.code.errors.append(_("The code is wrong. Check the time on your phone and try again."))
    page = render_template(
        "auth/totp_setup.html",
        form=form,
        enrolment=enrolment,
        next=safe_next_url(request.args.get("next")) or "",
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # the page shows the secret
    return response


@bp.post("/sikkerhed/totp/slaa-fra")
@login_required
@require_recent_auth
def totp_disable() -> ResponseReturnValue:
    """Switch two-step login off (not for roles that must use it)."""
    _offered_or_404()
    if not FlaskForm().validate_on_submit():
        abort(400)
    if mfa.required(user=current_user):
        flash(_("Administrators must use two-step login; it cannot be switched off."), "error")
    else:
        mfa.disable(session=get_session(), user_id=current_user.id)
        current_app.logger.info("user %s switched off two-step login", current_user.id)
        flash(_("Two-step login is switched off."), "success")
    return redirect(url_for("auth.security"), code=303)


@bp.post("/sikkerhed/gendannelseskoder")
@login_required
@require_recent_auth
def recovery_codes() -> ResponseReturnValue:
    """New recovery codes; the old ones stop working."""
    _offered_or_404()
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        codes = mfa.regenerate_recovery_codes(session=get_session(), user_id=current_user.id)
    except mfa.MfaError:
        return redirect(url_for("auth.security"), code=303)
    return _codes_page(codes, switched_on=False)


@bp.route("/bekraeft", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@login_required
def reauthenticate() -> ResponseReturnValue:
    """Confirm who you are before a sensitive change: password (and code), or a fresh OIDC login."""
    next_url = safe_next_url(request.values.get("next")) or url_for(
        auth_service.home_endpoint(current_user.role)
    )
    if current_user.password_hash is None:
        provider = oidc.provider_for(current_app.config, current_user)
        return render_template("auth/reauth.html", form=None, provider=provider, next=next_url)
    db = get_session()
    form = ReauthForm(next=next_url)
    needs_code = mfa.is_enabled(session=db, user_id=current_user.id)
    if form.validate_on_submit():
        outcome = auth_service.attempt_reauthentication(
            session=db, user=current_user, password=form.password.data, code=form.code.data
        )
        if outcome.retry_at is not None:
            return throttled_page(
                "auth/reauth.html",
                outcome.retry_at,
                form=form,
                needs_code=needs_code,
                provider=None,
                next=next_url,
            )
        if outcome.user is not None:
            return redirect(next_url, code=303)
        wrong = _("Wrong password or code.") if needs_code else _("Wrong password.")
        form.password.errors.append(wrong)
    return render_template(
        "auth/reauth.html", form=form, needs_code=needs_code, provider=None, next=next_url
    )
