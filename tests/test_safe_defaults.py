"""Safe by default: no demo outside development, no published keys, trusted proxies only when
configured, protective headers and a body-size limit with a friendly 413 page."""

import io
import multiprocessing
import os
import stat
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from app import create_app, keys
from app.demo.write import DEMO_PASSWORD
from app.models import JobseekerProfile, Postcode, Role, User
from app.services import privacy, reference
from app.services.auth import hash_password

# Strings that were (or could plausibly be) public keys: none may ever sign anything we accept.
PUBLISHED_KEYS = ["dev-only-not-secret", "00" * 32, "test-secret", "secret", "changeme"]
PROD_KEYS = {"SECRET_KEY": "p" * 40, "PSEUDONYM_KEY": "cd" * 32}


@pytest.fixture
def instance_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Apps created in this test keep their generated keys in a temporary instance folder."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    for name in ("SECRET_KEY", "PSEUDONYM_KEY", "DEMO", "ENV_NAME", "PROXY_HOPS"):
        monkeypatch.delenv(f"JOBUNIVERS_{name}", raising=False)
    return folder


def make_app(app: Flask, **config) -> Flask:
    """An app on the shared test database (``app`` cleans it), with ``config`` on top."""
    base = {
        key: app.config[key]
        for key in ("TESTING", "DATABASE_URL", "WTF_CSRF_ENABLED", "RATELIMIT_ENABLED")
    }
    return create_app(base | {"ENCODER_BACKEND": "hashing", "TRIAL_ENABLED": False} | config)


@pytest.fixture
def prod_app(app: Flask, instance_dir: Path):
    """A production app (keys set, demo left at its default)."""
    production = make_app(app, ENV_NAME="production", **PROD_KEYS)
    yield production
    production.extensions["db_engine"].dispose()


@pytest.fixture
def prod_client(prod_app: Flask) -> FlaskClient:
    # Flask's test client follows PREFERRED_URL_SCHEME, which production sets to https.
    return prod_app.test_client()


@pytest.fixture
def dev_app(app: Flask, instance_dir: Path):
    """A development app started without any keys (they are generated into ``instance_dir``)."""
    development = make_app(app, ENV_NAME="development", SECRET_KEY=None, PSEUDONYM_KEY=None)
    yield development
    development.extensions["db_engine"].dispose()


# --- Demo mode only in development -------------------------------------------------------------


def test_demo_defaults_on_in_development_and_off_elsewhere(app, instance_dir):
    assert make_app(app, SECRET_KEY="k" * 40).config["DEMO"] is True
    assert make_app(app, ENV_NAME="production", **PROD_KEYS).config["DEMO"] is False
    assert make_app(app, ENV_NAME="staging", **PROD_KEYS).config["DEMO"] is False


def test_demo_switched_on_outside_development_stops_the_start(app, instance_dir, monkeypatch):
    monkeypatch.setenv("JOBUNIVERS_DEMO", "true")
    with pytest.raises(RuntimeError, match="JOBUNIVERS_DEMO"):
        make_app(app, ENV_NAME="production", **PROD_KEYS)
    monkeypatch.setenv("JOBUNIVERS_DEMO", '"yes"')  # not a boolean: refused, never guessed
    with pytest.raises(RuntimeError, match="true or false"):
        make_app(app, SECRET_KEY="k" * 40)


def test_demo_login_is_404_in_production(prod_client, session, make_user):
    demo_user = make_user(Role.JOBSEEKER, is_demo=True)
    assert prod_client.get("/auth/demo").status_code == 404
    response = prod_client.post("/auth/demo", data={"user_id": str(demo_user.id)})
    assert response.status_code == 404
    assert "Siden findes ikke" in response.get_data(as_text=True)
    assert prod_client.get("/jobsoeger/").status_code == 302  # not logged in


def test_demo_password_opens_nothing_in_production(client, prod_client, session, make_user):
    demo_user = make_user(Role.JOBSEEKER, is_demo=True)
    demo_user.password_hash = hash_password(DEMO_PASSWORD)
    session.add(demo_user)
    session.commit()
    form = {"email": demo_user.email, "password": DEMO_PASSWORD}
    refused = prod_client.post("/auth/login", data=form)
    assert refused.status_code == 200  # the form again, with "wrong e-mail or password"
    assert prod_client.get("/jobsoeger/").status_code == 302
    # The same account and password work in development, so the refusal is the environment's.
    assert client.post("/auth/login", data=form).status_code == 303
    assert client.get("/jobsoeger/").status_code == 200


