"""Employers post, edit and close job postings; jobseekers' decks follow; counts only on interest.

Pages are asked for in English (``Accept-Language: en``) where text is checked; structure is checked
through ids and ``data-`` attributes. The test app embeds with the hashing encoder and runs
background tasks inline (``BACKGROUND_SYNC``), so a saved posting is embedded before the response.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.models import (
    Employer,
    JobPosting,
    JobseekerProfile,
    Postcode,
    PostingEmbedding,
    Role,
    Suggestion,
    User,
)
from app.services import deck, matching, postings, vocabulary
from tests.conftest import add_postcodes, client_for

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", "Accept-Language": "en"}
# Used only where the reference table is not loaded yet; names and centroids are read back from it.
POSTCODES = {
    "5000": ("Odense C", 55.396, 10.388),
    "8000": ("Aarhus C", 56.153, 10.203),
}
NURSE_TITLE = "Sygeplejerske"  # in the Danish occupation catalogue
NURSING = (
    "Sygeplejerske til medicinsk afdeling. Du har erfaring med medicinhåndtering, sårpleje og "
    "dokumentation, og du trives med et travlt hverdagsliv sammen med gode kolleger."
)
TODAY = date.today()
VALID_FORM = {
    "title": "Sygeplejerske til medicinsk afdeling",
    "description": NURSING,
    "postcode": "5000",
    "remote": "y",
    "occupation": NURSE_TITLE,
    "skills-0": "sårpleje",
    "skills-1": "medicinhåndtering",
    "skills-2": "",
    "industry": "Sundhed og omsorg",
    "employment_type": "PART_TIME",
    "hours_per_week": "30",
    "valid_through": (TODAY + timedelta(days=30)).isoformat(),
}


@pytest.fixture(autouse=True)
def postcodes(session: Session) -> None:
    """Reference postcodes (kept between tests like the rest of the reference data)."""
    add_postcodes(session, POSTCODES)


def body(response) -> str:
    return response.get_data(as_text=True)


def all_postings(session: Session) -> list[JobPosting]:
    session.expire_all()
    return list(session.exec(select(JobPosting)).all())


def log_in(app: Flask, user: User) -> FlaskClient:
    """A second browser, for tests where two people take turns."""
    return client_for(app, user)


@pytest.fixture
def employer(login_as) -> User:
    return login_as(Role.EMPLOYER)


@pytest.fixture
def own_posting(make_posting, employer: User) -> JobPosting:
    return make_posting(
        title="Tømrer til nybyggeri",
        description=NURSING,
        employer_id=employer.employer_id,
        source="jobunivers",
    )


# --- Posting a job -----------------------------------------------------------------------------


def test_employer_posts_a_job_that_is_stored_placed_and_embedded(client, session, employer):
    response = client.post("/arbejdsgiver/job/ny", data=VALID_FORM, headers=EN)
    assert response.status_code == 303
    (posting,) = all_postings(session)
    assert response.headers["Location"].endswith(f"/arbejdsgiver/job/{posting.id}")
    organisation = session.get(Employer, employer.employer_id)
    assert posting.employer_id == employer.employer_id
    assert posting.hiring_organization == organisation.name
    place = session.get(Postcode, "5000")  # other tests may have loaded the real table
    assert (posting.postcode, posting.city) == ("5000", place.name)
    assert (posting.latitude, posting.longitude) == (place.latitude, place.longitude)
    assert posting.latitude is not None
    nurse = vocabulary.resolve_occupation(session=session, title=NURSE_TITLE)
    assert posting.occupation_uri == nurse.uri and posting.isco_code == "2221"
    assert posting.skills == ["sårpleje", "medicinhåndtering"]
    assert (posting.industry, posting.employment_type, posting.hours_per_week) == (
        "Sundhed og omsorg",
        "PART_TIME",
        30,
    )
    assert posting.remote is True
    assert posting.source == "jobunivers"
    assert posting.source_id.startswith(f"emp{employer.employer_id}-")
    assert posting.date_posted == TODAY
    assert posting.valid_through == TODAY + timedelta(days=30)
    embedding = session.get(PostingEmbedding, posting.id)
    assert embedding is not None and len(embedding.vector) > 0

    page = client.get(response.headers["Location"], headers=EN)
    assert page.status_code == 200
    html = body(page)
    assert 'id="posting-card"' in html and VALID_FORM["title"] in html
    assert 'data-state="open"' in html


def test_two_postings_get_different_source_ids(client, session, employer):
    for _ in range(2):
        assert client.post("/arbejdsgiver/job/ny", data=VALID_FORM).status_code == 303
    first, second = all_postings(session)
    assert first.source_id != second.source_id


def test_optional_fields_may_stay_empty(client, session, employer):
    form = {
        **VALID_FORM,
        "remote": "",
        "occupation": "",
        "skills-0": "",
        "skills-1": "",
        "industry": "",
        "hours_per_week": "",
    }
    del form["remote"]  # an unticked checkbox is not sent at all
    assert client.post("/arbejdsgiver/job/ny", data=form).status_code == 303
    (posting,) = all_postings(session)
    assert posting.remote is False
    assert (posting.occupation_uri, posting.isco_code, posting.industry) == (None, None, None)
    assert posting.skills == [] and posting.hours_per_week is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Write a title."),
        ({"title": "T" * 201}, "title", "Write at most 200 characters."),
        ({"description": "Kort tekst."}, "description", "Write at least 50 characters."),
        ({"description": ""}, "description", "Describe the job."),
        ({"postcode": "0001"}, "postcode", "We do not know that postcode."),
        ({"postcode": "50OO"}, "postcode", "A Danish postcode has four digits."),
        (
            {"valid_through": (TODAY - timedelta(days=1)).isoformat()},
            "valid_through",
            "The date cannot be in the past.",
        ),
        (
            {"valid_through": (TODAY + timedelta(days=400)).isoformat()},
            "valid_through",
            "Choose a date at most one year from today.",
        ),
        ({"valid_through": "2027-02-31"}, "valid_through", "Write a valid date."),
        ({"occupation": "Kaffesmager på månen"}, "occupation", "We do not know that occupation."),
        ({"hours_per_week": "0"}, "hours_per_week", "Write a number between 1 and 60."),
        ({"hours_per_week": "61"}, "hours_per_week", "Write a number between 1 and 60."),
        ({"hours_per_week": "mange"}, "hours_per_week", "Write a number between 1 and 60."),
    ],
)
def test_bad_posting_is_shown_again_with_field_messages(
    client, session, employer, changes, field, message
):
    response = client.post("/arbejdsgiver/job/ny", data={**VALID_FORM, **changes}, headers=EN)
    assert response.status_code == 200
    html = body(response)
    assert f'id="{field}-error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert html.count("<li>" + message) == 1  # one message per problem
    assert 'class="error-box"' in html
    assert all_postings(session) == []


def test_messages_are_danish_by_default(client, session, employer):
    response = client.post("/arbejdsgiver/job/ny", data={**VALID_FORM, "title": ""})
    assert response.status_code == 200
    assert "Skriv en titel." in body(response)
    assert all_postings(session) == []


def test_form_page_and_htmx_fragment(client, employer):
    page = client.get("/arbejdsgiver/job/ny", headers=EN)
    assert page.status_code == 200
    html = body(page)
    assert "<html" in html and 'id="posting-form"' in html
    # Hints are wired to their inputs, the date range is offered to the browser.
    assert re.search(r'aria-describedby="title-hint"[^>]*id="title"', html)
    assert f'min="{TODAY.isoformat()}"' in html
    assert f'value="{(TODAY + timedelta(days=30)).isoformat()}"' in html
    fragment = client.post("/arbejdsgiver/job/ny", data={**VALID_FORM, "title": ""}, headers=HX)
    assert fragment.status_code == 200
    snippet = body(fragment)
    assert "<html" not in snippet and snippet.lstrip().startswith("<form")
    assert 'id="title-error"' in snippet
    assert "HX-Request" in fragment.headers["Vary"]


def test_htmx_save_redirects_the_whole_page(client, session, employer):
    response = client.post("/arbejdsgiver/job/ny", data=VALID_FORM, headers=HX)
    (posting,) = all_postings(session)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith(f"/arbejdsgiver/job/{posting.id}")


def test_add_another_skill_adds_an_input_and_saves_nothing(client, session, employer):
    form = {**VALID_FORM, "skills-2": "dokumentation", "add_skill": "1"}
    response = client.post("/arbejdsgiver/job/ny", data=form, headers=HX)
    assert response.status_code == 200
    snippet = body(response)
    assert 'id="skills-3"' in snippet and "autofocus" in snippet
    assert 'value="dokumentation"' in snippet
    assert "error-box" not in snippet
    assert all_postings(session) == []


def test_skill_and_occupation_suggestions(client, employer):
    skill = vocabulary.danish_skills()[50].label
    response = client.get("/arbejdsgiver/forslag/kompetencer", query_string={"skills-1": skill})
    assert response.status_code == 200
    assert f'<option value="{skill}">' in body(response)
    nurse = client.get("/arbejdsgiver/forslag/stillinger", query_string={"occupation": "Sygepl"})
    assert f'<option value="{NURSE_TITLE}">' in body(nurse)


# --- Editing and closing -----------------------------------------------------------------------


def test_edit_form_is_filled_in_and_saves_changes(client, session, employer, own_posting):
    with client.application.app_context():
        matching.embed_postings(session=session)
    before = session.get(PostingEmbedding, own_posting.id).content_hash
    url = f"/arbejdsgiver/job/{own_posting.id}/rediger"
    page = body(client.get(url, headers=EN))
    assert 'value="Tømrer til nybyggeri"' in page and 'value="5000"' in page

    changed = {**VALID_FORM, "title": "Tømrer til renovering", "postcode": "8000"}
    response = client.post(url, data=changed, headers=EN)
    assert response.status_code == 303
    session.expire_all()
    posting = session.get(JobPosting, own_posting.id)
    assert posting.title == "Tømrer til renovering"
    aarhus = session.get(Postcode, "8000")
    assert (posting.city, posting.latitude) == (aarhus.name, aarhus.latitude)
    assert posting.postcode == "8000" and posting.latitude != 55.396  # was Odense (make_posting)
    assert posting.source_id == own_posting.source_id  # still the same posting
    assert session.get(PostingEmbedding, own_posting.id).content_hash != before  # re-embedded
    assert len(all_postings(session)) == 1


def test_edit_keeps_the_occupation_when_the_form_is_saved_unchanged(client, session, employer):
    assert client.post("/arbejdsgiver/job/ny", data=VALID_FORM).status_code == 303
    (posting,) = all_postings(session)
    url = f"/arbejdsgiver/job/{posting.id}/rediger"
    page = body(client.get(url))
    occupation = re.search(r'id="occupation"[^>]*value="([^"]*)"', page)
    assert occupation and occupation.group(1) == NURSE_TITLE
    assert 'value="sårpleje"' in page
    assert re.search(r'<input checked id="employment_type-\d"[^>]*value="PART_TIME"', page)
    assert client.post(url, data=_as_form(page)).status_code == 303
    session.expire_all()
    saved = session.get(JobPosting, posting.id)
    assert (saved.occupation_uri, saved.isco_code) == (posting.occupation_uri, "2221")
    assert saved.skills == posting.skills and saved.remote is True


def _as_form(page: str) -> dict[str, str]:
    """What a browser would send back from the edit page unchanged (text, date, radio, checkbox)."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) in ("csrf_token", "language"):
            continue
        if ('type="radio"' in tag or 'type="checkbox"' in tag) and "checked" not in tag:
            continue
        data[name.group(1)] = value.group(1) if value else ""
    data["description"] = re.search(
        r'<textarea[^>]*id="description"[^>]*>\n?([^<]*)</textarea>', page
    ).group(1)
    selected = re.search(r'<option selected value="([^"]*)"', page)
    data["industry"] = selected.group(1) if selected else ""
    return data


