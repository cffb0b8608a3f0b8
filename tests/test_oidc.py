"""OpenID Connect login against a real provider (``oidc-provider-mock`` served over HTTP).

The provider runs in a thread on 127.0.0.1; the app talks to it with real HTTP requests
(discovery, JWKS, token endpoint) and the test plays the browser: it follows the redirect to the
provider, submits the provider's authorisation form and carries the code back to the callback.
"""

import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
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

NSIS = "https://data.gov.dk/concept/core/nsis/loa/"
CASEWORKER_GROUP = "jobunivers-caseworker"
DEFAULT_CLAIMS: dict[str, object] = {"acr": NSIS + "Substantial", "groups": [CASEWORKER_GROUP]}
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


def provider_user(provider: str, sub: str | None = None, **claims: object) -> str:
    """Register (or update) a user with ``claims`` at the provider; returns its subject.

    Users log in at MitID level substantial and are in the caseworker group unless a test says
    otherwise (``acr=None`` leaves the claim out).
    """
    sub = sub or f"sub-{uuid.uuid4().hex[:12]}"
    claims = {k: v for k, v in (DEFAULT_CLAIMS | claims).items() if v is not None}
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


# --- Assurance level (acr) and the caseworker role claim ----------------------------------------


def test_mitid_login_asks_for_substantial_assurance(oidc_client, provider):
    params = parse_qs(urlsplit(start_login(oidc_client, provider, "mitid")).query)
    assert params["acr_values"] == [NSIS + "Substantial"]
    assert "prompt" not in params


@pytest.mark.parametrize(
    ("acr", "accepted"),
    [
        (NSIS + "Substantial", True),
        (NSIS + "High", True),  # a higher level satisfies the requirement
        (NSIS + "Low", False),
        ("urn:something:else", False),
        (None, False),  # no acr claim at all
    ],
)
def test_mitid_login_requires_the_assurance_level(oidc_client, provider, session, acr, accepted):
    oidc_client.set_cookie("locale", "en")
    sub = provider_user(provider, name="Lise Level", acr=acr)

    response = login(oidc_client, provider, sub)

    if accepted:
        assert response.status_code == 303
        assert logged_in_as(oidc_client)["role"] == "jobseeker"
    else:
        assert response.status_code == 403
        body = response.get_data(as_text=True)
        assert "Login failed" in body and "assurance level" in body
        assert logged_in_as(oidc_client) is None
        assert accounts(session, sub) == []


def test_the_required_level_is_configurable(app, provider, session):
    strict = make_oidc_app(app, provider, OIDC_MITID_ACR_VALUES=NSIS + "High")
    try:
        client = strict.test_client()
        substantial = provider_user(provider, name="Sune Substantial")
        assert login(client, provider, substantial).status_code == 403
        high = provider_user(provider, name="Hanne High", acr=NSIS + "High")
        assert login(client, provider, high).status_code == 303
    finally:
        strict.extensions["db_engine"].dispose()


@pytest.mark.parametrize(
    "groups",
    [None, [], ["jobunivers-citizen", "staff"], "staff other", "jobunivers-caseworker-trainee"],
)
def test_municipality_login_without_the_caseworker_group_is_refused(
    oidc_client, provider, session, groups
):
    oidc_client.set_cookie("locale", "en")
    sub = provider_user(provider, name="Uffe Uden", groups=groups)

    response = login(oidc_client, provider, sub, name="municipality")

    assert response.status_code == 403
    assert "not registered as a Jobunivers caseworker" in response.get_data(as_text=True)
    assert logged_in_as(oidc_client) is None
    assert accounts(session, sub) == []


def test_the_group_may_come_as_a_string(oidc_client, provider):
    sub = provider_user(provider, name="Stine Streng", groups=f"staff {CASEWORKER_GROUP}")
    assert login(oidc_client, provider, sub, name="municipality").status_code == 303


def test_a_caseworker_removed_from_the_group_can_no_longer_log_in(oidc_app, provider, session):
    sub = provider_user(provider, name="Carl Caseworker")
    assert login(oidc_app.test_client(), provider, sub, name="municipality").status_code == 303

    provider_user(provider, sub, name="Carl Caseworker", groups=["staff"])
    again = oidc_app.test_client()

    assert login(again, provider, sub, name="municipality").status_code == 403
    assert logged_in_as(again) is None


