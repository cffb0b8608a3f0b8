"""OpenID Connect login against a real provider (``oidc-provider-mock`` served over HTTP).

The provider runs in a thread on 127.0.0.1; the app talks to it with real HTTP requests
(discovery, JWKS, token endpoint) and the test plays the browser: it follows the redirect to the
provider, submits the provider's authorisation form and carries the code back to the callback.
"""

import socket
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import oidc_provider_mock
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select
from werkzeug.serving import make_server

from app import create_app
from app.models import AuthSession, JobseekerProfile, Role, User
from app.services import oidc

MITID_CLIENT = "jobunivers-mitid"
MUNICIPALITY_CLIENT = "jobunivers-kommune"
# Keys of the shared ``app`` fixture's test configuration that the OIDC app copies.
BASE_KEYS = (
    "TESTING",
    "DATABASE_URL",
    "WTF_CSRF_ENABLED",
    "RATELIMIT_ENABLED",
    "ENCODER_BACKEND",
    "DEMO",
    "SECRET_KEY",
    "PSEUDONYM_KEY",
)


@pytest.fixture(scope="session")
def provider() -> Iterator[str]:
    """A real OIDC provider on a free loopback port; yields its issuer URL."""
    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()


def make_oidc_app(app: Flask, issuer: str, **overrides: str) -> Flask:
    """An app with the test app's configuration plus both providers at ``issuer``."""
    return create_app(
        {key: app.config[key] for key in BASE_KEYS}
        | {
            "OIDC_MITID_ISSUER": issuer,
            "OIDC_MITID_CLIENT_ID": MITID_CLIENT,
            "OIDC_MITID_CLIENT_SECRET": "mitid-secret",
            "OIDC_MUNICIPALITY_ISSUER": issuer,
            "OIDC_MUNICIPALITY_CLIENT_ID": MUNICIPALITY_CLIENT,
            "OIDC_MUNICIPALITY_CLIENT_SECRET": "kommune-secret",
        }
        | overrides
    )


@pytest.fixture
def oidc_app(app: Flask, provider: str) -> Iterator[Flask]:
    """The OIDC-enabled app (depending on ``app`` cleans the database afterwards)."""
    oidc_app = make_oidc_app(app, provider)
    yield oidc_app
    oidc_app.extensions["db_engine"].dispose()


@pytest.fixture
def oidc_client(oidc_app: Flask) -> FlaskClient:
    return oidc_app.test_client()


def provider_user(provider: str, **claims: str) -> str:
    """Register a user with ``claims`` at the provider; returns its subject."""
    sub = f"sub-{uuid.uuid4().hex[:12]}"
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204, response.text
    return sub


def authorize_at_provider(authorize_url: str, sub: str) -> str:
    """Act as the user at the provider: open its form, submit it; returns the redirect target."""
    form = requests.get(authorize_url, timeout=5)
    assert form.status_code == 200, form.text[:500]
    assert 'name="sub"' in form.text
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def start_login(client: FlaskClient, provider: str, name: str, query: str = "") -> str:
    """Begin the flow at the app; returns the provider's authorisation URL."""
    response = client.get(f"/auth/oidc/{name}{query}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{provider}/oauth2/authorize?")
    params = parse_qs(urlsplit(location).query)
    # PKCE, state and nonce are what make the callback hard to forge.
    assert params["code_challenge_method"] == ["S256"]
    assert params["state"][0] and params["nonce"][0] and params["code_challenge"][0]
    return location


def callback(client: FlaskClient, redirect_target: str, **replace: str):
    """Deliver the provider's redirect to the app's callback, optionally with altered parameters."""
    parts = urlsplit(redirect_target)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | replace
    return client.get(f"{parts.path}?{urlencode(query)}")


def login(client: FlaskClient, provider: str, sub: str, name: str = "mitid", query: str = ""):
    """The whole flow; returns the callback's response."""
    target = authorize_at_provider(start_login(client, provider, name, query), sub)
    assert urlsplit(target).path == f"/auth/oidc/{name}/callback"
    return callback(client, target)


def accounts(session: Session, sub: str) -> list[User]:
    """The accounts with OIDC subject ``sub``."""
    return list(session.exec(select(User).where(User.oidc_subject == sub)))


def profile_count(session: Session, user: User) -> int:
    return len(
        session.exec(select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)).all()
    )


def logged_in_as(client: FlaskClient) -> dict | None:
    """Who the app thinks is logged in (via the JSON API), or None."""
    response = client.get("/api/me")
    return response.get_json() if response.status_code == 200 else None


def test_mitid_login_creates_jobseeker_with_profile(oidc_client, provider, session: Session):
    sub = provider_user(provider, name="Mette Mikkelsen", email="mette@example.dk")

    response = login(oidc_client, provider, sub)

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/jobsoeger/"
    [user] = accounts(session, sub)
    assert (user.role, user.name, user.oidc_issuer) == (Role.JOBSEEKER, "Mette Mikkelsen", provider)
    assert user.password_hash is None
    assert profile_count(session, user) == 1
    me = logged_in_as(oidc_client)
    assert me == {"id": user.id, "name": "Mette Mikkelsen", "role": "jobseeker"}
    page = oidc_client.get("/jobsoeger/")
    assert page.status_code == 200
    assert "Hej Mette Mikkelsen" in page.get_data(as_text=True)
    methods = session.exec(select(AuthSession.auth_method).where(AuthSession.user_id == user.id))
    assert list(methods) == ["oidc:mitid"]


