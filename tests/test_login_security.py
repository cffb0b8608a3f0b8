"""Logins that resist guessing: database-backed throttling per account and per client address
(shared by workers, kept across restarts), and Flask-Limiter limits keyed by account and kept
in Redis, proven global across two gunicorn workers."""

import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask_login import login_user
from sqlmodel import Session, select

from app import create_app
from app.extensions import limiter, rate_limit_key
from app.models import LoginAttempt, Role, utcnow
from app.services import login_throttle
from consent.pseudonym import Pseudonymiser
from tests.conftest import PASSWORD, ROOT

POLICY = login_throttle.Policy(
    free_failures=5, base_delay=timedelta(minutes=1), max_delay=timedelta(hours=1)
)
LIMITS = login_throttle.Limits(
    account=POLICY,
    address=login_throttle.Policy(20, timedelta(minutes=1), timedelta(hours=1)),
    window=timedelta(hours=24),
)
KEY = Pseudonymiser(bytes(range(32)))


def keys(email: str = "someone@example.dk", address: str = "192.0.2.7") -> login_throttle.Keys:
    return login_throttle.Keys.of(KEY, email=email, address=address)


def add_failures(session: Session, k: login_throttle.Keys, count: int, *, ago: timedelta) -> None:
    for _ in range(count):
        session.add(
            LoginAttempt(account_key=k.account, address_key=k.address, created_at=utcnow() - ago)
        )
    session.commit()


def wrong_login(client, email: str, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": "forkert"}, **kwargs)


def attempts(session: Session) -> list[LoginAttempt]:
    session.expire_all()
    return list(session.exec(select(LoginAttempt)))


# --- The policy and the service ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, None), (4, None), (5, 60), (6, 120), (7, 240), (10, 1920), (11, 3600), (10_000, 3600)],
)
def test_the_wait_doubles_from_the_fifth_failure_up_to_the_lock(failures, wait):
    delay = POLICY.delay_after(failures)
    assert (delay.total_seconds() if delay else None) == wait


def test_keys_are_keyed_pseudonyms_never_the_email_or_address():
    k = keys("Anna@Example.dk ", "192.0.2.7")
    assert k == keys("anna@example.dk", "192.0.2.7")  # the e-mail as typed is normalised
    assert len(k.account) == len(k.address) == 64
    assert "anna" not in k.account and "192" not in k.address
    other_key = login_throttle.Keys.of(
        Pseudonymiser(b"x" * 32), email="anna@example.dk", address=""
    )
    assert other_key.account != k.account  # without the key nobody can recompute it


def test_check_throttles_the_account_after_five_failures(session):
    k = keys()
    add_failures(session, k, 4, ago=timedelta(seconds=10))
    assert login_throttle.check(session=session, keys=k, limits=LIMITS).allowed

    add_failures(session, k, 1, ago=timedelta(seconds=10))
    verdict = login_throttle.check(session=session, keys=k, limits=LIMITS)
    assert verdict.scope == "account"
    assert timedelta(seconds=45) < verdict.retry_at - utcnow() <= timedelta(seconds=50)
    # A minute after the last failure the next try is allowed (and only one).
    later = utcnow() + timedelta(seconds=51)
    assert login_throttle.check(session=session, keys=k, limits=LIMITS, now=later).allowed
    # Another account from another address is not affected.
    assert login_throttle.check(
        session=session, keys=keys("b@example.dk", "198.51.100.1"), limits=LIMITS
    ).allowed


def test_failures_older_than_the_window_are_forgotten(session):
    k = keys()
    add_failures(session, k, 10, ago=timedelta(hours=24, minutes=1))
    assert login_throttle.check(session=session, keys=k, limits=LIMITS).allowed
    add_failures(session, k, 5, ago=timedelta(hours=23, minutes=59, seconds=30))
    assert not login_throttle.check(
        session=session, keys=k, limits=LIMITS, now=utcnow() - timedelta(hours=23, minutes=59)
    ).allowed


def test_the_address_is_throttled_after_twenty_failures_over_many_accounts(session):
    for n in range(20):
        add_failures(session, keys(f"victim{n}@example.dk"), 1, ago=timedelta(seconds=5))
    verdict = login_throttle.check(session=session, keys=keys("fresh@example.dk"), limits=LIMITS)
    assert verdict.scope == "address"
    assert login_throttle.check(
        session=session, keys=keys("fresh@example.dk", "198.51.100.1"), limits=LIMITS
    ).allowed