def test_demo_seed_refuses_in_production(prod_app, session):
    with Session(session.get_bind()) as reference_session:
        reference.load_postcodes(session=reference_session, progress=_quiet)
    users_before = session.scalar(select(func.count()).select_from(User))
    args = ["demo", "seed", "--jobseekers", "3", "--postings", "5", "--employers", "1"]
    result = prod_app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert "only be seeded in development" in result.output
    assert "nothing was written" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == users_before
    assert session.scalar(select(func.count()).select_from(User).where(User.is_demo)) == 0


@contextmanager
def _quiet(iterable, label=""):
    yield iterable


# --- Keys: generated once in development, never published -------------------------------------


def test_development_generates_private_keys_once(dev_app, app, instance_dir):
    secret_file = instance_dir / "secret_key"
    pseudonym_file = instance_dir / "pseudonym_key"
    for path in (secret_file, pseudonym_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dev_app.config["SECRET_KEY"] == secret_file.read_text().strip()
    assert dev_app.config["PSEUDONYM_KEY"] == pseudonym_file.read_text().strip()
    assert len(bytes.fromhex(dev_app.config["PSEUDONYM_KEY"])) >= 32
    assert dev_app.config["SECRET_KEY"] != dev_app.config["PSEUDONYM_KEY"]
    for value in (dev_app.config["SECRET_KEY"], dev_app.config["PSEUDONYM_KEY"]):
        assert value not in PUBLISHED_KEYS
    again = make_app(app, SECRET_KEY=None, PSEUDONYM_KEY=None)  # a later start reuses them
    assert again.config["SECRET_KEY"] == dev_app.config["SECRET_KEY"]
    assert again.config["PSEUDONYM_KEY"] == dev_app.config["PSEUDONYM_KEY"]


def _start(path: str, barrier, results) -> None:
    barrier.wait()
    results.put(keys.load_or_create(Path(path)))


def test_processes_starting_together_end_with_one_key(tmp_path):
    context = multiprocessing.get_context("spawn")  # like gunicorn workers: separate processes
    count = 4
    barrier, results = context.Barrier(count), context.Queue()
    path = tmp_path / "instance" / "secret_key"
    workers = [
        context.Process(target=_start, args=(str(path), barrier, results)) for _ in range(count)
    ]
    for worker in workers:
        worker.start()
    found = {results.get(timeout=60) for _ in workers}
    for worker in workers:
        worker.join(30)
    assert len(found) == 1 and found == {path.read_text().strip()}
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary files left


def test_threads_starting_together_end_with_one_key(tmp_path):
    path = tmp_path / "pseudonym_key"
    barrier, found = threading.Barrier(16), []

    def start() -> None:
        barrier.wait()
        found.append(keys.load_or_create(path))

    threads = [threading.Thread(target=start) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(found) == 16 and len(set(found)) == 1


def test_a_damaged_key_file_stops_the_start(app, instance_dir):
    instance_dir.mkdir()
    (instance_dir / "secret_key").write_text("")
    with pytest.raises(keys.KeyFileError, match="secret_key"):
        make_app(app, SECRET_KEY=None)


@pytest.mark.parametrize("env_name", ["production", "staging"])
@pytest.mark.parametrize("missing", ["SECRET_KEY", "PSEUDONYM_KEY"])
def test_outside_development_missing_keys_stop_the_start(app, instance_dir, env_name, missing):
    with pytest.raises(RuntimeError, match=f"JOBUNIVERS_{missing} must be set in {env_name}"):
        make_app(app, ENV_NAME=env_name, **(PROD_KEYS | {missing: None}))
    assert not instance_dir.exists()  # nothing generated outside development


@pytest.mark.parametrize("published", PUBLISHED_KEYS)
def test_session_cookie_signed_with_a_published_key_is_ignored(dev_app, published):
    forger = Flask("forger")
    forger.secret_key = published
    cookie = SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"locale": "en"})
    client = dev_app.test_client()
    client.set_cookie("session", cookie)
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="da">' in page.get_data(as_text=True)  # the forged "English" was ignored


