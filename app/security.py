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