def test_success_clears_the_account_but_not_the_address(session):
    mine = keys("mine@example.dk")
    add_failures(session, mine, 5, ago=timedelta(seconds=5))
    for n in range(15):
        add_failures(session, keys(f"victim{n}@example.dk"), 1, ago=timedelta(seconds=5))
    assert not login_throttle.check(session=session, keys=mine, limits=LIMITS).allowed

    login_throttle.clear_account(session=session, keys=mine)

    assert login_throttle.check(session=session, keys=mine, limits=LIMITS).allowed
    assert len(attempts(session)) == 15  # the guesses at other accounts still count


def test_purge_login_attempts_keeps_rows_inside_the_period(session):
    k = keys()
    add_failures(session, k, 2, ago=timedelta(hours=24, seconds=-30))  # just inside
    add_failures(session, k, 3, ago=timedelta(hours=24, seconds=30))  # just outside

    removed = login_throttle.purge_login_attempts(session=session, older_than=timedelta(hours=24))

    assert removed == 3
    assert len(attempts(session)) == 2


# --- The login form -------------------------------------------------------------------------------


def test_five_wrong_passwords_pause_the_account_with_a_clear_message(client, make_user, session):
    user = make_user(Role.EMPLOYER)
    client.set_cookie("locale", "en")  # Danish texts: tests/test_i18n.py
    for _ in range(4):
        response = wrong_login(client, user.email)
        assert response.status_code == 200
        assert "Wrong e-mail or password" in response.get_data(as_text=True)

    fifth = wrong_login(client, user.email)
    # Even the right password is refused now: guessing must not go on.
    right = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})

    for response in (fifth, right):
        body = response.get_data(as_text=True)
        assert response.status_code == 429
        assert "Too many failed login attempts" in body, body
        assert 'name="password"' in body  # the page stays usable
        assert 50 <= int(response.headers["Retry-After"]) <= 60
    assert client.get("/api/me").status_code == 401
    # Five rows, none of which holds the e-mail or the address.
    rows = attempts(session)
    assert len(rows) == 5
    assert all(user.email not in (r.account_key + r.address_key) for r in rows)
    assert all("127.0.0.1" not in r.address_key for r in rows)


def test_the_message_says_when_to_retry_in_english(client, make_user):
    user = make_user(Role.EMPLOYER)
    client.set_cookie("locale", "en")
    for _ in range(5):
        response = wrong_login(client, user.email)
    body = response.get_data(as_text=True)
    assert "Too many failed login attempts" in body
    # The time of day to try again, in Danish time (HH:mm).
    import re

    assert re.search(r"paused until \d{2}:\d{2}", body), body


def test_the_pause_holds_in_another_worker_and_after_a_restart(app, client, make_user):
    """Two app instances stand for two gunicorn workers (or one before and after a restart):
    the count lives in the database, not in a worker's memory."""
    user = make_user(Role.EMPLOYER)
    for _ in range(5):
        wrong_login(client, user.email)
    other = create_app(
        {
            k: app.config[k]
            for k in (
                "TESTING",
                "DATABASE_URL",
                "WTF_CSRF_ENABLED",
                "RATELIMIT_ENABLED",
                "ENCODER_BACKEND",
                "SECRET_KEY",
                "PSEUDONYM_KEY",
            )
        }
    )
    try:
        response = other.test_client().post(
            "/auth/login", data={"email": user.email, "password": PASSWORD}
        )
    finally:
        other.extensions["db_engine"].dispose()
    assert response.status_code == 429


def test_a_successful_login_ends_the_streak(client, make_user, session):
    user = make_user(Role.EMPLOYER)
    for _ in range(4):
        wrong_login(client, user.email)
    assert (
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 303
    )
    client.post("/auth/logout")
    for _ in range(4):
        assert wrong_login(client, user.email).status_code == 200
    assert attempts(session) and len(attempts(session)) == 4


@pytest.mark.slow
def test_tests_logging_in_often_from_one_address_are_not_throttled(client, make_user):
    """Successful logins never count: the suite logs in from 127.0.0.1 all the time."""
    user = make_user(Role.JOBSEEKER)
    for _ in range(21):  # more logins than the address may fail
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303


@pytest.mark.slow
def test_one_address_guessing_many_accounts_is_paused(client, make_user):
    for n in range(20):
        wrong_login(client, f"guess{n}@example.dk")
    user = make_user(Role.EMPLOYER)
    blocked = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    # Someone else, at another address, logs in as usual.
    elsewhere = client.application.test_client()
    response = elsewhere.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    assert response.status_code == 303


def test_unknown_accounts_are_throttled_like_known_ones(client):
    """The answer must not reveal which e-mails have accounts."""
    for _ in range(5):
        response = wrong_login(client, "nobody@example.dk")
    assert response.status_code == 429


