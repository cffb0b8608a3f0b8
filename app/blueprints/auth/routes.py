"""Views of the auth blueprint."""

import math
import time
from datetime import datetime
from typing import Any

from authlib.common.errors import AuthlibBaseError
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
from flask import session as http_session
from flask.typing import ResponseReturnValue
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException

from app.blueprints.auth import bp
from app.blueprints.auth.forms import CodeForm, DemoLoginForm, LoginForm
from app.converters import parse_id
from app.db import get_session
from app.extensions import limiter
from app.models import User, utcnow
from app.security import safe_next_url
from app.services import auth as auth_service
from app.services import oidc

# A password-checked person waiting to give their second factor (in the signed cookie).
PENDING_KEY = "mfa_pending"
PENDING_SECONDS = 300


def _after_login(user: User, next_url: str | None = None) -> ResponseReturnValue:
    target = safe_next_url(next_url if next_url is not None else request.values.get("next"))
    return redirect(target or url_for(auth_service.home_endpoint(user.role)), code=303)


def throttle_message(retry_at: datetime) -> str:
    """What happened and when to try again, in the person's language and time zone."""
    return _(
        "Too many failed login attempts. For your security, logging in to this account is "
        "paused until %(time)s. Try again then.",
        time=format_time(retry_at, "HH:mm"),
    )


def throttled_page(template: str, retry_at: datetime, **context: Any) -> Response:
    """The same form again with the reason and time, as 429 with Retry-After."""
    seconds = max(1, math.ceil((retry_at - utcnow()).total_seconds()))
    page = render_template(template, notice=throttle_message(retry_at), **context)
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> ResponseReturnValue:
    """Choose how to log in; local accounts log in with e-mail, password and (if set up) a code."""
    form = LoginForm(next=request.args.get("next", ""))
    providers = oidc.configured(current_app)
    if form.validate_on_submit():
        outcome = auth_service.attempt_password_login(
            session=get_session(), email=form.email.data, password=form.password.data
        )
        if outcome.retry_at is not None:
            return throttled_page(
                "auth/login.html", outcome.retry_at, form=form, providers=providers
            )
        if outcome.user is not None and outcome.needs_second_factor:
            http_session[PENDING_KEY] = {
                "uid": outcome.user.id,
                "exp": time.time() + PENDING_SECONDS,
                "next": safe_next_url(form.next.data) or "",
            }
            return redirect(url_for("auth.second_factor"), code=303)
        if outcome.user is not None:
            auth_service.login(user=outcome.user, method="password")
            return _after_login(outcome.user)
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("auth/login.html", form=form, providers=providers)


def _pending_user_id() -> int | None:
    pending = http_session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("exp", 0) < time.time():
        http_session.pop(PENDING_KEY, None)
        return None
    uid = pending.get("uid")
    return uid if isinstance(uid, int) else None


