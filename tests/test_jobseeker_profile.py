"""The jobseeker's profile page: full page, htmx fragment, validation and saving."""

import io
import json

import docx
import pytest
from sqlmodel import select

from app.models import JobseekerProfile, Postcode, Role
from app.services import matching


@pytest.fixture
def odense(session):
    if session.get(Postcode, "5000") is None:
        session.add(
            Postcode(
                code="5000", name="Odense C", latitude=55.396, longitude=10.388, region="Syddanmark"
            )
        )
        session.commit()


def profile_of(session, user):
    session.expire_all()
    return session.exec(select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)).one()


def valid_form(**overrides):
    data = {
        "cv_text": "Jeg er uddannet social- og sundhedshjælper og er god til at samarbejde.",
        "experience-0-title": "Social- og sundhedshjælper",
        "experience-0-employer": "Odense Kommune",
        "experience-0-start": "2018",
        "experience-0-end": "2024",
        "education-0-title": "Social- og sundhedshjælperuddannelsen",
        "skills-0": "personlig pleje",
        "skills-1": "dokumentation",
        "skills-2": "personlig pleje",
        "wished_occupations-0": "Social- og sundhedshjælper",
        "wished_industries": ["Sundhed og omsorg"],
        "commute_km": "25",
        "home_postcode": "5000",
        "hours_per_week": "32",
    }
    data.update(overrides)
    return data


def test_profile_page_renders_full_and_fragment(client, login_as):
    login_as(Role.JOBSEEKER)
    page = client.get("/jobsoeger/profil")
    assert page.status_code == 200
    assert "<html" in page.get_data(as_text=True)
    fragment = client.get("/jobsoeger/profil", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="profile-form"' in body
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_saving_stores_cleaned_profile(client, login_as, session, odense):
    user = login_as(Role.JOBSEEKER)
    response = client.post("/jobsoeger/profil", data=valid_form())
    assert response.status_code == 200
    assert "Din profil er gemt" in response.get_data(as_text=True)
    profile = profile_of(session, user)
    assert profile.commute_km == 25 and profile.hours_per_week == 32
    assert [s["label"] for s in profile.skills] == ["personlig pleje", "dokumentation"]
    assert profile.experience[0]["employer"] == "Odense Kommune"
    assert len(profile.education) == 1
    assert profile.wished_industries == ["Sundhed og omsorg"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("commute_km", "abc", "commute_km-error"),
        ("commute_km", "999", "Skriv et tal mellem 1 og 300."),
        ("home_postcode", "12", "Et dansk postnummer har fire cifre."),
        ("home_postcode", "0001", "Det postnummer kender vi ikke"),
        ("experience-0-end", "2010", "Slutåret ligger før startåret."),
        ("cv_text", "x" * 9000, "cv_text-error"),
    ],
)
def test_bad_input_is_shown_per_field_and_saves_nothing(
    client, login_as, session, odense, field, value, message
):
    user = login_as(Role.JOBSEEKER)
    before = profile_of(session, user).model_dump()
    response = client.post(
        "/jobsoeger/profil", data=valid_form(**{field: value}), headers={"HX-Request": "true"}
    )
    assert (
        response.status_code == 200
    )  # htmx 2 swaps only 2xx: errors come back as a re-rendered fragment
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body
    assert message in body or message.replace("ø", "&oslash;") in body
    after = profile_of(session, user).model_dump()
    assert after == before


def test_periods_with_months_as_in_the_demo_data_save_unchanged(client, login_as, session, odense):
    """Demo CVs (and many real ones) give periods as year and month: saving the page as shown
    must not be refused."""
    user = login_as(Role.JOBSEEKER)
    form = valid_form(**{"experience-0-start": "2018-03", "experience-0-end": "2024-11"})
    response = client.post("/jobsoeger/profil", data=form)
    assert "Din profil er gemt" in response.get_data(as_text=True)
    assert profile_of(session, user).experience[0]["start"] == "2018-03"
    bad = client.post("/jobsoeger/profil", data=valid_form(**{"experience-0-start": "2018-13"}))
    assert 'aria-invalid="true"' in bad.get_data(as_text=True)


def test_add_row_button_adds_an_entry_without_saving(client, login_as, session):
    user = login_as(Role.JOBSEEKER)
    response = client.post("/jobsoeger/profil", data={**valid_form(), "add_experience": "1"})
    assert 'name="experience-1-title"' in response.get_data(as_text=True)
    assert profile_of(session, user).experience == []


def test_skill_suggestions_fragment(client, login_as):
    login_as(Role.JOBSEEKER)
    response = client.get("/jobsoeger/forslag/kompetencer?skills-0=%25%25")
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)


