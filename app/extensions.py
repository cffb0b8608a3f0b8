"""Unbound extension objects; ``create_app`` binds them to the application."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


def rate_limit_key() -> str:
    """Whose budget a request spends: the account when logged in, else the client address.

    Many citizens share one jobcentre or municipal network address; keyed by account they do
    not throttle each other. Anonymous requests (the login form among them) stay per address.
    """
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return get_remote_address()


limiter = Limiter(key_func=rate_limit_key)
