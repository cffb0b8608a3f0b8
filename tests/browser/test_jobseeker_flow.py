"""The jobseeker's main flow in a real browser: swipe by keyboard, read an explanation, change the
commute radius and see the deck change; axe-core on every jobseeker page at phone and desktop."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageErrors, axe_violations, log_in_as_demo

pytestmark = pytest.mark.browser

JOBSEEKER_PAGES = [
    "/jobsoeger/",
    "/jobsoeger/swipe",
    "/jobsoeger/swipe?fane=alternativer",
    "/jobsoeger/profil",
    "/jobsoeger/profil/laest",
    "/jobsoeger/gemte",
    "/jobsoeger/notifikationer",
    "/jobsoeger/andre-som-mig",
    "/jobsoeger/samtykker",
    "/jobsoeger/adgangslog",
    "/jobsoeger/mine-data",
    "/jobsoeger/ret-data",
    "/jobsoeger/slet-mig",
    "/jobsoeger/kaffemoeder",
    "/jobsoeger/kaffemoeder/mine",
    "/aabenhed/",
    "/aabenhed/behandlinger",
]


def card_title(page: Page) -> str:
    return page.locator("#card-title").inner_text()


def remaining(page: Page) -> int:
    return int(re.match(r"\d+", page.locator(".card-meta").inner_text()).group())


def test_swipe_five_by_keyboard_explain_and_widen_the_radius(live_server, open_context):
    page = open_context(360).new_page()
    errors = PageErrors(page)
    log_in_as_demo(page, live_server)
    page.goto(f"{live_server.url}/jobsoeger/swipe")
    seen = [card_title(page)]
    before = remaining(page)
    for _ in range(5):
        page.locator("body").press("ArrowRight")
        expect(page.locator("#card-title")).not_to_have_text(seen[-1])
        seen.append(card_title(page))
    assert len(set(seen)) == 6
    assert remaining(page) == before - 5
    assert all("Aalborg" not in t and "Skagen" not in t for t in seen)  # beyond the 25 km radius

    page.get_by_role("link", name="Hvorfor dette forslag?").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hvorfor foreslog vi")
    expect(page.get_by_role("heading", name="Det talte med")).to_be_visible()

    page.goto(f"{live_server.url}/jobsoeger/profil")
    page.get_by_label("Hvor langt vil du rejse til arbejde? (km)").fill("300")
    page.get_by_role("button", name="Gem profil").click()
    expect(page.get_by_role("status").first).to_contain_text("Din profil er gemt")

    # The refresh runs in the background; the deck shows North Jutland jobs once it is done.
    for _ in range(50):
        page.goto(f"{live_server.url}/jobsoeger/swipe")
        if "Sygeplejerske i" in card_title(page):
            break
        page.wait_for_timeout(200)
    assert "Sygeplejerske i" in card_title(page)
    assert errors.messages == []


@pytest.mark.parametrize("width", [360, 1280])
def test_every_jobseeker_page_is_accessible(live_server, open_context, width):
    page = open_context(width).new_page()
    log_in_as_demo(page, live_server)
    problems: dict[str, list[str]] = {}
    page.goto(f"{live_server.url}/jobsoeger/swipe")
    why = page.get_by_role("link", name="Hvorfor dette forslag?").get_attribute("href")
    for path in [*JOBSEEKER_PAGES, why]:
        page.goto(f"{live_server.url}{path}")
        found = axe_violations(page)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"horizontal scrolling: {scroll_width}px")
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                     'main button, main a.button, main input, main select')]
                 .filter(e => e.offsetParent
                     && !['hidden', 'checkbox', 'radio'].includes(e.type))
                 .filter(e => e.getBoundingClientRect().height < 44)
                 .map(e => e.outerHTML.slice(0, 80))"""
        )
        found += [f"touch target < 44px: {html}" for html in small]
        if found:
            problems[path] = found
    assert problems == {}


