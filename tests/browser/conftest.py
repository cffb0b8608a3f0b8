"""Browser fixtures: the app served for real on a loopback port, Debian's headless Chromium
driven by Playwright, and axe-core for accessibility checks.

Chromium comes from the Debian package (``make system-deps``), never from ``playwright install``.
"""

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    sync_playwright,
)
from sqlmodel import Session
from werkzeug.serving import make_server

from app import create_app
from app.db import make_engine
from app.models import (
    CaseworkerAssignment,
    CoffeeMeeting,
    Employer,
    Jobcentre,
    JobPosting,
    JobseekerProfile,
    Role,
    User,
)
from app.services import matching, reference
from tests.conftest import alembic_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEMO_NAME = "Birgitte Sørensen"


NEAR = [
    ("Sygeplejerske", "medicinhåndtering og sårpleje"),
    ("Social- og sundhedsassistent", "pleje og omsorg"),
    ("Lagermedarbejder", "pluk og pak"),
    ("Tømrer", "forskalling og tagkonstruktioner"),
    ("Kok", "madlavning og hygiejne"),
    ("Pædagog", "børn og leg"),
    ("Butiksassistent", "kundeservice og kasse"),
    ("Rengøringsassistent", "rengøring af kontorer"),
]
FAR = [
    ("Sygeplejerske i Aalborg", "medicinhåndtering og sårpleje"),
    ("Sygeplejerske i Skagen", "sårpleje og medicin"),
]


@contextmanager
def _quiet_progress(iterable, **_kwargs):
    yield iterable


def demo_postings() -> list[JobPosting]:
    """Eight postings in Odense and two far away in North Jutland."""
    today = date.today()
    made = []
    for i, (title, duties) in enumerate(NEAR):
        for copy in range(2):
            made.append(
                JobPosting(
                    title=f"{title} {copy + 1}",
                    description=f"Vi søger en {title.lower()} med erfaring i {duties}.",
                    hiring_organization=f"Fynsk Firma {i}",
                    postcode="5000",
                    city="Odense C",
                    latitude=55.396,
                    longitude=10.388,
                    date_posted=today,
                    valid_through=today + timedelta(days=30),
                    source="browser",
                    source_id=f"near-{i}-{copy}",
                )
            )
    for i, (title, duties) in enumerate(FAR):
        made.append(
            JobPosting(
                title=title,
                description=f"Vi søger en sygeplejerske med erfaring i {duties}.",
                hiring_organization="Region Nordjylland",
                postcode="9000",
                city="Aalborg",
                latitude=57.048,
                longitude=9.919,
                date_posted=today,
                valid_through=today + timedelta(days=30),
                source="browser",
                source_id=f"far-{i}",
            )
        )
    return made


CASEWORKER_NAME = "Lone Sagsbehandler"
EMPLOYER_NAME = "Erik Arbejdsgiver"
ADMIN_NAME = "Ada Administrator"


def add_other_roles(db: Session, *, jobseeker: User) -> None:
    """A caseworker assigned to the jobseeker, an employer with a coffee meeting, an admin."""
    centre = Jobcentre(name="Jobcenter Odense", municipality_code="461", municipality="Odense")
    employer = Employer(name="Fynsk Kaffe ApS", postcode="5000")
    db.add_all([centre, employer])
    db.flush()
    caseworker = User(
        role=Role.CASEWORKER,
        name=CASEWORKER_NAME,
        email="lone@demo.example",
        is_demo=True,
        jobcentre_id=centre.id,
    )
    boss = User(
        role=Role.EMPLOYER,
        name=EMPLOYER_NAME,
        email="erik@demo.example",
        is_demo=True,
        employer_id=employer.id,
    )
    admin = User(role=Role.ADMIN, name=ADMIN_NAME, email="ada@demo.example", is_demo=True)
    db.add_all([caseworker, boss, admin])
    db.flush()
    db.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id, jobseeker_id=jobseeker.id, jobcentre_id=centre.id
        )
    )
    db.add(
        CoffeeMeeting(
            employer_id=employer.id,
            title="Kaffe og snak om job på lageret",
            description="Kom og hør om jobbet.",
            postcode="5000",
            location="Kantinen, Vestergade 12",
            latitude=55.396,
            longitude=10.388,
            starts_at=datetime.now(UTC) + timedelta(days=7),
            duration_minutes=30,
            capacity=5,
        )
    )


