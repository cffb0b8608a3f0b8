"""Shared fixtures: an app on a migrated database (SQLite, or PostgreSQL when DATABASE_URL is set),
a test client, a database session and ``login_as(role)`` (flaskr's AuthActions)."""

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from app import create_app
from app.db import make_engine
from app.models import (
    Employer,
    Jobcentre,
    JobPosting,
    JobseekerProfile,
    MfaCredential,
    Postcode,
    Role,
    User,
)
from app.services import coffee
from app.services.auth import hash_password

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "korrekt-hest-batteri-klips"
# Reference tables are loaded once per run and survive the per-test clean-up.
REFERENCE_TABLES = {
    "postcode",
    "iscogroup",
    "escooccupation",
    "escoskill",
    "escooccupationskill",
    "alembic_version",
}


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic config pointing at ``url`` (used by fixtures and migration tests)."""
    config = AlembicConfig(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """PostgreSQL when DATABASE_URL is set (CI creates a fresh database per run), else SQLite.

    Under pytest-xdist each worker gets a database of its own (SQLite: its own temporary folder;
    PostgreSQL: ``<database>_<worker>``, created here and dropped afterwards), since the tests
    empty the tables after each test.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / f'test-{uuid.uuid4().hex[:8]}.db'}"
        return
    if worker_id == "master":
        yield url
        return
    base = make_url(url)
    name = f"{base.database}_{worker_id}"
    server = make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    server = server.execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The schema is built by the real migrations, not by ``create_all``."""
    command.upgrade(alembic_config(database_url), "head")
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@contextlib.contextmanager
def ledger_triggers_lifted(connection: Connection) -> Iterator[None]:
    """Lift the consent ledger's append-only triggers within ``connection``'s transaction, as a
    database administrator could: tests empty the ledger, and some tamper with it on purpose.

    PostgreSQL: ``session_replication_role = replica`` (superuser; takes no table lock).
    SQLite: the triggers are dropped and recreated from their stored SQL.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    saved = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name IN ('consentevent', 'consentledgerhead')"
        )
    ).all()
    for name, _sql in saved:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:
        for _name, sql in saved:
            connection.execute(text(sql))


