"""Server-side login sessions: fresh token per login, logout that really ends the session,
idle and absolute timeouts, logout only by POST, and no open redirects after login."""

import hashlib
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuthSession, Role, User, utcnow
from tests.conftest import PASSWORD


def session_cookie(app: Flask, client: FlaskClient) -> str | None:
    """The raw (signed) session cookie the browser holds."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def session_token(app: Flask, client: FlaskClient) -> str | None:
    """The login token (``sid``) inside the signed session cookie."""
    raw = session_cookie(app, client)
    if raw is None:
        return None
    return app.session_interface.get_signing_serializer(app).loads(raw).get("sid")


def password_login(client: FlaskClient, user: User, **data: str):
    return client.post("/auth/login", data={"email": user.email, "password": PASSWORD, **data})


def is_logged_in(client: FlaskClient) -> bool:
    """Probe a page behind the jobseeker gate; anonymous users are sent to the login page."""
    response = client.get("/jobsoeger/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/login")
        return False
    assert response.status_code == 200
    return True


def stored_session(db: Session, token: str) -> AuthSession:
    """The database row of a token (only its SHA-256 is stored)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == digest)).one()
    db.refresh(row)
    return row


def age_session(db: Session, token: str, *, idle: timedelta, age: timedelta | None = None) -> None:
    """Pretend the session was last used ``idle`` ago (and started ``age`` ago)."""
    row = stored_session(db, token)
    row.last_seen_at = utcnow() - idle
    row.created_at = utcnow() - (age or idle)
    db.add(row)
    db.commit()


def test_each_login_gets_a_new_token(app, client, make_user, session):
    user = make_user(Role.JOBSEEKER)
    assert session_token(app, client) is None

    assert password_login(client, user).status_code == 303
    first = session_token(app, client)
    # Logging in again on top of a live session (session fixation) must also rotate the token.
    assert password_login(client, user).status_code == 303
    second = session_token(app, client)
    client.post("/auth/logout")
    assert password_login(client, user).status_code == 303
    third = session_token(app, client)

    assert None not in (first, second, third)
    assert len({first, second, third}) == 3
    assert len(first) >= 40  # 32 random bytes, URL-safe base64
    # The database knows only the hash, never the token itself.
    assert stored_session(session, third).user_id == user.id
    assert session.exec(select(AuthSession).where(AuthSession.token_hash == third)).first() is None


def test_login_cookie_is_httponly_and_samesite(client, make_user):
    response = password_login(client, make_user(Role.JOBSEEKER))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_invalidates_the_session_on_the_server(app, client, login_as, session):
    login_as(Role.JOBSEEKER)
    assert is_logged_in(client)
    old_cookie = session_cookie(app, client)
    token = session_token(app, client)

    response = client.post("/auth/logout")
    assert response.status_code == 303
    assert not is_logged_in(client)
    assert stored_session(session, token).revoked_at is not None

    # Replaying the cookie captured before logout must not bring the session back.
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], old_cookie)
    assert session_token(app, client) == token
    assert not is_logged_in(client)
    assert client.get("/api/me").status_code == 401


def test_logout_only_by_post(client, login_as):
    login_as(Role.JOBSEEKER)
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"].split(", ")
    assert "Ikke tilladt" in response.get_data(as_text=True)
    assert is_logged_in(client)


@pytest.mark.parametrize(
    ("idle_minutes", "idle", "alive"),
    [
        (30, timedelta(minutes=29), True),
        (30, timedelta(minutes=31), False),
        (1, timedelta(minutes=2), False),
        (5, timedelta(minutes=2), True),
    ],
)
def test_idle_timeout(app, client, login_as, session, idle_minutes, idle, alive):
    app.config["SESSION_IDLE_MINUTES"] = idle_minutes
    login_as(Role.JOBSEEKER)
    token = session_token(app, client)

    age_session(session, token, idle=idle)

    assert is_logged_in(client) is alive
    row = stored_session(session, token)
    if alive:
        # Activity slides the idle window forward.
        assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    else:
        assert row.revoked_at is not None


def test_expired_session_stays_dead(app, client, login_as, session):
    login_as(Role.JOBSEEKER)
    token = session_token(app, client)
    age_session(session, token, idle=timedelta(hours=1))
    assert not is_logged_in(client)

    # Even if the clock were turned back, a revoked session never returns.
    cookie_after_expiry = session_cookie(app, client)
    age_session(session, token, idle=timedelta(0))
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_after_expiry)
    assert not is_logged_in(client)


@pytest.mark.parametrize(("age_minutes", "alive"), [(11 * 60 + 50, True), (12 * 60 + 1, False)])
def test_absolute_timeout(app, client, login_as, session, age_minutes, alive):
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12
    login_as(Role.JOBSEEKER)
    token = session_token(app, client)

    # Used a moment ago, but started long ago: only the absolute limit can end it.
    age_session(session, token, idle=timedelta(seconds=5), age=timedelta(minutes=age_minutes))

    assert is_logged_in(client) is alive


def test_deactivated_account_is_logged_out(client, login_as, session):
    user = login_as(Role.JOBSEEKER)
    assert is_logged_in(client)
    user.is_active = False
    session.add(user)
    session.commit()
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/jobsoeger/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "http://localhost.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_to_another_host_is_ignored(client, make_user, target):
    response = password_login(client, make_user(Role.JOBSEEKER), next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/jobsoeger/"


def test_next_on_this_host_is_followed(client, make_user):
    response = client.get("/jobsoeger/")
    assert response.headers["Location"] == "/auth/login?next=/jobsoeger/"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/jobsoeger/"' in login_page

    response = password_login(client, make_user(Role.JOBSEEKER), next="/aabenhed/?fane=data")
    assert response.headers["Location"] == "/aabenhed/?fane=data"


def test_wrong_password_does_not_log_in(client, make_user):
    user = make_user(Role.EMPLOYER)
    response = client.post("/auth/login", data={"email": user.email, "password": "forkert"})
    assert response.status_code == 200
    assert "Forkert e-mail eller adgangskode" in response.get_data(as_text=True)
    assert client.get("/api/me").status_code == 401