def test_enter_in_a_text_field_saves_instead_of_adding_a_row(client, login_as, session, odense):
    """The first submit button in the form is a save button (browsers press it on Enter)."""
    login_as(Role.JOBSEEKER)
    body = client.get("/jobsoeger/profil").get_data(as_text=True)
    first_submit = body.index('type="submit"', body.index('id="profile-form"'))
    assert 'name="add_' not in body[first_submit - 80 : first_submit + 80]


# --- What we read from your CV -----------------------------------------------------------------


def read_page(client):
    response = client.get("/jobsoeger/profil/laest")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_reading_lists_what_was_read_and_a_correction_is_kept_and_can_be_undone(
    app, client, login_as, session, odense, make_posting
):
    user = login_as(Role.JOBSEEKER)
    make_posting(title="Social- og sundhedshjælper", postcode="5000")
    assert client.post("/jobsoeger/profil", data=valid_form()).status_code == 200
    page = read_page(client)
    assert "Hvad vi læste i dit CV" in page
    assert "Læst ud fra: “Social- og sundhedshjælper”" in page
    with app.app_context():
        concepts = matching.inferred_concepts(session=session, user_id=user.id)
    occupation = next(c for c in concepts or [] if c.kind == "occupation")
    assert f'value="{occupation.uri}"' in page

    answer = client.post(
        "/jobsoeger/profil/laest", data={"uri": occupation.uri, "action": "reject"}
    )
    assert answer.status_code == 302
    assert profile_of(session, user).rejected_concepts == [occupation.uri]
    page = read_page(client)
    assert "Du har sagt, at det er forkert" in page and "Brug det igen" in page
    with app.app_context():
        recommender = matching.get_recommender(session=session)
        stored = profile_of(session, user)
        person = matching.to_rec_profile(profile=stored, home=None, swipes=[], embedding=None)
        assert (
            recommender.esco.occ_index[occupation.uri] not in recommender.context(person).wished_occ
        )

    client.post("/jobsoeger/profil/laest", data={"uri": occupation.uri, "action": "undo"})
    assert profile_of(session, user).rejected_concepts == []


@pytest.mark.parametrize(
    "data",
    [
        {"uri": "http://data.europa.eu/esco/occupation/not-read-from-you", "action": "reject"},
        {"uri": "x" * 300, "action": "reject"},
        {"uri": "", "action": "reject"},
        {"action": "delete-everything", "uri": "http://data.europa.eu/esco/skill/x"},
    ],
)
def test_a_correction_of_something_not_read_is_refused_with_a_message(
    client, login_as, session, odense, data
):
    user = login_as(Role.JOBSEEKER)
    assert client.post("/jobsoeger/profil", data=valid_form()).status_code == 200
    answer = client.post("/jobsoeger/profil/laest", data=data, follow_redirects=True)
    assert answer.status_code == 200
    assert "Det kunne ikke ændres" in answer.get_data(as_text=True)
    assert profile_of(session, user).rejected_concepts == []


# --- A CV file read into "About me" ------------------------------------------------------------


SECTIONED_CV = [
    "Mette Hansen",
    "Søndergade 4, 5000 Odense C",
    "",
    "Erhvervserfaring",
    "2019 – 2024  Lagermedarbejder, Coop Odense",
    "Pluk og pak, varemodtagelse og truckkørsel.",
    "",
    "Uddannelse",
    "2018  Lagerlogistik, EUC Syd",
    "",
    "Kompetencer",
    "Truckcertifikat",
    "",
    "Jeg søger job som lagermedarbejder. Jeg kan pendle op til 25 km.",
]