# --- Flask-Limiter: keyed by account, stored in Redis ------------------------------------------


def limited_app(app: Flask, **overrides) -> Flask:
    return create_app(
        {
            k: app.config[k]
            for k in (
                "TESTING",
                "DATABASE_URL",
                "WTF_CSRF_ENABLED",
                "ENCODER_BACKEND",
                "SECRET_KEY",
                "PSEUDONYM_KEY",
            )
        }
        | {"RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": f"t-{uuid.uuid4().hex}"}
        | overrides
    )


def test_the_rate_limit_key_is_the_account_when_logged_in(app, make_user):
    user = make_user(Role.JOBSEEKER)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.99"}):
        assert rate_limit_key() == "192.0.2.99"
        login_user(user)
        assert rate_limit_key() == f"user:{user.id}"


@pytest.mark.slow
def test_two_accounts_behind_one_address_do_not_throttle_each_other(app, make_user):
    """Re-authentication allows 10 POSTs a minute: one person using them up behind the
    jobcentre's address must leave the next person's budget alone."""
    limited = limited_app(app)
    try:
        first, second = limited.test_client(), limited.test_client()
        for browser in (first, second):
            user = make_user(Role.EMPLOYER)
            browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        statuses = [
            first.post("/auth/bekraeft", data={"password": PASSWORD}).status_code for _ in range(11)
        ]
        assert statuses == [303] * 10 + [429]
        assert second.post("/auth/bekraeft", data={"password": PASSWORD}).status_code == 303
    finally:
        limited.extensions["db_engine"].dispose()


def redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return client


def test_redis_storage_url_is_used(app):
    redis_or_skip()
    limited = limited_app(app, RATELIMIT_STORAGE_URL="redis://127.0.0.1:6379/0")
    try:
        assert limited.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
        assert type(limiter.storage).__name__ == "RedisStorage"
    finally:
        limited.extensions["db_engine"].dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


GUNICORN_CONFIG = """
workers = 2
worker_class = "sync"
bind = "127.0.0.1:{port}"
accesslog = "{folder}/access.log"
access_log_format = "%(p)s %(s)s"
errorlog = "{folder}/error.log"
timeout = 30


def post_worker_init(worker):
    # Ready = this worker has loaded the app; the test waits for both.
    open("{folder}/ready-%d" % worker.pid, "w").close()
"""
LIMIT = 5
REQUESTS = 24


def serve_and_hammer(folder: Path, env: dict[str, str]) -> tuple[int, int, set[str]]:
    """Start gunicorn with 2 workers, send REQUESTS concurrent requests to the login page;
    returns (answered 200, answered 429, pids of the workers that answered)."""
    folder.mkdir()
    port = free_port()
    config = folder / "gunicorn.conf.py"
    config.write_text(GUNICORN_CONFIG.format(port=port, folder=folder))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(config), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.glob("ready-*"))) < 2:
            assert server.poll() is None, (folder / "error.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/auth/login"
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(
                pool.map(lambda _: requests.get(url, timeout=20).status_code, range(REQUESTS))
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    pids = {line.split()[0] for line in (folder / "access.log").read_text().splitlines()}
    return statuses.count(200), statuses.count(429), pids


@pytest.mark.slow
def test_redis_makes_the_limit_global_across_two_gunicorn_workers(tmp_path, database_url):
    """With Redis the two workers share one budget: exactly LIMIT requests pass. The control
    run with each worker's own memory lets more through, which shows both workers answered."""
    store = redis_or_skip()
    prefix = f"jobunivers-test-{uuid.uuid4().hex}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("JOBUNIVERS_") and key != "DATABASE_URL"
    } | {
        "JOBUNIVERS_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
        "JOBUNIVERS_SECRET_KEY": "gunicorn-test-secret",
        "JOBUNIVERS_PSEUDONYM_KEY": "cd" * 32,
        "JOBUNIVERS_RATELIMIT_DEFAULT": f"{LIMIT} per minute",
        "JOBUNIVERS_RATELIMIT_KEY_PREFIX": prefix,
        "JOBUNIVERS_ENCODER_BACKEND": "hashing",
    }
    try:
        allowed, refused, pids = serve_and_hammer(
            tmp_path / "redis",
            env | {"JOBUNIVERS_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0"},
        )
        assert len(pids) == 2, "both workers must have answered for the test to mean anything"
        assert (allowed, refused) == (LIMIT, REQUESTS - LIMIT)

        allowed, refused, pids = serve_and_hammer(tmp_path / "memory", env)
        assert len(pids) == 2
        assert allowed > LIMIT  # per-worker memory: each worker has its own budget
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
