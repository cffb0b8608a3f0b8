"""Role gates, the answer to requests that need a login, and safe redirects shared by the
blueprints."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import abort, flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.extensions import login_manager


def unauthorized() -> ResponseReturnValue:
    """Flask-Login's answer to a request that needs a login: the login page, and back here after.

    htmx gets 401 with ``HX-Redirect`` (a redirect would be swapped into the fragment), the JSON
    API a 401 with a JSON body.
    """
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if htmx.is_partial():
        response = jsonify(error="login required")
        response.status_code = 401
        response.headers["HX-Redirect"] = login_url
        return response
    if request.blueprint == "api":
        return jsonify(error="login required"), 401
    return redirect(login_url)


def role_gate(*roles: str) -> Callable[[], ResponseReturnValue | None]:
    """A ``before_request`` hook that lets only logged-in users with one of ``roles`` through.

    Roles that must use a second factor (``MFA_REQUIRED_ROLES``, admins) are sent to set it up
    first; the one-click demo login (development only) is exempt.
    """

    def gate() -> ResponseReturnValue | None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        if _second_factor_missing():
            if request.blueprint == "api":
                abort(403)
            flash(_("Set up two-step login before you continue."), "info")
            return _redirect(url_for("auth.security", next=request.full_path.rstrip("?")))
        return None

    return gate


def _second_factor_missing() -> bool:
    from app.db import get_session
    from app.services import auth, mfa

    if not mfa.required(user=current_user):
        return False
    row = auth.current_auth_session()
    if row is not None and row.auth_method == "demo":
        return False
    return not mfa.is_enabled(session=get_session(), user_id=current_user.id)


def _redirect(target: str) -> ResponseReturnValue:
    """A redirect that htmx follows as a whole page (a fragment swap would hide it)."""
    if htmx.is_partial():
        response = jsonify(redirect=target)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


def require_recent_auth(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let a view run only if the person logged in or re-authenticated in the last
    ``REAUTH_MINUTES`` minutes; otherwise send them to confirm who they are, then back.

    A POST cannot be replayed after the detour, so the person returns to the page (GET) and
    submits again.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from app.services import auth

        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not auth.recently_authenticated():
            back = request.full_path.rstrip("?") if request.method == "GET" else request.path
            return _redirect(url_for("auth.reauthenticate", next=back))
        return view(*args, **kwargs)

    return wrapped


def safe_next_url(target: str | None) -> str | None:
    """``target`` if it is a path on this host (no open redirects), else None.

    Browsers read ``//host``, ``/\\host`` and paths with tabs or newlines in them as links to
    another host, so only a plain path with one leading slash passes.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    host = urlsplit(request.host_url)
    resolved = urlsplit(urljoin(request.host_url, target))
    if resolved.scheme in ("http", "https") and resolved.netloc == host.netloc:
        return target
    return None
