"""Languages: Danish by default, English by choice or by the browser's Accept-Language, and a
Danish catalogue that is complete, compiled and in step with the strings in the code."""

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.models import Role
from tests.conftest import ROOT

CATALOGUE = ROOT / "app" / "translations" / "da" / "LC_MESSAGES"
DANISH_HEADING = "Find det job, der passer til dig"
ENGLISH_HEADING = "Find work that fits you"


def language_of(response) -> str:
    """The page's ``<html lang>``, after checking the heading is in that same language."""
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    lang = body.split('<html lang="', 1)[1].split('"', 1)[0]
    if ENGLISH_HEADING in body or DANISH_HEADING in body:
        assert (DANISH_HEADING in body) == (lang == "da")
        assert (ENGLISH_HEADING in body) == (lang == "en")
    return lang


def switch(client, locale: str, next_url: str = "/"):
    return client.post("/sprog", data={"locale": locale, "next": next_url})


def test_danish_by_default(client):
    response = client.get("/")
    assert language_of(response) == "da"
    body = response.get_data(as_text=True)
    assert "Log ind" in body and "Gå til indhold" in body
    assert "Skip to content" not in body


def test_english_text_on_a_danish_page_is_marked(client):
    """Screen readers switch voice only for text marked with its language (WCAG 3.1.2)."""
    body = client.get("/").get_data(as_text=True)
    notice = re.search(r"<p[^>]*>This service uses the ESCO classification", body)
    assert notice, "the ESCO notice is missing"
    assert 'lang="en"' in notice.group(0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("sv-SE,en;q=0.5", "en"),
        ("da-DK,da;q=0.9,en;q=0.8", "da"),
        ("de-DE", "da"),
    ],
)
def test_accept_language(client, header, expected):
    assert language_of(client.get("/", headers={"Accept-Language": header})) == expected


def test_switch_to_english_and_back(client):
    response = switch(client, "en", "/auth/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    cookie = client.get_cookie("locale")
    assert cookie is not None and cookie.value == "en" and cookie.http_only

    # The explicit choice beats the browser's header.
    assert language_of(client.get("/", headers={"Accept-Language": "da"})) == "en"
    login_page = client.get("/auth/login").get_data(as_text=True)
    assert "Employers and administrators" in login_page

    switch(client, "da")
    assert language_of(client.get("/", headers={"Accept-Language": "en"})) == "da"


def test_unknown_language_is_ignored(client):
    switch(client, "fr")
    assert language_of(client.get("/")) == "da"
    assert client.get_cookie("locale") is None


def test_switch_refuses_a_foreign_next(client):
    response = switch(client, "en", "https://evil.example/")
    assert response.headers["Location"] == "/"


def test_language_survives_login(client, login_as):
    switch(client, "en")
    client.delete_cookie("locale")  # only the session remembers it now
    login_as(Role.JOBSEEKER)
    body = client.get("/jobsoeger/").get_data(as_text=True)
    assert 'lang="en"' in body and "My profile" in body


def test_account_remembers_the_choice(app, client, login_as, session):
    user = login_as(Role.JOBSEEKER)
    switch(client, "en")
    session.refresh(user)
    assert user.locale == "en"

    # Another browser, Danish by header and without the cookie: the account's choice wins.
    other = app.test_client()
    other.post("/auth/login", data={"email": user.email, "password": "korrekt-hest-batteri-klips"})
    body = other.get("/jobsoeger/", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert 'lang="en"' in body


def test_error_pages_follow_the_language(client):
    assert "Siden findes ikke" in client.get("/findes-ikke").get_data(as_text=True)
    english = client.get("/findes-ikke", headers={"Accept-Language": "en"})
    assert "Page not found" in english.get_data(as_text=True)


# --- The catalogue --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def danish() -> Catalog:
    with (CATALOGUE / "messages.po").open("rb") as po:
        return read_po(po, locale="da")


def _frozen(value):
    # Plural entries carry lists (from .mo) or tuples (from .po) of forms.
    return tuple(value) if isinstance(value, list | tuple) else value


def translations(catalog: Catalog) -> dict:
    return {_frozen(message.id): _frozen(message.string) for message in catalog if message.id}


def test_danish_catalogue_is_complete(danish):
    assert not danish.fuzzy, "a fuzzy header makes pybabel compile skip the whole catalogue"
    fuzzy = [m.id for m in danish if m.id and m.fuzzy]
    untranslated = [
        m.id
        for m in danish
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert fuzzy == [], f"fuzzy entries: {fuzzy}"
    assert untranslated == [], f"untranslated entries: {untranslated}"
    assert len(translations(danish)) > 50


def test_placeholders_match(danish):
    """``%(name)s`` in an English string must survive in its Danish translation."""
    problems = [(message.id, [str(e) for e in errors]) for message, errors in danish.check()]
    assert problems == []


def test_compiled_catalogue_matches_the_po_file(danish):
    with (CATALOGUE / "messages.mo").open("rb") as mo:
        compiled = read_mo(mo)
    assert translations(compiled) == translations(danish), "run `make i18n` to recompile"


def test_every_string_in_the_code_is_in_the_catalogue(danish, tmp_path):
    pot = tmp_path / "extracted.pot"
    CommandLineInterface().run(
        [
            "pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"),
            "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot), str(ROOT / "app"),
        ]
    )  # fmt: skip
    with pot.open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}

    # Guard against an extraction that silently finds nothing (templates and ``_l`` strings).
    assert {"Skip to content", "Not allowed", "Log in as %(name)s"} <= extracted
    missing = sorted(map(str, extracted - set(translations(danish))))
    assert missing == [], f"not in the Danish catalogue (run `make i18n`): {missing}"