def test_bad_edit_changes_nothing(client, session, employer, own_posting):
    url = f"/arbejdsgiver/job/{own_posting.id}/rediger"
    response = client.post(url, data={**VALID_FORM, "postcode": "0001"}, headers=HX)
    assert response.status_code == 200 and 'id="postcode-error"' in body(response)
    session.expire_all()
    assert session.get(JobPosting, own_posting.id).title == "Tømrer til nybyggeri"


@pytest.fixture
def nurse(make_user, session) -> User:
    user = make_user(Role.JOBSEEKER)
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    profile.cv_text = "Uddannet sygeplejerske med erfaring i medicinhåndtering og sårpleje."
    profile.wished_occupations = [{"title": NURSE_TITLE, "esco_uri": None, "isco_code": "2221"}]
    session.add(profile)
    session.commit()
    return user


def test_closing_removes_the_job_from_jobseekers_decks(app, client, session, employer, nurse):
    assert client.post("/arbejdsgiver/job/ny", data=VALID_FORM).status_code == 303
    (posting,) = all_postings(session)
    with app.app_context():
        matching.refresh_suggestions(session=session, user_id=nurse.id)
        card = deck.next_card(session=session, user_id=nurse.id)
    assert card is not None and card.posting.id == posting.id

    confirm = client.get(f"/arbejdsgiver/job/{posting.id}/luk", headers=EN)
    assert confirm.status_code == 200 and "Yes, close the job" in body(confirm)
    response = client.post(f"/arbejdsgiver/job/{posting.id}/luk")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(JobPosting, posting.id).valid_through == TODAY - timedelta(days=1)
    with app.app_context():
        assert deck.next_card(session=session, user_id=nurse.id) is None
        matching.refresh_suggestions(session=session, user_id=nurse.id)
        assert deck.next_card(session=session, user_id=nurse.id) is None
    detail = body(client.get(f"/arbejdsgiver/job/{posting.id}", headers=EN))
    assert 'data-state="closed"' in detail
    listing = body(client.get("/arbejdsgiver/", headers=EN))
    assert f'id="posting-{posting.id}" data-state="closed"' in listing