def _clean(engine: Engine) -> None:
    tables = [
        t for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in REFERENCE_TABLES
    ]
    with engine.begin() as connection, ledger_triggers_lifted(connection):
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture
def app(engine: Engine, database_url: str) -> Iterator[Flask]:
    """An app with CSRF off (one test module turns it on), hashing encoder, demo mode on."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ENCODER_BACKEND": "hashing",
            "DEMO": True,
            "SECRET_KEY": "test-secret",
            "PSEUDONYM_KEY": "ab" * 32,
            "BACKGROUND_SYNC": True,
            "TRIAL_ENABLED": False,  # tests/test_trial.py switches the trial on
        }
    )
    yield app
    app.extensions["db_engine"].dispose()
    from app.services import matching

    matching.reset_caches()
    _clean(engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A database session for arranging and checking data in tests; the data go afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
    _clean(engine)


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """Create a local account of a role, with what that role needs (profile, organisation)."""
    counter = iter(range(1, 10_000))

    def _make(role: str = Role.JOBSEEKER, **fields) -> User:
        n = next(counter)
        user = User(
            role=role,
            name=fields.pop("name", f"Test {role} {n}"),
            email=fields.pop("email", f"{role}{n}-{uuid.uuid4().hex[:6]}@example.dk"),
            password_hash=hash_password(PASSWORD),
            **fields,
        )
        if role == Role.EMPLOYER and user.employer_id is None:
            employer = Employer(name=f"Testfirma {n} ApS")
            session.add(employer)
            session.flush()
            user.employer_id = employer.id
        if role == Role.CASEWORKER and user.jobcentre_id is None:
            centre = Jobcentre(
                name=f"Jobcenter Test {uuid.uuid4().hex[:6]}",
                municipality_code=uuid.uuid4().hex[:3],
                municipality="Test",
            )
            session.add(centre)
            session.flush()
            user.jobcentre_id = centre.id
        session.add(user)
        session.flush()
        if role == Role.JOBSEEKER:
            session.add(JobseekerProfile(user_id=user.id, home_postcode="5000", commute_km=25))
        session.commit()
        return user

    return _make


# TOTP secrets of the accounts the fixtures enrolled, by user id (tests type codes like a phone).
TOTP_SECRETS: dict[int, str] = {}


def enrol_totp(app: Flask, session: Session, user: User) -> str:
    """Switch on two-step login for ``user`` through the real service; returns the secret."""
    from app.services import mfa

    with app.app_context():
        mfa.begin_enrolment(session=session, user_id=user.id)
        secret = mfa.pending_enrolment(session=session, user=user).secret
        # The previous step's code (still accepted) leaves this step and the next for logins.
        previous = pyotp.TOTP(secret).generate_otp(int(time.time() // 30) - 1)
        assert mfa.confirm_enrolment(session=session, user_id=user.id, code=previous)
    TOTP_SECRETS[user.id] = secret
    return secret


def totp_code(session: Session, user: User) -> str:
    """A code the server has not accepted yet (a code works once; wait for a new one if needed)."""
    credential = session.get(MfaCredential, user.id)
    session.refresh(credential)
    step = max(int(time.time() // 30), credential.last_used_step + 1)
    while step > int(time.time() // 30) + 1:  # only one step ahead is accepted
        time.sleep(1)
    return pyotp.TOTP(TOTP_SECRETS[user.id]).generate_otp(step)


def log_in(client: FlaskClient, user: User, session: Session | None = None):
    """The real login form; with two-step login on, the code page too (needs ``session``)."""
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    if response.status_code == 303 and response.headers["Location"] == "/auth/kode":
        assert session is not None, "two-step login needs the session to find a fresh code"
        response = client.post("/auth/kode", data={"code": totp_code(session, user)})
    return response


class AuthActions:
    """Log in and out through the real login form (admins set up two-step login first)."""

    def __init__(self, client: FlaskClient, make_user: Callable[..., User], session: Session):
        self._client = client
        self._make_user = make_user
        self._session = session

    def __call__(self, role: str = Role.JOBSEEKER, **fields) -> User:
        user = self._make_user(role, **fields)
        if role == Role.ADMIN:
            # Admins must use a second factor (MFA_REQUIRED_ROLES).
            enrol_totp(self._client.application, self._session, user)
        response = log_in(self._client, user, self._session)
        assert response.status_code == 303, response.data[:500]
        return user

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User], session: Session) -> AuthActions:
    return AuthActions(client, make_user, session)


def pg_available() -> bool:
    """Is the local PostgreSQL reachable (for tests that need a second database)?"""
    try:
        eng = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        with eng.connect() as connection:
            connection.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture
def make_posting(session: Session) -> Callable[..., JobPosting]:
    """Create an open job posting (Odense by default)."""
    counter = iter(range(1, 100_000))

    def _make(**fields) -> JobPosting:
        n = next(counter)
        values = {
            "title": f"Stilling {n}",
            "description": "Vi søger en dygtig medarbejder.",
            "hiring_organization": "Testfirma ApS",
            "postcode": "5000",
            "city": "Odense C",
            "latitude": 55.396,
            "longitude": 10.388,
            "date_posted": date.today(),
            "valid_through": date.today() + timedelta(days=30),
            "source": "test",
            "source_id": f"t{n}-{uuid.uuid4().hex[:6]}",
        }
        values.update(fields)
        posting = JobPosting(**values)
        session.add(posting)
        session.commit()
        return posting

    return _make


def add_postcodes(session: Session, postcodes: dict[str, tuple[str, float, float]]) -> None:
    """Reference postcodes a test needs (kept between tests like the rest of the reference data)."""
    for code, (name, lat, lon) in postcodes.items():
        if session.get(Postcode, code) is None:
            session.add(Postcode(code=code, name=name, latitude=lat, longitude=lon))
    session.commit()


def client_for(app: Flask, user: User) -> FlaskClient:
    """A second browser logged in as ``user``, for tests where two people take turns."""
    other = app.test_client()
    response = other.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    return other


def offer_input(**fields: object) -> coffee.OfferInput:
    """A valid coffee-meeting offer in Odense a week ahead; ``fields`` override the defaults."""
    values: dict[str, object] = {
        "title": "Kaffe og en snak om job på lageret",
        "description": "Kom og hør om vores lager og de job, vi har.",
        "location": "Kantinen, Vestergade 12",
        "postcode": "5000",
        "starts_at": datetime.now(UTC) + timedelta(days=7),
        "duration_minutes": 30,
        "capacity": 5,
    }
    values.update(fields)
    return coffee.OfferInput(**values)  # type: ignore[arg-type]


def race(clients: list[FlaskClient], path: str, data: dict, headers=None) -> list[int | str]:
    """POST ``data`` to ``path`` from every client at the same moment; status codes (or the
    exception's name when a request crashed)."""
    barrier = threading.Barrier(len(clients))
    results: list[int | str] = [0] * len(clients)

    def send(index: int, client: FlaskClient) -> None:
        barrier.wait()
        try:
            results[index] = client.post(path, data=data, headers=headers or {}).status_code
        except Exception as error:  # noqa: BLE001 - a crash is a result here
            results[index] = type(error).__name__

    threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
