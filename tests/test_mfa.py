"""Second factor (TOTP with QR code and one-time recovery codes) for local accounts: required for
admins, offered to employers and caseworkers; re-authentication within 5 minutes before erasure
and changes to the second factor."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import AuthSession, MfaCredential, RecoveryCode, Role, User, utcnow
from app.services import mfa
from tests.conftest import PASSWORD, TOTP_SECRETS, enrol_totp, log_in, totp_code

STEP = 30


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(int(time.time() // STEP) + offset_steps)


def begin(app: Flask, session: Session, user: User) -> str:
    with app.app_context():
        mfa.begin_enrolment(session=session, user_id=user.id)
        return mfa.pending_enrolment(session=session, user=user).secret


def sessions_of(session: Session, user: User) -> list[AuthSession]:
    session.expire_all()
    return list(session.exec(select(AuthSession).where(AuthSession.user_id == user.id)))


def age_authentication(session: Session, user: User, minutes: float) -> None:
    """Pretend the person last proved who they are ``minutes`` ago."""
    for row in sessions_of(session, user):
        row.authenticated_at = utcnow() - timedelta(minutes=minutes)
        session.add(row)
    session.commit()


def body(response) -> str:
    return response.get_data(as_text=True)


def english(client: FlaskClient) -> None:
    """Read the pages in English (the Danish texts are checked in tests/test_i18n.py)."""
    client.set_cookie("locale", "en")


# --- Service --------------------------------------------------------------------------------------


def test_enrolment_needs_a_right_code_and_gives_ten_recovery_codes(app, session, make_user):
    user = make_user(Role.EMPLOYER)
    secret = begin(app, session, user)
    with app.app_context():
        assert not mfa.is_enabled(session=session, user_id=user.id)
        assert mfa.confirm_enrolment(session=session, user_id=user.id, code="000000") is None
        codes = mfa.confirm_enrolment(session=session, user_id=user.id, code=code_at(secret))
        assert mfa.is_enabled(session=session, user_id=user.id)
        assert mfa.status(session=session, user_id=user.id).recovery_codes_left == 10
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code) for code in codes)
    # Only hashes are stored.
    stored = {row.code_hash for row in session.exec(select(RecoveryCode))}
    assert not stored & {c.replace("-", "") for c in codes}


def test_the_secret_is_stored_encrypted(app, session, make_user):
    user = make_user(Role.EMPLOYER)
    secret = begin(app, session, user)
    row = session.get(MfaCredential, user.id)
    assert secret not in row.secret_encrypted
    # Another key (say, a copy of the database with a guessed key) cannot read it.
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidToken
        Fernet(Fernet.generate_key()).decrypt(row.secret_encrypted.encode())
    app.config["SECRET_KEY"] = "another-key"
    with app.app_context():
        assert mfa.pending_enrolment(session=session, user=user) is None


def test_a_code_works_once(app, session, make_user):
    user = make_user(Role.EMPLOYER)
    secret = enrol_totp(app, session, user)
    code = code_at(secret)
    with app.app_context():
        assert mfa.verify(session=session, user_id=user.id, code=code) == "totp"
        assert mfa.verify(session=session, user_id=user.id, code=code) is None  # replay
        # An older step's code is no good once a newer one was used, even inside the window.
        assert mfa.verify(session=session, user_id=user.id, code=code_at(secret, -1)) is None
        # The next step's code (a phone clock a little ahead) is accepted.
        assert mfa.verify(session=session, user_id=user.id, code=code_at(secret, 1)) == "totp"


def test_codes_outside_the_drift_window_are_refused(app, session, make_user):
    user = make_user(Role.EMPLOYER)
    secret = enrol_totp(app, session, user)
    with app.app_context():
        for offset in (-3, 2, 5):
            assert (
                mfa.verify(session=session, user_id=user.id, code=code_at(secret, offset)) is None
            )


def test_recovery_codes_work_once_and_forgive_formatting(app, session, make_user):
    user = make_user(Role.EMPLOYER)
    secret = begin(app, session, user)
    with app.app_context():
        codes = mfa.confirm_enrolment(session=session, user_id=user.id, code=code_at(secret))
        typed = codes[0].replace("-", " ").lower()
        assert mfa.verify(session=session, user_id=user.id, code=typed) == "recovery"
        assert mfa.verify(session=session, user_id=user.id, code=codes[0]) is None
        assert mfa.status(session=session, user_id=user.id).recovery_codes_left == 9
        new = mfa.regenerate_recovery_codes(session=session, user_id=user.id)
        assert mfa.verify(session=session, user_id=user.id, code=codes[1]) is None  # old: gone
        assert mfa.verify(session=session, user_id=user.id, code=new[0]) == "recovery"


# --- Login with a second factor ------------------------------------------------------------------


def test_login_asks_for_the_code_after_the_password(app, client, session, make_user):
    user = make_user(Role.EMPLOYER)
    enrol_totp(app, session, user)
    english(client)

    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "next": "/aabenhed/"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/kode"
    assert client.get("/api/me").status_code == 401  # the password alone is not a login
    page = client.get("/auth/kode")
    assert 'autocomplete="one-time-code"' in body(page)

    wrong = client.post("/auth/kode", data={"code": "123456"})
    assert wrong.status_code == 200
    assert "The code is wrong or has already been used" in body(wrong)

    response = client.post("/auth/kode", data={"code": totp_code(session, user)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/aabenhed/"
    assert client.get("/api/me").get_json()["id"] == user.id
    assert [s.auth_method for s in sessions_of(session, user)] == ["password+totp"]


def test_a_recovery_code_logs_in_once(app, client, session, make_user):
    user = make_user(Role.EMPLOYER)
    secret = begin(app, session, user)
    with app.app_context():
        codes = mfa.confirm_enrolment(session=session, user_id=user.id, code=code_at(secret))
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/auth/kode", data={"code": codes[3]})
    assert response.status_code == 303
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert client.post("/auth/kode", data={"code": codes[3]}).status_code == 200


def test_the_code_page_without_a_password_goes_back_to_login(client):
    response = client.post("/auth/kode", data={"code": "123456"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"


def test_guessing_codes_is_throttled_like_passwords(app, client, session, make_user):
    user = make_user(Role.EMPLOYER)
    enrol_totp(app, session, user)
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    statuses = [client.post("/auth/kode", data={"code": "000000"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The right password again does not reset the count (the streak ends only when fully in).
    again = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert again.status_code == 429


# --- Admins must, others may ------------------------------------------------------------------


def test_an_admin_without_second_factor_is_sent_to_set_it_up(app, client, session, make_user):
    admin = make_user(Role.ADMIN)
    english(client)
    assert log_in(client, admin).status_code == 303  # no code yet: the password logs in

    for path in ("/admin/", "/admin/anmodninger"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/auth/sikkerhed?next=/admin/")
    fragment = client.get("/admin/", headers={"HX-Request": "true"})
    assert fragment.headers["HX-Redirect"].startswith("/auth/sikkerhed")
    assert client.get("/api/me").status_code == 403

    page = client.get("/auth/sikkerhed")
    assert "Administrators must set up two-step login" in body(page)
    started = client.post("/auth/sikkerhed/totp/start", data={"next": "/admin/"})
    assert started.status_code == 303
    setup = client.get(started.headers["Location"])
    assert setup.headers["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in body(setup)  # the QR code, allowed by img-src data:
    assert "<script" not in body(setup).split("</head>")[1]  # CSP: no inline script
    secret = re.search(r'class="totp-key">([A-Z2-7]+)<', body(setup)).group(1)

    done = client.post(started.headers["Location"], data={"code": code_at(secret)})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([A-Z2-9-]{19})</code>", body(done))
    assert len(codes) == 10
    assert 'href="/admin/"' in body(done)
    assert client.get("/admin/").status_code == 200
    # Shown once: the security page does not list them again.
    assert codes[0] not in body(client.get("/auth/sikkerhed"))


def test_the_demo_admin_login_stays_one_click(app, client, session):
    admin = User(role=Role.ADMIN, name="Demo Admin", email="demo-admin@example.dk", is_demo=True)
    session.add(admin)
    session.commit()
    assert client.post("/auth/demo", data={"user_id": admin.id}).status_code == 303
    assert client.get("/admin/").status_code == 200


def test_admins_cannot_switch_it_off(client, login_as, session):
    admin = login_as(Role.ADMIN)
    response = client.post("/auth/sikkerhed/totp/slaa-fra")
    assert response.status_code == 303
    with client.application.app_context():
        assert mfa.is_enabled(session=session, user_id=admin.id)


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.CASEWORKER])
def test_employers_and_caseworkers_may_switch_it_on_and_off(client, login_as, session, role):
    user = login_as(role)
    english(client)
    nav = body(client.get("/auth/sikkerhed"))
    assert 'href="/auth/sikkerhed"' in nav  # the link in the menu
    assert "Set up two-step login" in nav
    started = client.post("/auth/sikkerhed/totp/start")
    secret = re.search(
        r'class="totp-key">([A-Z2-7]+)<', body(client.get(started.headers["Location"]))
    ).group(1)
    assert client.post("/auth/sikkerhed/totp", data={"code": code_at(secret)}).status_code == 200
    with client.application.app_context():
        assert mfa.is_enabled(session=session, user_id=user.id)

    assert client.post("/auth/sikkerhed/totp/slaa-fra").status_code == 303
    with client.application.app_context():
        assert not mfa.is_enabled(session=session, user_id=user.id)
    assert session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []


def test_jobseekers_are_not_offered_totp(client, login_as):
    login_as(Role.JOBSEEKER)
    assert 'href="/auth/sikkerhed"' not in body(client.get("/jobsoeger/samtykker"))
    assert client.post("/auth/sikkerhed/totp/start").status_code == 404


# --- Re-authentication ---------------------------------------------------------------------------


def test_changing_the_second_factor_needs_a_recent_login(client, login_as, session):
    user = login_as(Role.EMPLOYER)
    enrol_totp(client.application, session, user)
    age_authentication(session, user, minutes=6)

    response = client.post("/auth/sikkerhed/totp/slaa-fra")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/bekraeft?next=/auth/sikkerhed/totp/slaa-fra"
    with client.application.app_context():
        assert mfa.is_enabled(session=session, user_id=user.id)
    assert client.post("/auth/sikkerhed/gendannelseskoder").status_code == 303

    page = client.get("/auth/bekraeft?next=/auth/sikkerhed")
    assert 'name="code"' in body(page)  # password and code, as at login
    wrong = client.post("/auth/bekraeft", data={"password": PASSWORD, "next": "/auth/sikkerhed"})
    assert wrong.status_code == 200
    right = client.post(
        "/auth/bekraeft",
        data={"password": PASSWORD, "code": totp_code(session, user), "next": "/auth/sikkerhed"},
    )
    assert right.status_code == 303
    assert right.headers["Location"] == "/auth/sikkerhed"
    assert client.post("/auth/sikkerhed/totp/slaa-fra").status_code == 303
    with client.application.app_context():
        assert not mfa.is_enabled(session=session, user_id=user.id)


def test_reauthentication_is_throttled(client, login_as):
    login_as(Role.EMPLOYER)
    statuses = [
        client.post("/auth/bekraeft", data={"password": "forkert"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def erasure_page(client: FlaskClient, **kwargs):
    return client.get("/jobsoeger/slet-mig", **kwargs)


def test_erasure_needs_a_login_in_the_last_five_minutes(client, login_as, session):
    user = login_as(Role.JOBSEEKER)
    english(client)
    assert erasure_page(client).status_code == 200  # just logged in

    age_authentication(session, user, minutes=5.5)
    response = erasure_page(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/bekraeft?next=/jobsoeger/slet-mig"
    fragment = erasure_page(client, headers={"HX-Request": "true"})
    assert fragment.headers["HX-Redirect"] == "/auth/bekraeft?next=/jobsoeger/slet-mig"
    refused = client.post("/jobsoeger/slet-mig", data={"confirmation": "DELETE"})
    assert refused.status_code == 303
    session.expire_all()
    assert session.get(User, user.id) is not None  # nothing was erased

    page = client.get(response.headers["Location"])
    assert "Confirm it is you" in body(page)
    assert 'name="code"' not in body(page)  # no second factor set up
    again = client.post(
        "/auth/bekraeft", data={"password": PASSWORD, "next": "/jobsoeger/slet-mig"}
    )
    assert again.headers["Location"] == "/jobsoeger/slet-mig"
    user_id = user.id
    erased = client.post("/jobsoeger/slet-mig", data={"confirmation": "DELETE"})
    assert erased.status_code == 200
    session.expire_all()
    assert session.get(User, user_id) is None


def test_reauthentication_moves_the_time_on_the_same_session(client, login_as, session):
    user = login_as(Role.JOBSEEKER)
    age_authentication(session, user, minutes=30)
    [before] = sessions_of(session, user)
    client.post("/auth/bekraeft", data={"password": PASSWORD})
    [after] = sessions_of(session, user)
    assert after.id == before.id and after.token_hash == before.token_hash
    assert utcnow() - after.authenticated_at < timedelta(seconds=30)


def test_the_admin_fixture_logs_in_with_a_code(client, login_as, session):
    admin = login_as(Role.ADMIN)
    assert admin.id in TOTP_SECRETS
    assert [s.auth_method for s in sessions_of(session, admin)] == ["password+totp"]
    assert client.get("/admin/").status_code == 200
