"""Accounts, passwords and server-side login sessions.

The Flask session cookie (``http_session`` here; ``session`` is always the database session)
carries a random session token; the database keeps only its SHA-256 and the session's state, so
logging out (or an idle/absolute timeout) invalidates a replayed cookie. What an unauthenticated
request is answered with is decided in ``app.security``.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request
from flask import session as http_session
from flask_login import LoginManager
from sqlmodel import Session, col, select

from app.db import get_session
from app.models import AuthSession, Role, User, utcnow
from app.services import login_throttle, mfa, privacy

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
    if user is not None and user.is_demo and not current_app.config["DEMO"]:
        # Demo accounts share a published password: outside demo mode it opens nothing.
        return None
    return user if user and user.is_active else None


@dataclass(frozen=True)
class LoginOutcome:
    """The result of one step of a local login (password, second factor or re-authentication).

    ``user`` is set when the secret was right; ``needs_second_factor`` when the password was right
    but the account has a second factor still to give; ``retry_at`` when the account or address
    is throttled (then nothing was checked, or this failure started the wait).
    """

    user: User | None = None
    needs_second_factor: bool = False
    retry_at: datetime | None = None
    method: str = "password"


def _throttle_keys(email: str) -> login_throttle.Keys:
    return login_throttle.Keys.of(privacy.pseudonymiser(), email=email, address=request.remote_addr)


def _throttled(session: Session, keys: login_throttle.Keys) -> datetime | None:
    limits = login_throttle.Limits.from_config(current_app.config)
    return login_throttle.check(session=session, keys=keys, limits=limits).retry_at


def _guarded(
    session: Session, email: str, check: Callable[[], object]
) -> tuple[LoginOutcome | None, object]:
    """Run ``check`` as one throttled attempt: refused while throttled, counted if it fails."""
    keys = _throttle_keys(email)
    retry_at = _throttled(session, keys)
    if retry_at is not None:
        current_app.logger.warning("local login throttled until %s", retry_at.isoformat())
        return LoginOutcome(retry_at=retry_at), None
    attempt = login_throttle.begin(session=session, keys=keys)
    result = check()
    if not result:
        # This failure may be the one that starts the wait: say so at once.
        return LoginOutcome(retry_at=_throttled(session, keys)), None
    login_throttle.passed(session=session, attempt_id=attempt)
    return None, result


def attempt_password_login(*, session: Session, email: str, password: str) -> LoginOutcome:
    """First step of a local login, throttled per account and per client address.

    A right password ends the account's failure streak only when no second factor follows;
    otherwise guessing the code could reset the count by giving the password again.
    """
    refused, user = _guarded(
        session, email, lambda: authenticate_local(session=session, email=email, password=password)
    )
    if refused is not None:
        return refused
    assert isinstance(user, User) and user.id is not None
    if mfa.is_enabled(session=session, user_id=user.id):
        return LoginOutcome(user=user, needs_second_factor=True)
    login_throttle.clear_account(session=session, keys=_throttle_keys(email))
    return LoginOutcome(user=user)


def attempt_second_factor(*, session: Session, user_id: int, code: str) -> LoginOutcome:
    """Second step: a TOTP or recovery code, throttled like the password (same account key)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or not user.email:
        return LoginOutcome()
    refused, method = _guarded(
        session, user.email, lambda: mfa.verify(session=session, user_id=user_id, code=code)
    )
    if refused is not None:
        return refused
    login_throttle.clear_account(session=session, keys=_throttle_keys(user.email))
    return LoginOutcome(user=user, method=f"password+{method}")