def test_closing_twice_keeps_the_first_closing_date(session, employer, own_posting):
    yesterday = TODAY - timedelta(days=1)
    postings.close_posting(
        session=session, employer_id=employer.employer_id, posting_id=own_posting.id
    )
    closed = postings.close_posting(
        session=session,
        employer_id=employer.employer_id,
        posting_id=own_posting.id,
        today=TODAY + timedelta(days=5),
    )
    assert closed.valid_through == yesterday


def test_a_new_date_reopens_a_closed_job(client, session, employer, own_posting):
    assert client.post(f"/arbejdsgiver/job/{own_posting.id}/luk").status_code == 303
    url = f"/arbejdsgiver/job/{own_posting.id}/rediger"
    assert client.post(url, data=VALID_FORM).status_code == 303
    session.expire_all()
    assert postings.is_open(session.get(JobPosting, own_posting.id))


def test_landing_page_lists_postings_with_links(client, employer, own_posting):
    html = body(client.get("/arbejdsgiver/", headers=EN))
    assert "/arbejdsgiver/job/ny" in html
    assert f'id="posting-{own_posting.id}" data-state="open"' in html
    assert f"/arbejdsgiver/job/{own_posting.id}/rediger" in html
    assert f"/arbejdsgiver/job/{own_posting.id}/luk" in html


