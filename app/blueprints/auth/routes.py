"""Views of the auth blueprint."""

from authlib.common.errors import AuthlibBaseError
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException
from sqlmodel import select

from app.blueprints.auth import bp
from app.blueprints.auth.forms import DemoLoginForm, LoginForm
from app.db import get_session
from app.extensions import limiter
from app.models import Role, User
from app.security import safe_next_url
from app.services import auth as auth_service
from app.services import oidc


def _after_login(user: User):
    target = safe_next_url(request.values.get("next"))
    return redirect(target or url_for(auth_service.home_endpoint(user.role)), code=303)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Choose how to log in; local accounts log in with e-mail and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = auth_service.authenticate_local(
            session=get_session(), email=form.email.data, password=form.password.data
        )
        if user is not None:
            auth_service.login(user=user, method="password")
            return _after_login(user)
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("auth/login.html", form=form, providers=oidc.configured(current_app))


@bp.post("/logout")
def logout():
    """End the session on the server; the old cookie stops working."""
    auth_service.logout()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"), code=303)


@bp.get("/oidc/<provider>")
def oidc_login(provider: str):
    """Start the OpenID Connect authorisation-code flow (PKCE, state, nonce)."""
    if provider not in oidc.configured(current_app):
        abort(404)
    next_url = safe_next_url(request.args.get("next"))
    if next_url:
        session["login_next"] = next_url
    callback_url = url_for("auth.oidc_callback", provider=provider, _external=True)
    try:
        return oidc.client(provider).authorize_redirect(callback_url)
    except RequestException as error:
        return _login_failed(provider, error, status=502)


@bp.get("/oidc/<provider>/callback")
def oidc_callback(provider: str):
    """Finish the flow: state, signature, issuer, audience and nonce are checked by Authlib."""
    if provider not in oidc.configured(current_app):
        abort(404)
    client = oidc.client(provider)
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
    user = oidc.user_from_claims(
        session=get_session(),
        provider=oidc.PROVIDERS[provider],
        issuer=metadata["issuer"],
        claims=dict(claims),
    )
    if not user.is_active:
        abort(403)
    next_url = session.pop("login_next", None)
    auth_service.login(user=user, method=f"oidc:{provider}")
    return redirect(next_url or url_for(auth_service.home_endpoint(user.role)), code=303)


def _login_failed(provider: str, reason: object, *, status: int):
    """Log why an OIDC login was refused and show the friendly page (it says what happened)."""
    current_app.logger.warning("OIDC login via %s refused: %s", provider, reason)
    return render_template("auth/login_failed.html"), status


@bp.get("/demo")
def demo():
    """Demo mode only: one-click login as one of the demo accounts."""
    if not current_app.config["DEMO"]:
        abort(404)
    db = get_session()
    accounts: dict[str, list[User]] = {}
    for role in (Role.JOBSEEKER, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN):
        accounts[role] = list(
            db.exec(
                select(User).where(User.role == role, User.is_demo).order_by(User.id).limit(6)
            ).all()
        )
    return render_template("auth/demo.html", accounts=accounts, form=DemoLoginForm())


@bp.post("/demo")
def demo_login():
    """Log in as the chosen demo account (demo mode only)."""
    if not current_app.config["DEMO"]:
        abort(404)
    form = DemoLoginForm()
    if not form.validate_on_submit() or not str(form.user_id.data).isdigit():
        abort(400)
    user = get_session().get(User, int(form.user_id.data))
    if user is None or not user.is_demo or not user.is_active:
        abort(404)
    auth_service.login(user=user, method="demo")
    return redirect(url_for(auth_service.home_endpoint(user.role)), code=303)


@bp.get("/")
def index():
    """``/auth/`` goes to the login page, or home when already logged in."""
    if current_user.is_authenticated:
        return redirect(url_for(auth_service.home_endpoint(current_user.role)))
    return redirect(url_for("auth.login"))
