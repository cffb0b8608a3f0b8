"""Caseworker, employer and admin pages in a real browser: reachable by demo login, accessible
(axe-core, 0 violations) at phone and desktop widths, no sideways scrolling."""

import pytest

from tests.browser.conftest import (
    ADMIN_NAME,
    CASEWORKER_NAME,
    EMPLOYER_NAME,
    axe_violations,
    log_in_as_demo,
)

pytestmark = pytest.mark.browser

ROLES = {
    "caseworker": (CASEWORKER_NAME, "/sagsbehandler/", ["/sagsbehandler/"]),
    "employer": (
        EMPLOYER_NAME,
        "/arbejdsgiver/",
        [
            "/arbejdsgiver/",
            "/arbejdsgiver/kaffemoeder",
            "/arbejdsgiver/kaffemoeder/ny",
            "/arbejdsgiver/job/ny",
        ],
    ),
    "admin": (
        ADMIN_NAME,
        "/admin/",
        ["/admin/", "/admin/anmodninger", "/admin/forsoeg", "/admin/bias"],
    ),
}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("role", list(ROLES))
def test_role_pages_are_accessible(live_server, open_context, role, width):
    name, landing, paths = ROLES[role]
    page = open_context(width).new_page()
    log_in_as_demo(page, live_server, name=name, landing=landing)
    if role == "caseworker":
        page.get_by_role("link", name=live_server.demo_name).click()
        page.wait_for_url("**/sagsbehandler/borger/*")
        paths = [*paths, page.url.removeprefix(live_server.url)]
    problems = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        found = [] if response.ok else [f"HTTP {response.status}"]
        found += axe_violations(page)
        if page.evaluate("document.documentElement.scrollWidth") > width:
            found.append("horizontal scrolling")
        if found:
            problems[path] = found
    assert problems == {}


def test_caseworker_reads_are_visible_to_the_citizen(live_server, open_context):
    page = open_context(1280).new_page()
    log_in_as_demo(page, live_server, name=CASEWORKER_NAME, landing="/sagsbehandler/")
    page.get_by_role("link", name=live_server.demo_name).click()
    page.get_by_role("button", name="Log ud").click()
    log_in_as_demo(page, live_server)
    page.goto(f"{live_server.url}/jobsoeger/adgangslog")
    assert "Jobcenter Odense" in page.locator("main").inner_text()
