"""The application factory, configuration and the role gates of every blueprint."""

import pytest
from flask import Flask

from app import create_app
from app.config import Config
from app.models import Role


@pytest.fixture(autouse=True)
def instance_dir(tmp_path, monkeypatch):
    """Keys a development start generates go to a temporary instance folder, not the real one."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    return folder


def test_config_from_prefixed_env(monkeypatch, database_url):
    monkeypatch.setenv("JOBUNIVERS_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("JOBUNIVERS_DEMO", "false")
    app = create_app({"DATABASE_URL": database_url})
    assert app.config["SESSION_IDLE_MINUTES"] == 15
    assert app.config["DEMO"] is False


def test_test_config_overrides_defaults_and_environment(monkeypatch, database_url):
    monkeypatch.setenv("JOBUNIVERS_ENCODER_BACKEND", "torch")
    monkeypatch.setenv("JOBUNIVERS_SESSION_IDLE_MINUTES", "15")
    plain = create_app({"DATABASE_URL": database_url})
    assert not plain.testing and plain.config["ENCODER_BACKEND"] == "torch"  # from the environment
    assert Config.ENCODER_BACKEND == "onnx"  # ...which overrode the default
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "ENCODER_BACKEND": "hashing"})
    assert app.testing
    assert app.config["ENCODER_BACKEND"] == "hashing"  # test_config wins over the environment
    assert app.config["SESSION_IDLE_MINUTES"] == 15  # and leaves the rest of it alone


def test_development_start_without_keys_generates_them_once(database_url, instance_dir):
    first = create_app({"DATABASE_URL": database_url})
    second = create_app({"DATABASE_URL": database_url})
    for name in ("SECRET_KEY", "PSEUDONYM_KEY"):
        assert first.config[name] == second.config[name]
        assert first.config[name] == (instance_dir / name.lower()).read_text().strip()
        assert first.config[name] not in {"dev-only-not-secret", "00" * 32}


def test_production_without_secret_key_fails(monkeypatch):
    monkeypatch.delenv("JOBUNIVERS_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": None})


def test_production_without_pseudonym_key_fails(monkeypatch):
    monkeypatch.delenv("JOBUNIVERS_PSEUDONYM_KEY", raising=False)
    with pytest.raises(RuntimeError, match="PSEUDONYM_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 32, "PSEUDONYM_KEY": None})


def test_production_uses_host_prefixed_secure_cookie():
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 32, "PSEUDONYM_KEY": "ab" * 16})
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_healthz_reports_database_and_model(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert set(body["model"]) >= {"backend", "present"}


LANDING = {
    "/jobsoeger/": Role.JOBSEEKER,
    "/sagsbehandler/": Role.CASEWORKER,
    "/arbejdsgiver/": Role.EMPLOYER,
    "/admin/": Role.ADMIN,
}


@pytest.mark.parametrize("path", [*LANDING, "/api/me"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    if path.startswith("/api"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", list(LANDING))
def test_role_gate(client, login_as, role, path):
    login_as(role)
    response = client.get(path)
    expected = 200 if LANDING[path] == role else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", [None, *Role])
def test_transparency_is_public(client, login_as, role):
    if role:
        login_as(role)
    assert client.get("/aabenhed/").status_code == 200


def test_htmx_request_without_login_gets_hx_redirect(client):
    response = client.get("/jobsoeger/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")


def test_unknown_page_is_friendly_404(client):
    response = client.get("/findes-ikke")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_short_pseudonym_key_stops_start_up():
    from consent.pseudonym import PseudonymKeyError

    with pytest.raises(PseudonymKeyError, match="too short"):
        create_app({"PSEUDONYM_KEY": "abcd"})