# --- Who may see what --------------------------------------------------------------------------


def test_other_organisations_postings_are_not_found(
    app, session, make_user, make_posting, own_posting
):
    outsider = log_in(app, make_user(Role.EMPLOYER))
    for url in ("", "/rediger", "/luk"):
        assert outsider.get(f"/arbejdsgiver/job/{own_posting.id}{url}").status_code == 404
    assert outsider.post(f"/arbejdsgiver/job/{own_posting.id}/luk").status_code == 404
    edit = outsider.post(f"/arbejdsgiver/job/{own_posting.id}/rediger", data=VALID_FORM)
    assert edit.status_code == 404
    session.expire_all()
    unchanged = session.get(JobPosting, own_posting.id)
    assert unchanged.title == "Tømrer til nybyggeri" and postings.is_open(unchanged)
    external = make_posting()  # e.g. from Jobnet: no organisation on the portal
    assert outsider.get(f"/arbejdsgiver/job/{external.id}").status_code == 404
    assert outsider.get("/arbejdsgiver/job/999999").status_code == 404


@pytest.mark.parametrize("role", [Role.JOBSEEKER, Role.CASEWORKER])
def test_other_roles_are_forbidden(client, login_as, own_posting, role):
    login_as(role)
    assert client.get("/arbejdsgiver/job/ny").status_code == 403
    assert client.post("/arbejdsgiver/job/ny", data=VALID_FORM).status_code == 403
    assert client.get(f"/arbejdsgiver/job/{own_posting.id}").status_code == 403
    assert client.post(f"/arbejdsgiver/job/{own_posting.id}/luk").status_code == 403


