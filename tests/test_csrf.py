"""CSRF protection switched on (the other modules test with it off): every POST needs the token,
from the form field or from htmx's ``X-CSRFToken`` header."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import Role, User
from tests.conftest import PASSWORD

REFUSAL = "Formularen er udløbet eller sendt fra et andet sted"


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    # Flask-WTF reads the switch on every request, so turning it on here is the real thing.
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def csrf_client(csrf_app: Flask) -> FlaskClient:
    return csrf_app.test_client()


def page_token(client: FlaskClient, path: str = "/auth/login") -> str:
    """The token a page hands out in ``<meta name="csrf-token">`` (what htmx and forms use)."""
    html = client.get(path).get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert meta, "page has no csrf-token meta tag"
    field = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert field, "page has no form with a csrf_token field"
    return meta.group(1)


def login(client: FlaskClient, user: User, token: str | None):
    data = {"email": user.email, "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/auth/login", data=data)


def assert_refused(response) -> None:
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert REFUSAL in body
    assert "Traceback" not in body


def test_login_without_token_is_refused(csrf_client, make_user):
    user = make_user(Role.EMPLOYER)
    assert_refused(login(csrf_client, user, token=None))
    assert csrf_client.get("/api/me").status_code == 401


def test_login_with_a_forged_token_is_refused(csrf_client, make_user):
    csrf_client.get("/auth/login")
    assert_refused(login(csrf_client, make_user(Role.EMPLOYER), token="forged.token"))


def test_token_of_another_browser_is_refused(csrf_app, csrf_client, make_user):
    someone_else = csrf_app.test_client()
    csrf_client.get("/auth/login")  # this browser has a session of its own
    assert_refused(login(csrf_client, make_user(Role.EMPLOYER), token=page_token(someone_else)))


def test_login_with_token_from_the_page_works(csrf_client, make_user):
    user = make_user(Role.EMPLOYER)
    response = login(csrf_client, user, token=page_token(csrf_client))
    assert response.status_code == 303
    assert csrf_client.get("/api/me").get_json()["id"] == user.id


@pytest.fixture
def logged_in(csrf_client: FlaskClient, make_user) -> FlaskClient:
    user = make_user(Role.JOBSEEKER)
    assert login(csrf_client, user, token=page_token(csrf_client)).status_code == 303
    return csrf_client


def test_logout_without_token_is_refused(logged_in):
    assert_refused(logged_in.post("/auth/logout"))
    assert logged_in.get("/api/me").status_code == 200


def test_logout_with_form_token_works(logged_in):
    token = page_token(logged_in, "/jobsoeger/")
    response = logged_in.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert logged_in.get("/api/me").status_code == 401


def test_htmx_header_token_is_accepted(logged_in):
    token = page_token(logged_in, "/jobsoeger/")
    response = logged_in.post("/auth/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303
    assert logged_in.get("/api/me").status_code == 401


def test_htmx_request_without_token_gets_a_fragment(logged_in):
    response = logged_in.post("/auth/logout", headers={"HX-Request": "true"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert REFUSAL in body
    assert "<html" not in body  # a fragment htmx can swap, not a whole page


def test_language_switch_needs_the_token(csrf_client):
    assert_refused(csrf_client.post("/sprog", data={"locale": "en"}))
    assert 'lang="da"' in csrf_client.get("/").get_data(as_text=True)

    response = csrf_client.post(
        "/sprog", data={"locale": "en", "csrf_token": page_token(csrf_client)}
    )
    assert response.status_code == 303
    assert 'lang="en"' in csrf_client.get("/").get_data(as_text=True)


def test_demo_login_needs_the_token(csrf_client, make_user):
    user = make_user(Role.JOBSEEKER, is_demo=True)
    assert_refused(csrf_client.post("/auth/demo", data={"user_id": str(user.id)}))
    token = page_token(csrf_client, "/auth/demo")
    response = csrf_client.post("/auth/demo", data={"user_id": str(user.id), "csrf_token": token})
    assert response.status_code == 303
    assert csrf_client.get("/api/me").get_json()["id"] == user.id