def test_opting_out_and_back_in_in_the_browser(live_server, open_context):
    """Withdrawing the basis for matching empties the deck at once; opting in brings it back."""
    page = open_context(1280).new_page()
    errors = PageErrors(page)
    log_in_as_demo(page, live_server)
    page.goto(f"{live_server.url}/jobsoeger/swipe")
    expect(page.locator("#card-title")).to_be_visible()

    page.goto(f"{live_server.url}/jobsoeger/samtykker")
    page.get_by_role("button", name="Fravælg automatisk behandling").first.click()
    # htmx swaps the purpose's card once the decision is stored; wait for it before moving on.
    expect(page.get_by_role("button", name="Tilvælg igen").first).to_be_visible()
    page.goto(f"{live_server.url}/jobsoeger/swipe")
    expect(page.get_by_text("fravalgt algoritmiske forslag")).to_be_visible()
    assert page.locator("#card-title").count() == 0

    page.goto(f"{live_server.url}/jobsoeger/samtykker")
    page.get_by_role("button", name="Tilvælg igen").first.click()
    expect(page.get_by_role("button", name="Fravælg automatisk behandling").first).to_be_visible()
    for _ in range(50):
        page.goto(f"{live_server.url}/jobsoeger/swipe")
        if page.locator("#card-title").count():
            break
        page.wait_for_timeout(200)
    expect(page.locator("#card-title")).to_be_visible()
    assert errors.messages == []


def test_correcting_what_was_read_from_the_cv_by_keyboard(live_server, open_context):
    page = open_context(360).new_page()
    log_in_as_demo(page, live_server)
    page.goto(f"{live_server.url}/jobsoeger/profil")
    page.get_by_role("link", name="Se, hvad vi læste i dit CV, og ret det").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvad vi læste i dit CV")
    wrong = page.get_by_role("button", name="er forkert").first
    name = (wrong.get_attribute("aria-label") or "").removesuffix(" er forkert")
    wrong.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("vi bruger det ikke længere")
    again = page.get_by_role("button", name=f"Brug {name} igen")
    expect(again).to_be_visible()
    again.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("vi bruger det igen")
    expect(page.get_by_role("button", name=f"{name} er forkert")).to_be_visible()


def test_a_cv_file_is_read_checked_corrected_and_saved_on_a_phone(
    live_server, open_context, tmp_path
):
    from tests.test_jobseeker_profile import sectioned_docx

    cv = tmp_path / "mit-cv.docx"
    cv.write_bytes(sectioned_docx())
    page = open_context(360).new_page()
    log_in_as_demo(page, live_server)
    page.goto(f"{live_server.url}/jobsoeger/profil")
    page.get_by_label("Dit CV som fil", exact=True).set_input_files(str(cv))
    page.get_by_role("button", name="Læs filen").click()
    expect(page.get_by_role("status").first).to_contain_text("Vi har læst din fil")
    expect(page.get_by_label("Om mig (CV-tekst)")).to_contain_text("Lagermedarbejder, Coop Odense")
    assert axe_violations(page) == []
    read_skill = page.locator("input[value='truckkørsel']")
    expect(read_skill).to_be_visible()
    read_skill.fill("gaffeltruck")  # the person corrects one skill before saving
    page.get_by_role("button", name="Gem profil").click()
    expect(page.get_by_role("status").first).to_contain_text("Din profil er gemt")
    page.goto(f"{live_server.url}/jobsoeger/profil")
    expect(page.locator("input[value='gaffeltruck']")).to_be_visible()
    expect(page.locator("input[value='Coop Odense']")).to_be_visible()


def test_a_picture_named_pdf_gets_a_message_in_the_browser(live_server, open_context, tmp_path):
    fake = tmp_path / "cv.pdf"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    page = open_context(360).new_page()
    log_in_as_demo(page, live_server)
    page.goto(f"{live_server.url}/jobsoeger/profil")
    page.get_by_role("button", name="Læs filen").click()  # nothing chosen
    expect(page.locator("#cv_file-error")).to_contain_text("Vælg en fil først.")
    page.get_by_label("Dit CV som fil", exact=True).set_input_files(str(fake))
    page.get_by_role("button", name="Læs filen").click()
    expect(page.locator("#cv_file-error")).to_contain_text("Filen er et billede")
    expect(page.get_by_label("Dit CV som fil", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    assert axe_violations(page) == []
