"""gunicorn's access log (gunicorn.conf.py) records method, path and status, never query strings,
referers, user agents or tokens in the path."""

import logging
import os
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Zx9-kQ2_vT7mPa4LrW8bNc3Yh5Ud6Je1.sig_Abc123"
DEFAULT_FORMAT = Config().access_log_format  # asks for %(r)s, %(f)s and %(a)s


def gunicorn_config(**overrides) -> Config:
    """gunicorn.conf.py loaded the way gunicorn loads a config file (every known setting set)."""
    config = Config()
    with mock.patch.dict(os.environ):  # the file sets BLAS thread counts for gunicorn's process
        settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    for name, value in overrides.items():
        config.set(name, value)
    return config


def access_line(config: Config, *, path: str, query: str = "", referer: str = "-") -> str:
    """What the configured logger writes for one request."""
    logger = config.logger_class(config)
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger.access_log.addHandler(handler)
    try:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"{path}?{query}" if query else path,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_REFERER": referer,
            "HTTP_USER_AGENT": "Mozilla/5.0 (personal device)",
        }
        request = SimpleNamespace(headers=[("REFERER", referer), ("COOKIE", "session=secret")])
        response = SimpleNamespace(status="200 OK", sent=512, headers=[])
        logger.access(response, request, environ, timedelta(milliseconds=12))
    finally:
        logger.access_log.removeHandler(handler)
    assert len(lines) == 1
    return lines[0]


def test_access_log_keeps_the_path_but_no_query_string_or_referer():
    line = access_line(
        gunicorn_config(),
        path="/auth/oidc/callback",
        query="code=secret-code&state=s1",
        referer="https://mail.example/read?token=secret-ref",
    )
    assert '"GET /auth/oidc/callback HTTP/1.1" 200 512' in line
    for secret in ("secret-code", "state=s1", "secret-ref", "personal device", "session=secret"):
        assert secret not in line


def test_tokens_in_the_path_are_redacted():
    line = access_line(gunicorn_config(), path=f"/afmeld/{TOKEN}", query=f"t={TOKEN}")
    assert TOKEN not in line
    assert '"GET /afmeld/[redacted] HTTP/1.1"' in line


@pytest.mark.parametrize(
    "path",
    ["/jobsoeger/forslag/12", "/aabenhed/behandlingsfortegnelse", "/static/css/app.css"],
)
def test_ordinary_paths_are_logged_as_they_are(path):
    assert f'"GET {path} HTTP/1.1"' in access_line(gunicorn_config(), path=path)


def test_a_format_asking_for_more_still_gets_no_secrets():
    """A format given on the command line (gunicorn's default: request line, referer, user
    agent) cannot bring the query string or referer back."""
    config = gunicorn_config(
        access_log_format=DEFAULT_FORMAT + " %({cookie}i)s %({QUERY_STRING}e)s"
    )
    line = access_line(config, path=f"/afmeld/{TOKEN}", query="code=c0de", referer="/x?t=r3f")
    for secret in (TOKEN, "c0de", "r3f", "personal device", "session=secret"):
        assert secret not in line