@bp.route("/kode", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def second_factor() -> ResponseReturnValue:
    """Second step of a local login: the code from the authenticator app or a recovery code."""
    user_id = _pending_user_id()
    if user_id is None:
        flash(_("Your login took too long. Please log in again."), "info")
        return redirect(url_for("auth.login"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        outcome = auth_service.attempt_second_factor(
            session=get_session(), user_id=user_id, code=form.code.data
        )
        if outcome.retry_at is not None:
            return throttled_page("auth/second_factor.html", outcome.retry_at, form=form)
        if outcome.user is not None:
            next_url = http_session[PENDING_KEY].get("next") or None
            auth_service.login(user=outcome.user, method=outcome.method)
            if outcome.method.endswith("recovery"):
                flash(
                    _("You used a recovery code. It cannot be used again."),
                    "info",
                )
            return _after_login(outcome.user, next_url)
        form.code.errors.append(_("The code is wrong or has already been used."))
    return render_template("auth/second_factor.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session on the server; the old cookie stops working."""
    auth_service.logout()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"), code=303)


# A re-authentication through the provider in progress: who asked, and since when.
REAUTH_KEY = "oidc_reauth"
# Clock skew allowed between the provider's ``auth_time`` and this server.
AUTH_TIME_LEEWAY = 60
REFUSALS = {
    "assurance": _l(
        "Your login was not made at the assurance level this service requires "
        "(MitID: substantial or high). Please log in again with MitID."
    ),
    "role": _l(
        "Your municipal account is not registered as a Jobunivers caseworker. "
        "Ask your IT department for access."
    ),
    "other_person": _l(
        "You confirmed with another account than the one you are logged in with. "
        "Nothing was changed."
    ),
    "not_fresh": _l("The identity provider did not ask you to log in again. Please try again."),
}


@bp.get("/oidc/<provider>")
def oidc_login(provider: str) -> ResponseReturnValue:
    """Start the OpenID Connect authorisation-code flow (PKCE, state, nonce, assurance level).

    ``?reauth=1`` from a logged-in person asks the provider for a fresh login (re-authentication
    before a sensitive change).
    """
    if provider not in oidc.configured(current_app):
        abort(404)
    next_url = safe_next_url(request.args.get("next"))
    if next_url:
        http_session["login_next"] = next_url
    reauthenticate = request.args.get("reauth") == "1" and current_user.is_authenticated
    if reauthenticate:
        http_session[REAUTH_KEY] = {"uid": current_user.id, "started": int(time.time())}
    else:
        http_session.pop(REAUTH_KEY, None)
    callback_url = url_for("auth.oidc_callback", provider=provider, _external=True)
    params = oidc.authorize_params(
        current_app.config, oidc.PROVIDERS[provider], reauthenticate=reauthenticate
    )
    try:
        return oidc.client(provider).authorize_redirect(callback_url, **params)
    except RequestException as error:
        return _login_failed(provider, error, status=502)


@bp.get("/oidc/<provider>/callback")
def oidc_callback(provider: str) -> ResponseReturnValue:
    """Finish the flow: state, signature, issuer, audience and nonce are checked by Authlib;
    the assurance level and (for caseworkers) the role claim here."""
    if provider not in oidc.configured(current_app):
        abort(404)
    client = oidc.client(provider)
    reauth = http_session.pop(REAUTH_KEY, None)
    try:
        token = client.authorize_access_token()
        metadata = client.load_server_metadata()
    # Authlib raises its own errors for state/grant problems but joserfc's for ID-token claims
    # (aud, azp, iss, exp, nonce); both mean "refuse", never a 500.
    except (AuthlibBaseError, JoseError) as error:
        return _login_failed(provider, error, status=400)
    except RequestException as error:
        return _login_failed(provider, error, status=502)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        # Without a validated ID token there is no identity (a bare OAuth token is not one).
        return _login_failed(provider, "no ID token in the token response", status=400)
    refused = oidc.refusal(
        config=current_app.config, provider=oidc.PROVIDERS[provider], claims=dict(claims)
    )
    if refused:
        return _login_failed(provider, refused, status=403, reason=refused)
    if isinstance(reauth, dict):
        return _finish_reauthentication(provider, reauth, metadata["issuer"], dict(claims))
    user = oidc.user_from_claims(
        session=get_session(),
        provider=oidc.PROVIDERS[provider],
        issuer=metadata["issuer"],
        claims=dict(claims),
    )
    if not user.is_active:
        abort(403)
    next_url = http_session.pop("login_next", None)
    auth_service.login(user=user, method=f"oidc:{provider}")
    return redirect(next_url or url_for(auth_service.home_endpoint(user.role)), code=303)


def _finish_reauthentication(
    provider: str, reauth: dict[str, Any], issuer: str, claims: dict[str, Any]
) -> ResponseReturnValue:
    """The same person, freshly logged in at the provider: the session is re-authenticated."""
    same_person = (
        current_user.is_authenticated
        and current_user.id == reauth.get("uid")
        and current_user.oidc_issuer == issuer
        and current_user.oidc_subject == str(claims["sub"])
    )
    if not same_person:
        return _login_failed(
            provider, "re-authentication by another account", status=403, reason="other_person"
        )
    auth_time = claims.get("auth_time")
    started = reauth.get("started", 0)
    if not isinstance(auth_time, int | float) or auth_time < started - AUTH_TIME_LEEWAY:
        return _login_failed(
            provider, "re-authentication without a fresh login", status=403, reason="not_fresh"
        )
    auth_service.mark_reauthenticated(session=get_session())
    next_url = http_session.pop("login_next", None)
    return redirect(next_url or url_for(auth_service.home_endpoint(current_user.role)), code=303)


def _login_failed(
    provider: str, detail: object, *, status: int, reason: str | None = None
) -> tuple[str, int]:
    """Log why an OIDC login was refused and show the friendly page (it says what happened)."""
    current_app.logger.warning("OIDC login via %s refused: %s", provider, detail)
    message = REFUSALS.get(reason) if reason else None
    return render_template("auth/login_failed.html", reason=message), status


@bp.get("/demo")
def demo() -> ResponseReturnValue:
    """Demo mode only: one-click login as one of the demo accounts."""
    if not current_app.config["DEMO"]:
        abort(404)
    accounts = auth_service.demo_accounts(session=get_session())
    return render_template("auth/demo.html", accounts=accounts, form=DemoLoginForm())


@bp.post("/demo")
def demo_login() -> ResponseReturnValue:
    """Log in as the chosen demo account (demo mode only)."""
    if not current_app.config["DEMO"]:
        abort(404)
    form = DemoLoginForm()
    user_id = parse_id(form.user_id.data)  # a number too large for the database is no id
    if not form.validate_on_submit() or user_id is None:
        abort(400)
    user = auth_service.demo_account(session=get_session(), user_id=user_id)
    if user is None:
        abort(404)
    auth_service.login(user=user, method="demo")
    return redirect(url_for(auth_service.home_endpoint(user.role)), code=303)


@bp.get("/")
def index() -> ResponseReturnValue:
    """``/auth/`` goes to the login page, or home when already logged in."""
    if current_user.is_authenticated:
        return redirect(url_for(auth_service.home_endpoint(current_user.role)))
    return redirect(url_for("auth.login"))