@pytest.mark.parametrize("published", PUBLISHED_KEYS)
def test_unsubscribe_link_signed_with_a_published_key_is_refused(
    dev_app, session, make_user, published
):
    person = make_user(Role.JOBSEEKER)
    with dev_app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=person.id,
            purpose_id=privacy.EMAIL_NOTIFICATIONS,
            action="grant",
            actor_id=person.id,
            actor_role="jobseeker",
        )
    forged = URLSafeSerializer(published, salt="unsubscribe").dumps({"u": person.id})
    client = dev_app.test_client()
    client.set_cookie("locale", "en")
    assert client.get(f"/afmeld/{forged}").status_code == 404
    response = client.post(f"/afmeld/{forged}")
    assert response.status_code == 404
    assert "has expired or is not valid" in response.get_data(as_text=True)
    with dev_app.test_request_context():
        assert privacy.email_allowed(session=session, user_id=person.id)


# --- Forwarded headers only from configured proxies --------------------------------------------


def _whoami(app: Flask) -> FlaskClient:
    @app.get("/_test/whoami")
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme}

    return app.test_client()


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize("env_name", ["development", "production"])
def test_forwarded_headers_are_ignored_by_default(app, instance_dir, env_name):
    client = _whoami(make_app(app, ENV_NAME=env_name, **PROD_KEYS))
    seen = client.get("/_test/whoami", headers=FORWARDED, base_url="http://localhost").get_json()
    assert seen == {"addr": "127.0.0.1", "scheme": "http"}


def test_forwarded_headers_are_honoured_for_configured_hops(app, instance_dir):
    client = _whoami(make_app(app, ENV_NAME="production", PROXY_HOPS=1, **PROD_KEYS))
    seen = client.get("/_test/whoami", headers=FORWARDED, base_url="http://localhost").get_json()
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}
    # A client's own X-Forwarded-For entry comes before the proxy's: only the proxy's counts.
    spoofed = {**FORWARDED, "X-Forwarded-For": "10.0.0.1, 203.0.113.9"}
    assert client.get("/_test/whoami", headers=spoofed).get_json()["addr"] == "203.0.113.9"


@pytest.mark.parametrize("hops", [-1, "two", True])
def test_invalid_proxy_hops_stop_the_start(app, instance_dir, hops):
    with pytest.raises(RuntimeError, match="PROXY_HOPS"):
        make_app(app, PROXY_HOPS=hops, **PROD_KEYS)


# --- Headers -----------------------------------------------------------------------------------


def test_hsts_in_production_only(prod_client, client):
    for path in ("/", "/findes-ikke", "/static/css/app.css"):
        hsts = prod_client.get(path).headers.get("Strict-Transport-Security", "")
        max_age = int(hsts.split("max-age=")[1].split(";")[0])
        assert max_age >= 365 * 24 * 3600 and "includeSubDomains" in hsts
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_cross_origin_opener_policy_on_every_response(client, login_as):
    anonymous = [client.get("/"), client.get("/findes-ikke"), client.get("/jobsoeger/")]
    login_as(Role.JOBSEEKER)
    logged_in = [client.get("/jobsoeger/profil"), client.get("/jobsoeger/mine-data.json")]
    for response in anonymous + logged_in:
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_nothing_is_cached_while_logged_in(client, login_as):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login_as(Role.JOBSEEKER)
    responses = {
        "page": client.get("/jobsoeger/profil"),
        "fragment": client.get("/jobsoeger/profil", headers={"HX-Request": "true"}),
        "download": client.get("/jobsoeger/mine-data.json"),
        "redirect": client.get("/auth/"),
        "error": client.get("/findes-ikke"),
        "public page": client.get("/aabenhed/"),
    }
    assert responses["redirect"].status_code == 302
    assert responses["fragment"].status_code == 200
    for name, response in responses.items():
        assert response.headers.get("Cache-Control") == "no-store", name
    # Static files are the same for everyone and stay cacheable.
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"


# --- Request size ------------------------------------------------------------------------------


