"""Login, second-factor, re-authentication and error pages in a real browser: each reached the
way a person reaches it, then checked with axe-core (0 violations) and for sideways scrolling
at 360 px and at 1280 px (the same page, resized, so a shown-once page is checked at both).

The accounts here log in with a password (the demo accounts of ``live_server`` have none) and
are seeded into the live server's database by the ``people`` fixture.
"""

import re
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Locator, Page, Response, expect
from sqlmodel import Session, select

from app.models import (
    AuthSession,
    CaseworkerAssignment,
    Jobcentre,
    JobseekerProfile,
    Role,
    User,
    utcnow,
)
from app.services import auth, privacy
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)
PASSWORD = "korrekt-hest-batteri-klips"
ADMIN = "ida.admin@security.example"
CASEWORKER = "carl.sagsbehandler@security.example"
JOBSEEKER = "naja.ny@security.example"
OPTED_OUT_NAME = "Ole Fravalgt"


@dataclass(frozen=True)
class People:
    """The password accounts of this module."""

    admin: str = ADMIN
    caseworker: str = CASEWORKER
    jobseeker: str = JOBSEEKER
    opted_out_name: str = OPTED_OUT_NAME


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> People:
    """An admin without a second factor yet, a caseworker with one citizen who opted out of
    matching, and a jobseeker with a profile who has never been ranked."""
    app = live_server.app
    password_hash = auth.hash_password(PASSWORD)
    with app.test_request_context(), Session(app.extensions["db_engine"]) as db:
        centre = Jobcentre(
            name="Jobcenter Svendborg", municipality_code="479", municipality="Svendborg"
        )
        db.add(centre)
        db.flush()
        admin = User(role=Role.ADMIN, name="Ida Admin", email=ADMIN, password_hash=password_hash)
        caseworker = User(
            role=Role.CASEWORKER,
            name="Carl Sagsbehandler",
            email=CASEWORKER,
            password_hash=password_hash,
            jobcentre_id=centre.id,
        )
        newcomer = User(
            role=Role.JOBSEEKER, name="Naja Ny", email=JOBSEEKER, password_hash=password_hash
        )
        opted_out = User(role=Role.JOBSEEKER, name=OPTED_OUT_NAME, email="ole@security.example")
        db.add_all([admin, caseworker, newcomer, opted_out])
        db.flush()
        for person in (newcomer, opted_out):
            db.add(
                JobseekerProfile(
                    user_id=person.id,
                    home_postcode="5000",
                    commute_km=25,
                    cv_text="Jeg har arbejdet på lager med pluk og pak.",
                )
            )
        db.add(
            CaseworkerAssignment(
                caseworker_id=caseworker.id, jobseeker_id=opted_out.id, jobcentre_id=centre.id
            )
        )
        db.commit()
        privacy.record_decision(
            session=db,
            user_id=opted_out.id,
            purpose_id=privacy.CORE_MATCHING,
            action="opt_out",
            actor_id=opted_out.id,
            actor_role="jobseeker",
        )
    return People()


def problems(page: Page) -> list[str]:
    """axe-core violations and sideways scrolling of the current page at both widths."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        found += [f"{width} px: {line}" for line in axe_violations(page)]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"{width} px: horizontal scrolling ({scroll_width} px)")
    return found


def log_in(page: Page, server: LiveServer, email: str, password: str = PASSWORD) -> Response:
    """Submit the local login form; returns the answer to the POST."""
    page.goto(f"{server.url}/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    with page.expect_response(
        lambda r: r.url.startswith(f"{server.url}/auth/login") and r.request.method == "POST"
    ) as answer:
        page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state()
    return answer.value


def tab_to(page: Page, target: Locator, limit: int = 30) -> int:
    """Press Tab from the top of the page until ``target`` has focus; returns the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} not reached with {limit} presses of Tab")


def check_code_field(page: Page, *, numeric: bool) -> Locator:
    """The code field: reached by Tab, with a visible label and focus, marked for autofill."""
    code = page.get_by_label("Kode", exact=True)
    tab_to(page, code)
    expect(page.locator(f'label[for="{code.get_attribute("id")}"]')).to_be_visible()
    outline = code.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused code field shows no focus indicator"
    assert code.get_attribute("autocomplete") == "one-time-code"
    # Recovery codes have letters: where they are accepted, a digits-only keyboard would block them.
    assert (code.get_attribute("inputmode") == "numeric") is numeric
    return code