@dataclass(frozen=True)
class LiveServer:
    """Where the app listens, the demo jobseeker it was seeded with, and the app itself (for
    tests that seed more data or read its configuration)."""

    url: str
    demo_name: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a migrated SQLite file with one demo jobseeker, served from a thread."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / f'live-{uuid.uuid4().hex[:8]}.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as db:
        reference.load_postcodes(session=db, progress=_quiet_progress)
        user = User(
            role=Role.JOBSEEKER, name=DEMO_NAME, email="birgitte@demo.example", is_demo=True
        )
        db.add(user)
        db.flush()
        db.add(
            JobseekerProfile(
                user_id=user.id,
                home_postcode="5000",
                commute_km=25,
                cv_text=(
                    "Jeg er uddannet sygeplejerske med erfaring i medicinhåndtering og sårpleje."
                ),
                wished_occupations=[
                    {"title": "Sygeplejerske", "esco_uri": None, "isco_code": "2221"}
                ],
            )
        )
        db.add_all(demo_postings())
        add_other_roles(db, jobseeker=user)
        db.commit()
    engine.dispose()

    app = create_app(
        {
            "DATABASE_URL": url,
            "DEMO": True,
            "WTF_CSRF_ENABLED": True,  # the browser goes through the real forms
            "RATELIMIT_ENABLED": False,
            "ENCODER_BACKEND": "hashing",
            "SECRET_KEY": "browser-test-secret",
            "PSEUDONYM_KEY": "cd" * 32,
            # Small enough that the 413 page is reached with a body the socket buffers hold
            # (a larger one can be cut off by a connection reset); far above any form here.
            "MAX_CONTENT_LENGTH": 64 * 1024,
        }
    )
    with app.app_context(), Session(app.extensions["db_engine"]) as db:
        matching.embed_postings(session=db)
        matching.refresh_everyone_pending(session=db)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", demo_name=DEMO_NAME, app=app)
    server.shutdown()
    thread.join(5)
    server.server_close()
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium. Missing Chromium skips locally but fails in CI."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (run `make system-deps`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def open_context(browser: Browser) -> Iterator[Callable[[int], BrowserContext]]:
    """Open a fresh browser profile (Danish, ``width`` px wide); closed after the test."""
    contexts: list[BrowserContext] = []

    def _open(width: int) -> BrowserContext:
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            locale="da-DK",
            timezone_id="Europe/Copenhagen",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _open
    for context in contexts:
        context.close()


class PageErrors:
    """JavaScript errors, console errors (CSP violations show up there) and failed requests.

    The browser's own ``/favicon.ico`` probe is not the page's fault and is left out.
    """

    def __init__(self, page: Page):
        self.messages: list[str] = []
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        # Failed loads are reported with their URL by ``_response``.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(f"console: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.messages.append(f"HTTP {response.status}: {response.url}")


_axe = Axe()
# WCAG 2.2 A/AA (what the Danish web accessibility act points to) plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the current page, one readable line per rule and element."""
    results = _axe.run(page, options=AXE_OPTIONS)
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']} -> {', '.join(map(str, node['target']))}"
        for rule in results.response["violations"]
        for node in rule["nodes"]
    ]


def log_in_as_demo(
    page: Page, server: LiveServer, name: str | None = None, landing: str = "/jobsoeger/"
) -> None:
    """Open the demo page and press a demo account's button (the jobseeker by default)."""
    page.goto(f"{server.url}/auth/demo")
    page.get_by_role("button", name=f"Log ind som {name or server.demo_name}").click()
    page.wait_for_url(f"{server.url}{landing}")