def test_the_role_claim_and_value_are_configurable(app, provider):
    custom = make_oidc_app(
        app,
        provider,
        OIDC_MUNICIPALITY_ROLE_CLAIM="roles",
        OIDC_MUNICIPALITY_CASEWORKER_ROLE="sagsbehandler",
    )
    try:
        client = custom.test_client()
        wrong = provider_user(provider, name="Gert Gruppe")  # groups, but no roles claim
        assert login(client, provider, wrong, name="municipality").status_code == 403
        right = provider_user(provider, name="Rikke Rolle", roles=["sagsbehandler"])
        assert login(client, provider, right, name="municipality").status_code == 303
    finally:
        custom.extensions["db_engine"].dispose()


# --- Re-authentication through the provider -----------------------------------------------------


def make_stale(session: Session, sub: str) -> None:
    """The person logged in a while ago: erasure needs a fresh login."""
    [user] = accounts(session, sub)
    for row in session.exec(select(AuthSession).where(AuthSession.user_id == user.id)):
        row.authenticated_at = row.authenticated_at - timedelta(minutes=10)
        session.add(row)
    session.commit()


def authenticated_at(session: Session, sub: str):
    [user] = accounts(session, sub)
    session.expire_all()
    [row] = session.exec(select(AuthSession).where(AuthSession.user_id == user.id))
    return row.authenticated_at


def reauth_url(client: FlaskClient) -> str:
    """Follow the erasure page to the re-authentication page and its provider button."""
    detour = client.get("/jobsoeger/slet-mig")
    assert detour.status_code == 303
    assert detour.headers["Location"] == "/auth/bekraeft?next=/jobsoeger/slet-mig"
    page = client.get(detour.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/auth/oidc/mitid\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"reauth": ["1"], "next": ["/jobsoeger/slet-mig"]}
    return link


def test_erasure_asks_mitid_users_for_a_fresh_login(oidc_client, provider, session):
    sub = provider_user(provider, name="Frida Frisk")
    assert login(oidc_client, provider, sub).status_code == 303
    make_stale(session, sub)
    before = authenticated_at(session, sub)

    response = oidc_client.get(reauth_url(oidc_client))
    params = parse_qs(urlsplit(response.headers["Location"]).query)
    assert params["prompt"] == ["login"] and params["max_age"] == ["0"]
    assert params["acr_values"] == [NSIS + "Substantial"]
    provider_user(provider, sub, name="Frida Frisk", auth_time=int(time.time()))
    back = callback(oidc_client, authorize_at_provider(response.headers["Location"], sub))

    assert back.status_code == 303
    assert back.headers["Location"] == "/jobsoeger/slet-mig"
    assert authenticated_at(session, sub) > before + timedelta(minutes=9)
    assert oidc_client.get("/jobsoeger/slet-mig").status_code == 200


def test_reauthentication_without_a_fresh_login_is_refused(oidc_client, provider, session):
    """The provider answers with an old ``auth_time``: it did not make the person log in again
    (single sign-on), so the session is not re-authenticated."""
    sub = provider_user(provider, name="Gammel Gert")
    assert login(oidc_client, provider, sub).status_code == 303
    make_stale(session, sub)
    before = authenticated_at(session, sub)
    provider_user(provider, sub, name="Gammel Gert", auth_time=int(time.time()) - 3600)

    start = oidc_client.get(reauth_url(oidc_client)).headers["Location"]
    response = callback(oidc_client, authorize_at_provider(start, sub))

    assert response.status_code == 403
    assert authenticated_at(session, sub) == before
    assert oidc_client.get("/jobsoeger/slet-mig").status_code == 303


def test_reauthentication_as_someone_else_is_refused(oidc_client, provider, session):
    mine = provider_user(provider, name="Mads Mig")
    other = provider_user(provider, name="Anden Anders", auth_time=int(time.time()))
    assert login(oidc_client, provider, mine).status_code == 303
    make_stale(session, mine)
    before = authenticated_at(session, mine)

    start = oidc_client.get(reauth_url(oidc_client)).headers["Location"]
    response = callback(oidc_client, authorize_at_provider(start, other))

    assert response.status_code == 403
    assert logged_in_as(oidc_client)["name"] == "Mads Mig"  # still the same person, not switched
    assert authenticated_at(session, mine) == before
    assert accounts(session, other) == []