def test_employer_without_organisation_is_forbidden(client, session, employer):
    employer.employer_id = None
    session.add(employer)
    session.commit()
    assert client.get("/arbejdsgiver/job/ny").status_code == 403
    assert client.post("/arbejdsgiver/job/ny", data=VALID_FORM).status_code == 403
    assert all_postings(session) == []
    assert "/arbejdsgiver/job/ny" not in body(client.get("/arbejdsgiver/"))


def test_logged_out_visitors_are_sent_to_log_in(app):
    anonymous = app.test_client()
    response = anonymous.get("/arbejdsgiver/job/ny")
    assert response.status_code in (302, 303) and "/auth/login" in response.headers["Location"]


# --- Interest: counts only ---------------------------------------------------------------------


def test_posting_page_counts_yes_and_saved_without_names(
    client, session, make_user, employer, own_posting
):
    people: list[User] = [make_user(Role.JOBSEEKER, name=f"Hemmelig Person {i}") for i in range(4)]
    for person, action in zip(people, ("yes", "yes", "save", "no"), strict=True):
        # Only a posting shown to the person can be answered.
        session.add(
            Suggestion(
                user_id=person.id,
                posting_id=own_posting.id,
                rank=1,
                score=0.5,
                algorithm_version="test",
            )
        )
        session.commit()
        deck.swipe(session=session, user_id=person.id, posting_id=own_posting.id, action=action)
    html = body(client.get(f"/arbejdsgiver/job/{own_posting.id}", headers=EN))
    assert 'data-yes="2" data-saved="3"' in html
    assert "Hemmelig Person" not in html
    assert postings.interest(
        session=session, employer_id=employer.employer_id, posting_id=own_posting.id
    ) == postings.PostingInterest(said_yes=2, saved=3)


def test_interest_is_only_counted_for_the_own_organisation(session, make_user, own_posting):
    other = make_user(Role.EMPLOYER)
    with pytest.raises(postings.PostingNotFound):
        postings.interest(session=session, employer_id=other.employer_id, posting_id=own_posting.id)


# --- Service rules -----------------------------------------------------------------------------


def test_latest_closing_date_is_one_year_on():
    assert postings.latest_valid_through(date(2026, 3, 1)) == date(2027, 3, 1)
    assert postings.latest_valid_through(date(2028, 2, 29)) == date(2029, 2, 28)


def test_service_refuses_bad_input_and_stores_nothing(session, employer):
    data = postings.PostingInput(
        title="Lagermedarbejder",
        description=NURSING,
        postcode="5000",
        valid_through=TODAY + timedelta(days=10),
    )
    cases: list[tuple[dict, str]] = [
        ({"title": "  "}, "required"),
        ({"description": "x" * 49}, "too_short"),
        ({"description": "x" * 20_001}, "too_long"),
        ({"postcode": "9999"}, "unknown_postcode"),
        ({"employment_type": "SOMETIMES"}, "employment_type"),
        ({"hours_per_week": 0}, "hours"),
        ({"valid_through": TODAY - timedelta(days=1)}, "in_the_past"),
        ({"occupation": "Drømmejob"}, "unknown_occupation"),
        ({"skills": ["x" * 121]}, "too_long"),
    ]
    make: Callable[..., postings.PostingInput] = lambda **c: postings.PostingInput(  # noqa: E731
        **{**data.__dict__, **c}
    )
    for changes, message in cases:
        with pytest.raises(postings.PostingError) as error:
            postings.create_posting(
                session=session, employer_id=employer.employer_id, data=make(**changes)
            )
        assert error.value.message == message, changes
    assert all_postings(session) == []
    made = postings.create_posting(
        session=session,
        employer_id=employer.employer_id,
        data=make(skills=[" sårpleje ", "Sårpleje", "", "dokumentation"]),
    )
    assert made.skills == ["sårpleje", "dokumentation"]