@pytest.fixture
def odense(session):
    if session.get(Postcode, "5000") is None:
        session.add(
            Postcode(
                code="5000", name="Odense C", latitude=55.396, longitude=10.388, region="Syddanmark"
            )
        )
        session.commit()


CV = "Jeg er uddannet social- og sundhedshjælper og er god til at samarbejde."
LIMIT = 6 * 1024 * 1024


def profile_form(attachment: bytes) -> dict:
    """A valid profile form plus a file the size of ``attachment`` (the view ignores files)."""
    return {
        "cv_text": CV,
        "commute_km": "25",
        "home_postcode": "5000",
        "hours_per_week": "32",
        "attachment": (io.BytesIO(attachment), "cv.pdf"),
    }


def stored_cv(session, user) -> str:
    session.expire_all()
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    return profile.cv_text or ""


def test_default_limit_leaves_room_for_a_5_mb_cv(app, client, login_as, session, odense):
    assert app.config["MAX_CONTENT_LENGTH"] == LIMIT
    user = login_as(Role.JOBSEEKER)
    response = client.post("/jobsoeger/profil", data=profile_form(b"%" * (5 * 1000 * 1000)))
    assert response.status_code == 200
    assert stored_cv(session, user) == CV


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [("da", "For stor", "Det, du sendte, er for stort."), ("en", "Too large", "too large")],
)
def test_too_large_body_gets_a_friendly_413(
    client, login_as, session, odense, language, title, message
):
    user = login_as(Role.JOBSEEKER)
    client.set_cookie("locale", language)
    response = client.post("/jobsoeger/profil", data=profile_form(b"%" * (LIMIT + 1)))
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert title in body and message in body and "<html" in body
    fragment = client.post(
        "/jobsoeger/profil",
        data=profile_form(b"%" * (LIMIT + 1)),
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 413
    assert title in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert stored_cv(session, user) == ""  # nothing stored


def _multipart(attachment: bytes) -> tuple[bytes, str]:
    builder = EnvironBuilder(method="POST", data=profile_form(attachment))
    environ = builder.get_environ()
    return environ["wsgi.input"].read(), environ["CONTENT_TYPE"]


def test_chunked_body_without_length_gets_413(client, login_as, session, odense):
    """Without Content-Length the limit is enforced while the body streams in (gunicorn and
    werkzeug's server set ``wsgi.input_terminated`` for chunked requests)."""
    user = login_as(Role.JOBSEEKER)
    body, content_type = _multipart(b"%" * (LIMIT + 1))
    response = client.post(
        "/jobsoeger/profil",
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert "For stor" in response.get_data(as_text=True)
    assert stored_cv(session, user) == ""
    small, content_type = _multipart(b"%" * 1000)  # the same way, under the limit: saved
    response = client.post(
        "/jobsoeger/profil",
        input_stream=io.BytesIO(small),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 200
    assert stored_cv(session, user) == CV


def test_too_large_body_gets_413_before_the_csrf_check(app, client, login_as, odense):
    """With CSRF on, the token check reads the form first: still a 413, never a 400 or 500."""
    login_as(Role.JOBSEEKER)
    app.config["WTF_CSRF_ENABLED"] = True
    body, content_type = _multipart(b"%" * (LIMIT + 1))
    streamed = client.post(
        "/jobsoeger/profil",
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    declared = client.post("/jobsoeger/profil", data=profile_form(b"%" * (LIMIT + 1)))
    assert streamed.status_code == declared.status_code == 413


def test_chunked_body_over_a_real_http_server_gets_413(app, session, make_user):
    """Over a real socket with ``Transfer-Encoding: chunked`` (werkzeug's server de-chunks)."""
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        chunks = (b"x" * 1024 for _ in range(100))  # a generator: requests sends it chunked
        response = requests.post(
            f"http://127.0.0.1:{server.server_port}/auth/login",
            data=chunks,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=30,
        )
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
    assert response.status_code == 413
    assert "For stor" in response.text


def test_key_files_are_not_readable_by_others(tmp_path):
    old_umask = os.umask(0)  # even a permissive umask must not widen the file mode
    try:
        keys.load_or_create(tmp_path / "k")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600