def sectioned_docx() -> bytes:
    document = docx.Document()
    for line in SECTIONED_CV:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "mit cv.docx"):
    return client.post(
        "/jobsoeger/profil/cv-fil",
        data={"cv_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_uploaded_cv_is_read_into_the_form_for_review_and_nothing_is_saved(
    client, login_as, session
):
    user = login_as(Role.JOBSEEKER)
    before = profile_of(session, user).model_dump()
    response = upload(client, sectioned_docx())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Vi har læst din fil" in page
    # The sure items are filled in as form rows, for the person to check and change.
    assert 'name="experience-0-title" type="text" value="Lagermedarbejder"' in page
    assert 'value="Coop Odense"' in page and 'value="2019"' in page and 'value="2024"' in page
    assert 'value="Lagerlogistik"' in page and 'value="Truckcertifikat"' in page
    assert 'value="lagermedarbejder"' in page  # the wish
    assert 'name="home_postcode" type="text" value="5000"' in page
    assert 'name="commute_km" required type="number" value="25"' in page
    assert profile_of(session, user).model_dump() == before  # nothing saved before "Gem profil"


def test_rows_the_profile_has_are_kept_and_nothing_is_added_twice(
    client, login_as, session, odense
):
    login_as(Role.JOBSEEKER)
    form = valid_form(
        **{
            "experience-0-title": "Lagermedarbejder",
            "experience-0-employer": "Coop Odense",
            "commute_km": "40",
        }
    )
    assert client.post("/jobsoeger/profil", data=form).status_code == 200
    page = upload(client, sectioned_docx()).get_data(as_text=True)
    assert page.count('value="Coop Odense"') == 1
    assert 'value="personlig pleje"' in page  # the skills the person had typed stay
    assert 'name="commute_km" required type="number" value="40"' in page  # their own, not the CV's
    assert 'name="home_postcode" type="text" value="5000"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Vælg en fil først."),  # no file chosen
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "Filen er et billede"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "gammel Word-fil"),
        (b"%PDF-1.4\n broken", "Filen ser ud til at være beskadiget"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_message_and_changes_nothing(
    client, login_as, session, odense, data, message
):
    user = login_as(Role.JOBSEEKER)
    assert client.post("/jobsoeger/profil", data=valid_form()).status_code == 200
    before = profile_of(session, user).cv_text
    files = {"cv_file": (io.BytesIO(data), "cv.pdf")} if data else {}
    response = client.post(
        "/jobsoeger/profil/cv-fil", data=files, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert profile_of(session, user).cv_text == before


# --- JSON Resume: take the CV along, and bring it back ----------------------------------------


def test_the_profile_goes_out_as_json_resume_and_comes_back_into_the_form(
    client, login_as, session, odense
):
    login_as(Role.JOBSEEKER)
    assert client.post("/jobsoeger/profil", data=valid_form()).status_code == 200
    download = client.get("/jobsoeger/profil/json-resume")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="cv.json"'
    assert download.headers["Cache-Control"] == "no-store"
    resume = download.get_json()
    assert resume["work"][0]["position"] == "Social- og sundhedshjælper"
    assert resume["work"][0]["name"] == "Odense Kommune"
    assert resume["basics"]["location"]["postalCode"] == "5000"
    assert [s["name"] for s in resume["skills"]] == ["personlig pleje", "dokumentation"]

    other = login_as(Role.JOBSEEKER)  # a new account brings the file along
    page = upload(client, json.dumps(resume).encode(), "cv.json").get_data(as_text=True)
    assert 'name="experience-0-title" type="text" value="Social- og sundhedshjælper"' in page
    assert 'value="Odense Kommune"' in page and 'value="personlig pleje"' in page
    assert 'name="home_postcode" type="text" value="5000"' in page
    assert 'name="commute_km" required type="number" value="25"' in page
    assert profile_of(session, other).experience == []  # nothing saved before "Gem profil"


def test_a_json_resume_with_wrong_types_fills_only_what_is_valid(client, login_as, session):
    login_as(Role.JOBSEEKER)
    hostile = {
        "basics": {"summary": ["not", "text"], "location": "Aarhus"},
        "work": [{"position": {"x": 1}}, "text", {"position": "Kok", "startDate": "2019-03-01"}],
        "skills": [{"name": 7}, {"name": "Madlavning"}],
        "meta": {"jobunivers": {"commute_km": 10_000, "wished_occupations": "kok"}},
    }
    response = upload(client, json.dumps(hostile).encode(), "cv.json")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="Kok"' in page and 'value="2019-03"' in page and 'value="Madlavning"' in page
    assert "10000" not in page


def test_after_an_opt_out_only_the_text_of_a_file_is_used(client, login_as, session):
    login_as(Role.JOBSEEKER)
    opted = client.post("/jobsoeger/samtykker/core_matching", data={"action": "opt_out"})
    assert opted.status_code == 303
    page = upload(client, sectioned_docx()).get_data(as_text=True)
    assert "Lagermedarbejder, Coop Odense" in page  # the text, in "About me"
    assert 'name="experience-0-title" type="text" value=""' in page  # nothing read into rows
    assert 'value="Truckcertifikat"' not in page


def test_an_unsure_reading_is_shown_in_the_cv_s_words_and_not_filled_in(client, login_as):
    login_as(Role.JOBSEEKER)
    text = (
        "Mette Hansen, 5000 Odense C\n"
        "Fra 2015 til 2018 arbejdede jeg som bryggeriassistent hos Bryghuset Fyn i Odense, "
        "hvor jeg lærte rigtig meget om øl.\n"
    )
    page = upload(client, text.encode(), "cv.txt").get_data(as_text=True)
    assert "Dem her var vi ikke sikre på" in page
    assert "<li>Fra 2015 til 2018 arbejdede jeg som bryggeriassistent hos Bryghuset Fyn" in page
    assert 'value="bryggeriassistent"' not in page  # unsure: left for the person to add
