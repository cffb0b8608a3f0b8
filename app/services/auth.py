"""Accounts, passwords and server-side login sessions.

The Flask session cookie carries a random session token; the database keeps only its SHA-256 and
the session's state, so logging out (or an idle/absolute timeout) invalidates a replayed cookie.
"""

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import LoginManager
from sqlmodel import Session, select

from app import htmx
from app.db import get_session
from app.models import AuthSession, Role, User, utcnow

_hasher = PasswordHasher()
# Dummy hash so a login for an unknown e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
SESSION_KEY = "sid"
TOUCH_INTERVAL = timedelta(seconds=60)


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash, in constant-ish time even without a hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate_local(*, session: Session, email: str, password: str) -> User | None:
    """The active local account with this e-mail and password, or None."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user if user and user.is_active else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, session: Session, user: User, method: str) -> str:
    """Create a server-side session for ``user`` and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(token_hash=_token_hash(token), user_id=user.id, auth_method=method))
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()
    return token


def end_session(*, session: Session, token: str | None) -> None:
    """Revoke a server-side session; a replayed cookie with this token is then refused."""
    if not token:
        return
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == _token_hash(token))
    ).first()
    if row and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()


def resolve_session(
    *, session: Session, token: str, idle: timedelta, absolute: timedelta
) -> AuthSession | None:
    """The live session for a token, or None if unknown, revoked, idle too long or too old.

    An expired session is revoked on the spot so it can never come back.
    """
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == _token_hash(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.revoked_at = now
        session.add(row)
        session.commit()
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return row


def purge_sessions(*, session: Session, older_than: timedelta) -> int:
    """Delete session records that ended or started longer ago than ``older_than``."""
    cutoff = utcnow() - older_than
    rows = session.exec(select(AuthSession).where(AuthSession.created_at < cutoff)).all()
    for row in rows:
        session.delete(row)
    session.commit()
    return len(rows)


def login(*, user: User, method: str) -> None:
    """Log ``user`` in with a fresh session token (the old cookie contents are dropped)."""
    from flask_login import login_user

    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session[SESSION_KEY] = start_session(session=get_session(), user=user, method=method)
    session.permanent = True
    login_user(user)


def logout() -> None:
    """Revoke the server-side session and clear the cookie."""
    from flask_login import logout_user

    end_session(session=get_session(), token=session.get(SESSION_KEY))
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def home_endpoint(role: str) -> str:
    """The landing page of a role."""
    return {
        Role.JOBSEEKER: "jobseeker.overview_page",
        Role.CASEWORKER: "caseworker.index",
        Role.EMPLOYER: "employer.index",
        Role.ADMIN: "admin.index",
    }.get(role, "public.index")


def init_login_manager(manager: LoginManager) -> None:
    """Load users only through a live server-side session; answer htmx with HX-Redirect."""
    manager.login_view = "auth.login"
    manager.session_protection = None  # our own server-side sessions replace it

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        token = session.get(SESSION_KEY)
        if not token or not user_id.isdigit():
            return None
        db = get_session()
        row = resolve_session(
            session=db,
            token=token,
            idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
        )
        if row is None or row.user_id != int(user_id):
            session.pop(SESSION_KEY, None)
            return None
        user = db.get(User, row.user_id)
        return user if user and user.is_active else None

    @manager.unauthorized_handler
    def unauthorized():
        login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
        if htmx.is_partial():
            response = jsonify(error="login required")
            response.status_code = 401
            response.headers["HX-Redirect"] = login_url
            return response
        if request.blueprint == "api":
            return jsonify(error="login required"), 401
        return redirect(login_url)


def set_locale(*, session: Session, user: User, locale: str) -> None:
    """Store the user's language choice on the account."""
    db_user = session.get(User, user.id)
    if db_user is not None:
        db_user.locale = locale
        session.add(db_user)
        session.commit()