def test_failed_and_throttled_login_pages(live_server, open_context):
    page = open_context(WIDTHS[0]).new_page()
    found = {}

    assert log_in(page, live_server, "ingen@security.example", "forkert").status == 200
    expect(page.get_by_text("Forkert e-mail eller adgangskode.")).to_be_visible()
    expect(page.get_by_label("Adgangskode")).to_have_attribute("aria-invalid", "true")
    found["failed login"] = problems(page)

    failures = live_server.app.config["LOGIN_THROTTLE_ACCOUNT_FAILURES"]
    answers = [
        log_in(page, live_server, "laast@security.example", "forkert") for _ in range(failures)
    ]
    assert [answer.status for answer in answers] == [200] * (failures - 1) + [429]
    assert int(answers[-1].headers["retry-after"]) > 0
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"indtil kl\. \d\d[:.]\d\d"))
    found["throttled login (429)"] = problems(page)
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_two_step_login_set_up_then_asked_at_the_next_login(live_server, open_context, people):
    page = open_context(WIDTHS[0]).new_page()
    found = {}

    # The first password login of an admin leads to setting up the second factor.
    log_in(page, live_server, people.admin)
    page.wait_for_url("**/auth/sikkerhed?next=**")
    found["security (admin, not set up)"] = problems(page)
    page.get_by_role("button", name="Sæt to-trins-login op").click()
    page.wait_for_url("**/auth/sikkerhed/totp**")
    qr = page.locator('main img[src^="data:image/svg+xml"]')
    assert qr.get_attribute("alt"), "the QR code has no text alternative"
    secret = page.locator("code.totp-key").inner_text()
    found["TOTP set-up"] = problems(page)

    page.reload()  # start the keyboard walk from the top of a fresh page
    code = check_code_field(page, numeric=True)
    page.keyboard.type("000000")
    page.keyboard.press("Enter")
    expect(code).to_have_attribute("aria-invalid", "true")
    found["TOTP set-up, wrong code"] = problems(page)

    totp = pyotp.TOTP(secret)
    page.get_by_label("Kode", exact=True).fill(totp.now())
    with page.expect_response(lambda r: "/auth/sikkerhed/totp" in r.url) as answer:
        page.get_by_role("button", name="Slå til").click()
    assert answer.value.headers["cache-control"] == "no-store"  # shown once, never cached
    codes = page.locator(".recovery-codes li")
    expect(codes).to_have_count(10)
    found["recovery codes"] = problems(page)
    page.get_by_role("link", name="Jeg har gemt koderne").click()
    page.wait_for_url("**/admin/")

    # The next login asks for the code.
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{live_server.url}/")
    log_in(page, live_server, people.admin)
    page.wait_for_url("**/auth/kode")
    found["code"] = problems(page)
    page.reload()
    check_code_field(page, numeric=False)
    # The set-up used this time step's code; each step's code works once, the next is accepted.
    page.keyboard.type(totp.at(time.time(), counter_offset=1))
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/")
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_caseworker_security_page_and_manual_assessment(live_server, open_context, people):
    page = open_context(WIDTHS[0]).new_page()
    found = {}
    log_in(page, live_server, people.caseworker)
    page.wait_for_url("**/sagsbehandler/")
    page.get_by_role("link", name="Login og sikkerhed").click()
    expect(page.get_by_role("button", name="Sæt to-trins-login op")).to_be_visible()
    found["security (caseworker)"] = problems(page)

    page.goto(f"{live_server.url}/sagsbehandler/")
    page.get_by_role("link", name=people.opted_out_name).click()
    expect(page.get_by_text("Manuel vurdering")).to_be_visible()
    found["citizen who opted out"] = problems(page)
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_first_suggestions_and_reauthentication(live_server, open_context, people):
    page = open_context(WIDTHS[0]).new_page()
    found = {}
    log_in(page, live_server, people.jobseeker)
    page.wait_for_url("**/jobsoeger/")
    page.goto(f"{live_server.url}/jobsoeger/swipe")
    expect(page.get_by_role("status").filter(has_text="første jobforslag")).to_be_visible()
    found["deck, first suggestions being prepared"] = problems(page)

    # Time passes: the login is no longer recent enough for erasure.
    app = live_server.app
    with Session(app.extensions["db_engine"]) as db:
        user = db.exec(select(User).where(User.email == people.jobseeker)).one()
        for row in db.exec(select(AuthSession).where(AuthSession.user_id == user.id)):
            row.authenticated_at = utcnow() - timedelta(minutes=app.config["REAUTH_MINUTES"] + 1)
            db.add(row)
        db.commit()
    page.goto(f"{live_server.url}/jobsoeger/slet-mig")
    page.wait_for_url("**/auth/bekraeft?next=**")
    found["re-authentication"] = problems(page)
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_label("Adgangskode")).to_have_attribute("aria-invalid", "true")
    found["re-authentication, wrong password"] = problems(page)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url("**/jobsoeger/slet-mig")
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_public_pages_unsubscribe_too_large_and_retention(live_server, open_context):
    page = open_context(WIDTHS[0]).new_page()
    found = {}
    response = page.goto(f"{live_server.url}/afmeld/ikke-et-gyldigt-link")
    assert response.status == 404
    expect(page.get_by_role("alert")).to_be_visible()
    found["unsubscribe, bad link"] = problems(page)

    page.goto(f"{live_server.url}/aabenhed/behandlinger")
    retention = page.locator("#retention table")
    expect(retention.locator("tbody tr").first).to_be_visible()
    found["record of processing"] = problems(page)

    # A real form with a body above MAX_CONTENT_LENGTH (set small by ``live_server``).
    page.goto(f"{live_server.url}/auth/login")
    limit = live_server.app.config["MAX_CONTENT_LENGTH"]
    page.get_by_label("Adgangskode").evaluate(
        "(element, size) => { element.value = 'x'.repeat(size); }", limit + 1024
    )
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Log ind").click()
    assert answer.value.status == 413
    expect(page.get_by_role("heading", level=1)).to_contain_text("For stor")
    found["too large (413)"] = problems(page)
    assert {name: lines for name, lines in found.items() if lines} == {}