def attempt_reauthentication(
    *, session: Session, user: User, password: str, code: str | None
) -> LoginOutcome:
    """Prove again who one is (password, and the code when a second factor is set up).

    Throttled like a login, so a stolen session cannot be used to guess the password.
    """
    email, user_id = user.email or "", user.id
    assert user_id is not None
    needs_code = mfa.is_enabled(session=session, user_id=user_id)

    def check() -> bool:
        if authenticate_local(session=session, email=email, password=password) is None:
            return False
        return not needs_code or bool(mfa.verify(session=session, user_id=user_id, code=code or ""))

    refused, _ok = _guarded(session, email, check)
    if refused is not None:
        return refused
    login_throttle.clear_account(session=session, keys=_throttle_keys(email))
    mark_reauthenticated(session=session)
    return LoginOutcome(user=user)


def current_auth_session() -> AuthSession | None:
    """The server-side session of this request (set when the user was loaded)."""
    return g.get("auth_session")


def recently_authenticated(*, max_age: timedelta | None = None) -> bool:
    """Did the person log in or re-authenticate within ``max_age`` (``REAUTH_MINUTES``)?"""
    row = current_auth_session()
    if row is None:
        return False
    max_age = max_age or timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return utcnow() - row.authenticated_at <= max_age


def mark_reauthenticated(*, session: Session) -> None:
    """Record a fresh proof of identity on the current server-side session."""
    current = current_auth_session()
    row = session.get(AuthSession, current.id) if current is not None else None
    if row is None:
        return
    row.authenticated_at = utcnow()
    session.add(row)
    session.commit()
    g.auth_session = row


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, session: Session, user: User, method: str) -> str:
    """Create a server-side session for ``user`` and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None  # a stored account
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

    locale = http_session.get("locale")
    http_session.clear()
    if locale:
        http_session["locale"] = locale
    http_session[SESSION_KEY] = start_session(session=get_session(), user=user, method=method)
    http_session.permanent = True
    login_user(user)


def logout() -> None:
    """Revoke the server-side session and clear the cookie."""
    from flask_login import logout_user

    end_session(session=get_session(), token=http_session.get(SESSION_KEY))
    logout_user()
    locale = http_session.get("locale")
    http_session.clear()
    if locale:
        http_session["locale"] = locale


def home_endpoint(role: str) -> str:
    """The landing page of a role."""
    endpoints: dict[str, str] = {
        Role.JOBSEEKER: "jobseeker.overview_page",
        Role.CASEWORKER: "caseworker.index",
        Role.EMPLOYER: "employer.index",
        Role.ADMIN: "admin.index",
    }
    return endpoints.get(role, "public.index")


def init_login_manager(manager: LoginManager) -> None:
    """Load users only through a live server-side session (the answer to a request that needs a
    login is ``app.security.unauthorized``)."""
    manager.login_view = "auth.login"
    manager.session_protection = None  # our own server-side sessions replace it

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        token = http_session.get(SESSION_KEY)
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
            http_session.pop(SESSION_KEY, None)
            return None
        g.auth_session = row  # for re-authentication checks and the second-factor gate
        user = db.get(User, row.user_id)
        return user if user and user.is_active else None


def set_locale(*, session: Session, user: User, locale: str) -> None:
    """Store the user's language choice on the account."""
    db_user = session.get(User, user.id)
    if db_user is not None:
        db_user.locale = locale
        session.add(db_user)
        session.commit()


# How many accounts of each role the one-click demo login offers.
DEMO_ACCOUNTS_PER_ROLE = 6


def demo_accounts(
    *, session: Session, per_role: int = DEMO_ACCOUNTS_PER_ROLE
) -> dict[str, list[User]]:
    """The first demo accounts of each role, by role (jobseekers, caseworkers, employers, admins),
    for the one-click demo login."""
    return {
        role: list(
            session.exec(
                select(User)
                .where(User.role == role, col(User.is_demo))
                .order_by(col(User.id))
                .limit(per_role)
            ).all()
        )
        for role in (Role.JOBSEEKER, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN)
    }


def demo_account(*, session: Session, user_id: int) -> User | None:
    """The active demo account with this id, or None (any other account is no demo login)."""
    user = session.get(User, user_id)
    if user is None or not user.is_demo or not user.is_active:
        return None
    return user
