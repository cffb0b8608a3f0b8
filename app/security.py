"""Role gates and safe redirects shared by the blueprints."""

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from flask import abort, request
from flask_login import current_user

from app.extensions import login_manager


def role_gate(*roles: str) -> Callable[[], object]:
    """A ``before_request`` hook that lets only logged-in users with one of ``roles`` through."""

    def gate():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None

    return gate


def safe_next_url(target: str | None) -> str | None:
    """``target`` if it stays on this host (no open redirects), else None."""
    if not target:
        return None
    host = urlsplit(request.host_url)
    resolved = urlsplit(urljoin(request.host_url, target))
    if resolved.scheme in ("http", "https") and resolved.netloc == host.netloc and target.startswith("/"):
        return target
    return None
