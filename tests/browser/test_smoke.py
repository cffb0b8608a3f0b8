"""Smoke test in a real browser: demo login end to end, axe-core accessibility on the main
pages at phone and desktop widths, and no sideways scrolling on a 360 px phone."""

import pytest

from tests.browser.conftest import PageErrors, axe_violations, log_in_as_demo

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/auth/login", "/auth/demo"]
SCREENSHOT = "/tmp/jobunivers-jobseeker-360.png"


def test_demo_login_reaches_the_jobseeker_page(live_server, open_context):
    page = open_context(1280).new_page()
    errors = PageErrors(page)

    log_in_as_demo(page, live_server)

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"Hej {live_server.demo_name}"
    assert page.locator("html").get_attribute("lang") == "da"
    # htmx (vendored, loaded under the CSP) is running.
    assert page.evaluate("typeof window.htmx") == "object"
    assert errors.messages == []


def test_logout_in_the_browser(live_server, open_context):
    page = open_context(1280).new_page()
    log_in_as_demo(page, live_server)

    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/jobsoeger/")
    assert page.url.startswith(f"{live_server.url}/auth/login")


def test_language_switch_in_the_browser(live_server, open_context):
    page = open_context(1280).new_page()
    page.goto(f"{live_server.url}/auth/login")

    page.get_by_role("button", name="English").click()

    page.wait_for_url(f"{live_server.url}/auth/login")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"


def test_axe_reports_a_planted_violation(live_server, open_context):
    """The accessibility check really runs under the app's CSP: it catches a known fault."""
    page = open_context(1280).new_page()
    page.goto(f"{live_server.url}/")
    assert axe_violations(page) == []
    page.evaluate(
        "() => { const img = document.createElement('img');"
        " img.src = '/static/missing.png'; document.querySelector('main').append(img); }"
    )
    assert any(line.startswith("image-alt ") for line in axe_violations(page))


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_are_accessible(live_server, open_context, width):
    page = open_context(width).new_page()
    errors = PageErrors(page)
    violations: dict[str, list[str]] = {}
    too_wide: dict[str, int] = {}

    def check(path: str) -> None:
        found = axe_violations(page)
        if found:
            violations[path] = found
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide[path] = scroll_width

    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
        check(path)
    log_in_as_demo(page, live_server)
    check("/jobsoeger/")
    if width == 360:
        page.screenshot(path=SCREENSHOT, full_page=True)

    assert violations == {}, "\n".join(
        f"{path}:\n  " + "\n  ".join(lines) for path, lines in violations.items()
    )
    assert too_wide == {}, f"pages scroll sideways at {width} px: {too_wide}"
    assert errors.messages == []