def test_municipality_login_creates_caseworker(oidc_client, provider, session: Session):
    sub = provider_user(provider, name="Sagsbehandler Søren")

    response = login(oidc_client, provider, sub, name="municipality")

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/sagsbehandler/"
    [user] = accounts(session, sub)
    assert user.role == Role.CASEWORKER
    assert profile_count(session, user) == 0
    assert logged_in_as(oidc_client)["role"] == "caseworker"
    assert oidc_client.get("/sagsbehandler/").status_code == 200
    assert oidc_client.get("/jobsoeger/").status_code == 403


def test_same_subject_twice_reuses_the_account(oidc_app, provider, session: Session):
    sub = provider_user(provider, name="Ole Olsen")
    first, second = oidc_app.test_client(), oidc_app.test_client()

    assert login(first, provider, sub).status_code == 303
    assert login(second, provider, sub).status_code == 303

    [user] = accounts(session, sub)
    assert user.oidc_issuer == provider
    assert logged_in_as(first)["id"] == logged_in_as(second)["id"] == user.id
    assert profile_count(session, user) == 1
    sessions = session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all()
    assert len(sessions) == 2


def test_next_is_kept_on_this_host(oidc_client, provider):
    sub = provider_user(provider, name="Nina Nielsen")
    response = login(oidc_client, provider, sub, query="?next=/aabenhed/")
    assert response.headers["Location"] == "/aabenhed/"

    oidc_client.post("/auth/logout")
    response = login(oidc_client, provider, sub, query="?next=https://evil.example/")
    assert urlsplit(response.headers["Location"]).path == "/jobsoeger/"
    assert "evil" not in response.headers["Location"]


def test_tampered_state_is_refused(oidc_client, provider, session: Session):
    sub = provider_user(provider, name="Tina Tamper")
    target = authorize_at_provider(start_login(oidc_client, provider, "mitid"), sub)
    state = parse_qs(urlsplit(target).query)["state"][0]

    response = callback(oidc_client, target, state=state[:-4] + "AAAA")

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Log ind mislykkedes" in body and "Traceback" not in body
    assert logged_in_as(oidc_client) is None
    assert accounts(session, sub) == []


def test_callback_without_a_flow_is_refused(oidc_client, provider):
    """A code delivered to a browser that never started the login (login CSRF) is refused."""
    sub = provider_user(provider, name="Frede Fremmed")
    attacker = oidc_client.application.test_client()
    target = authorize_at_provider(start_login(attacker, provider, "mitid"), sub)

    response = callback(oidc_client, target)

    assert response.status_code == 400
    assert logged_in_as(oidc_client) is None


def test_id_token_for_another_client_is_refused(
    oidc_app, oidc_client, provider, monkeypatch, session
):
    """Token substitution: a genuine, signed ID token minted for client B must not log in A's user.

    The code is issued to client B (the authorisation request's ``client_id`` is swapped) and
    redeemed with B's credentials, so the provider returns an ID token with ``aud`` = B; the
    app, configured as client A, has to refuse it.
    """
    other_client = "someone-elses-client"
    with oidc_app.app_context():
        client = oidc.client("mitid")
    redeem = client.fetch_access_token

    def redeem_as_other_client(**kwargs):
        monkeypatch.setattr(client, "client_id", other_client)
        try:
            return redeem(**kwargs)
        finally:
            monkeypatch.setattr(client, "client_id", MITID_CLIENT)

    monkeypatch.setattr(client, "fetch_access_token", redeem_as_other_client)
    sub = provider_user(provider, name="Aud Andersen")
    parts = urlsplit(start_login(oidc_client, provider, "mitid"))
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["client_id"] == MITID_CLIENT
    foreign = urlunsplit(parts._replace(query=urlencode(query | {"client_id": other_client})))

    response = callback(oidc_client, authorize_at_provider(foreign, sub))

    assert response.status_code == 400
    assert "Log ind mislykkedes" in response.get_data(as_text=True)
    assert logged_in_as(oidc_client) is None
    assert accounts(session, sub) == []


def test_provider_error_is_a_friendly_refusal(oidc_client, provider):
    """The user presses "Deny" at the provider: the app answers 400, not 500."""
    authorize_url = start_login(oidc_client, provider, "mitid")
    answer = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    assert "error=access_denied" in answer.headers["Location"]

    response = callback(oidc_client, answer.headers["Location"])

    assert response.status_code == 400
    assert logged_in_as(oidc_client) is None


def test_each_app_uses_its_own_client_configuration(app, oidc_client, provider):
    """Two apps in one process (two municipalities, or tests) must not share OIDC clients."""
    other = make_oidc_app(app, provider, OIDC_MITID_CLIENT_ID="another-municipality")
    try:
        mine = parse_qs(urlsplit(start_login(oidc_client, provider, "mitid")).query)
        theirs = parse_qs(urlsplit(start_login(other.test_client(), provider, "mitid")).query)
    finally:
        other.extensions["db_engine"].dispose()
    assert mine["client_id"] == [MITID_CLIENT]
    assert theirs["client_id"] == ["another-municipality"]


def test_unreachable_provider_is_a_friendly_502(app):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = make_oidc_app(app, f"http://127.0.0.1:{port}")
    try:
        response = down.test_client().get("/auth/oidc/mitid")
    finally:
        down.extensions["db_engine"].dispose()
    assert response.status_code == 502
    assert "Log ind mislykkedes" in response.get_data(as_text=True)


def test_unconfigured_provider_is_404(client):
    assert client.get("/auth/oidc/mitid").status_code == 404
    assert client.get("/auth/oidc/mitid/callback?code=x&state=y").status_code == 404
    assert client.get("/auth/oidc/unknown").status_code == 404


def test_login_page_offers_configured_providers(oidc_client, client):
    with_providers = oidc_client.get("/auth/login").get_data(as_text=True)
    assert "/auth/oidc/mitid" in with_providers and "/auth/oidc/municipality" in with_providers
    assert "/auth/oidc/" not in client.get("/auth/login").get_data(as_text=True)
