"""Coffee meetings end to end: employers offer, jobseekers answer, employers answer the yeses.

Pages are asked for in English (``Accept-Language: en``) where text is checked; structure is checked
through ids and ``data-`` attributes. Consent is recorded through ``app.services.privacy``.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.models import (
    CoffeeMeeting,
    CoffeeResponse,
    Employer,
    JobseekerProfile,
    Role,
    User,
)
from app.services import coffee, privacy
from consent.models import AccessLogEntry
from tests.conftest import add_postcodes, client_for, offer_input

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", "Accept-Language": "en"}
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Centroids near the real ones. From Odense C (5000): 5200 ~4 km, 5700 ~40 km, 8000 ~87 km.
POSTCODES = {
    "5000": ("Odense C", 55.396, 10.388),
    "5200": ("Odense V", 55.384, 10.322),
    "5700": ("Svendborg", 55.060, 10.607),
    "8000": ("Aarhus C", 56.153, 10.203),
}
NURSE_TITLE = "Sygeplejerske"  # in the Danish occupation catalogue
SECRET_NEED = "Har brug for teleslynge og hæve-sænkebord"


@pytest.fixture(autouse=True)
def postcodes(session: Session) -> None:
    """Reference postcodes (kept between tests like the rest of the reference data)."""
    add_postcodes(session, POSTCODES)


def body(response) -> str:
    return response.get_data(as_text=True)


def log_in(app: Flask, user: User) -> FlaskClient:
    """A second browser, for tests where two people take turns."""
    return client_for(app, user)


def grant(app: Flask, session: Session, user: User, action: str = "grant") -> None:
    with app.app_context():
        privacy.record_decision(
            session=session,
            user_id=user.id,
            purpose_id=privacy.EMPLOYER_COFFEE,
            action=action,
            actor_id=user.id,
            actor_role=Role.JOBSEEKER,
        )


@pytest.fixture
def employer(make_user) -> User:
    return make_user(Role.EMPLOYER)


@pytest.fixture
def make_offer(session: Session, employer: User) -> Callable[..., CoffeeMeeting]:
    def _make(employer_id: int | None = None, **fields) -> CoffeeMeeting:
        return coffee.create_offer(
            session=session,
            employer_id=employer_id or employer.employer_id,
            data=offer_input(**fields),
        )

    return _make


def set_profile(session: Session, user: User, **fields) -> None:
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    for name, value in fields.items():
        setattr(profile, name, value)
    session.add(profile)
    session.commit()


def responses(session: Session, meeting_id: int) -> list[CoffeeResponse]:
    session.expire_all()
    return list(
        session.exec(select(CoffeeResponse).where(CoffeeResponse.meeting_id == meeting_id)).all()
    )


# --- Employers: creating offers ----------------------------------------------------------------

NEXT_WEEK = date.today() + timedelta(days=7)
VALID_FORM = {
    "title": "Kaffe hos Testfirma",
    "description": "Vi fortæller om vores job i Odense.",
    "location": "Receptionen, Vestergade 12",
    "postcode": "5000",
    "occupation": "",
    "start_date": NEXT_WEEK.isoformat(),
    "start_time": "10:00",
    "duration_minutes": "45",
    "capacity": "4",
}


def count_offers(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(CoffeeMeeting)).all())


def test_employer_creates_an_offer(client, login_as, session):
    user = login_as(Role.EMPLOYER)
    form = {**VALID_FORM, "occupation": NURSE_TITLE}
    response = client.post("/arbejdsgiver/kaffemoeder/ny", data=form, headers=EN)
    assert response.status_code == 303
    meeting = session.exec(select(CoffeeMeeting)).one()
    assert response.headers["Location"].endswith(f"/arbejdsgiver/kaffemoeder/{meeting.id}")
    assert meeting.employer_id == user.employer_id
    assert (meeting.capacity, meeting.duration_minutes) == (4, 45)
    # Typed as Danish wall-clock time, stored as UTC.
    expected = datetime.combine(NEXT_WEEK, time(10, 0), tzinfo=COPENHAGEN).astimezone(UTC)
    assert meeting.starts_at == expected
    assert (meeting.latitude, meeting.longitude) == POSTCODES["5000"][1:]
    assert meeting.isco_code == "2221" and meeting.occupation_uri.startswith(
        "http://data.europa.eu"
    )
    listing = body(client.get("/arbejdsgiver/kaffemoeder", headers=EN))
    assert f'id="offer-{meeting.id}"' in listing and 'data-yes="0"' in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"start_date": (date.today() - timedelta(days=1)).isoformat()},
            "start_date",
            "The meeting must start in the future.",
        ),
        ({"postcode": "0001"}, "postcode", "We do not know that postcode."),
        ({"postcode": "50OO"}, "postcode", "A Danish postcode has four digits."),
        ({"capacity": "0"}, "capacity", "Write a number between 1 and 100."),
        ({"capacity": "many"}, "capacity", "Write a number between 1 and 100."),
        ({"duration_minutes": "5"}, "duration_minutes", "Write a number between 10 and 240."),
        ({"title": "K" * 161}, "title", "Write at most 160 characters."),
        ({"title": ""}, "title", "Write a title."),
        ({"start_date": "2027-02-31"}, "start_date", "Write a valid date."),
        ({"start_time": "25:99"}, "start_time", "Write a valid time, e.g. 10:00."),
        ({"start_time": ""}, "start_time", "Choose a time."),
        ({"occupation": "Kaffesmager på månen"}, "occupation", "We do not know that occupation."),
    ],
)
def test_bad_offer_is_shown_again_with_field_messages(
    client, login_as, session, changes, field, message
):
    login_as(Role.EMPLOYER)
    response = client.post(
        "/arbejdsgiver/kaffemoeder/ny", data={**VALID_FORM, **changes}, headers=EN
    )
    assert response.status_code == 200
    html = body(response)
    assert f'id="{field}-error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert html.count("<li>" + message) == 1  # one message per problem
    assert count_offers(session) == 0


def test_offer_form_page_renders(client, login_as):
    login_as(Role.EMPLOYER)
    response = client.get("/arbejdsgiver/kaffemoeder/ny", headers=EN)
    html = body(response)
    assert response.status_code == 200
    for name in VALID_FORM:
        assert f'<label for="{name}"' in html
    assert "style=" not in html and "<script>" not in html


def test_occupation_suggestions_for_employers(client, login_as):
    login_as(Role.EMPLOYER)
    html = body(client.get("/arbejdsgiver/forslag/stillinger?occupation=sygeplej"))
    assert f'<option value="{NURSE_TITLE}">' in html


def test_service_refuses_a_start_in_the_past(session, employer):
    with pytest.raises(coffee.CoffeeError) as error:
        coffee.create_offer(
            session=session,
            employer_id=employer.employer_id,
            data=offer_input(starts_at=datetime.now(UTC) - timedelta(minutes=1)),
        )
    assert error.value.field == "start_date"
    assert count_offers(session) == 0


# --- Employers: only their own organisation ----------------------------------------------------


def test_other_organisations_offers_are_404(client, login_as, make_user, session, make_offer):
    theirs = make_offer(title="Deres kaffemøde")
    seeker = make_user(Role.JOBSEEKER)
    session.add(CoffeeResponse(meeting_id=theirs.id, user_id=seeker.id, answer="yes"))
    session.commit()
    response_id = responses(session, theirs.id)[0].id
    login_as(Role.EMPLOYER)  # a different organisation
    assert client.get(f"/arbejdsgiver/kaffemoeder/{theirs.id}").status_code == 404
    assert client.post(f"/arbejdsgiver/kaffemoeder/{theirs.id}/aflys").status_code == 404
    reply = client.post(
        f"/arbejdsgiver/kaffemoeder/{theirs.id}/svar/{response_id}",
        data={"decision": "decline", "message": ""},
    )
    assert reply.status_code == 404
    assert "Deres kaffemøde" not in body(client.get("/arbejdsgiver/kaffemoeder"))
    session.expire_all()
    assert session.get(CoffeeMeeting, theirs.id).cancelled_at is None
    assert responses(session, theirs.id)[0].employer_status == "pending"
    # Their access log holds no read by the other organisation.
    assert (
        session.exec(select(AccessLogEntry).where(AccessLogEntry.subject_id == seeker.id)).all()
        == []
    )


def test_cancel_hides_the_offer_from_jobseekers(client, login_as, make_user, session):
    boss = login_as(Role.EMPLOYER)
    meeting = coffee.create_offer(session=session, employer_id=boss.employer_id, data=offer_input())
    seeker = make_user(Role.JOBSEEKER)
    assert coffee.next_offer(session=session, user_id=seeker.id).meeting.id == meeting.id
    response = client.post(f"/arbejdsgiver/kaffemoeder/{meeting.id}/aflys")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(CoffeeMeeting, meeting.id).cancelled_at is not None
    assert coffee.next_offer(session=session, user_id=seeker.id) is None


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.JOBSEEKER, "/arbejdsgiver/kaffemoeder"),
        (Role.JOBSEEKER, "/arbejdsgiver/kaffemoeder/ny"),
        (Role.CASEWORKER, "/arbejdsgiver/kaffemoeder"),
        (Role.EMPLOYER, "/jobsoeger/kaffemoeder"),
        (Role.EMPLOYER, "/jobsoeger/kaffemoeder/mine"),
        (Role.ADMIN, "/jobsoeger/kaffemoeder"),
    ],
)
def test_role_gates(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/arbejdsgiver/kaffemoeder", "/jobsoeger/kaffemoeder"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_employer_without_organisation_is_refused(client, login_as, make_user, session):
    user = login_as(Role.EMPLOYER)
    user = session.get(User, user.id)
    user.employer_id = None
    session.add(user)
    session.commit()
    assert client.get("/arbejdsgiver/kaffemoeder").status_code == 403
    assert client.post("/arbejdsgiver/kaffemoeder/ny", data=VALID_FORM).status_code == 403


# --- Jobseekers: the deck ----------------------------------------------------------------------


def test_deck_full_page_and_htmx_fragment(client, login_as, make_offer):
    meeting = make_offer(title="Kaffe i Odense")
    login_as(Role.JOBSEEKER)
    page = client.get("/jobsoeger/kaffemoeder", headers=EN)
    html = body(page)
    assert page.status_code == 200 and "<html" in html and html.count("<h1") == 1
    assert "Kaffe i Odense" in html and f'data-meeting="{meeting.id}"' in html
    assert "Yes please" in html and "No thanks" in html
    assert 'href="/jobsoeger/swipe"' in html  # back to the job deck
    fragment = client.get("/jobsoeger/kaffemoeder", headers=HX)
    part = body(fragment)
    assert "<html" not in part and 'id="deck"' in part and f'data-meeting="{meeting.id}"' in part
    assert "HX-Request" in fragment.headers["Vary"]
    assert "style=" not in html


def test_deck_orders_by_distance_within_the_commute_radius(session, make_user, make_offer):
    soon = datetime.now(UTC) + timedelta(days=1)
    later = datetime.now(UTC) + timedelta(days=20)
    far = make_offer(postcode="8000", starts_at=soon)  # ~87 km
    svendborg = make_offer(postcode="5700", starts_at=soon)  # ~40 km
    odense_v = make_offer(postcode="5200", starts_at=soon)  # ~4 km
    odense_c = make_offer(postcode="5000", starts_at=later)  # 0 km, but the latest
    seeker = make_user(Role.JOBSEEKER)  # home 5000, commute 25 km
    shown = coffee.open_offers(session=session, user_id=seeker.id)
    assert [c.meeting.id for c in shown] == [odense_c.id, odense_v.id]
    assert shown[0].distance_km == pytest.approx(0, abs=0.01)
    assert 3 < shown[1].distance_km < 6
    assert shown[0].remaining == 2
    set_profile(session, seeker, commute_km=100)
    shown = coffee.open_offers(session=session, user_id=seeker.id)
    assert [c.meeting.id for c in shown] == [odense_c.id, odense_v.id, svendborg.id, far.id]
    # Without a home postcode every offer counts, soonest first.
    set_profile(session, seeker, home_postcode=None)
    shown = coffee.open_offers(session=session, user_id=seeker.id)
    assert [c.meeting.id for c in shown][-1] == odense_c.id and len(shown) == 4


def test_deck_leaves_out_past_cancelled_full_and_answered_offers(
    session, make_user, make_offer, app
):
    past = make_offer()
    past.starts_at = datetime.now(UTC) - timedelta(hours=1)
    session.add(past)
    cancelled = make_offer()
    cancelled.cancelled_at = datetime.now(UTC)
    session.add(cancelled)
    session.commit()
    full = make_offer(capacity=1)
    answered = make_offer()
    open_one = make_offer()
    other, seeker = make_user(Role.JOBSEEKER), make_user(Role.JOBSEEKER)
    grant(app, session, other)
    coffee.answer(session=session, user_id=other.id, meeting_id=full.id, answer="yes")
    coffee.answer(session=session, user_id=seeker.id, meeting_id=answered.id, answer="no")
    assert [c.meeting.id for c in coffee.open_offers(session=session, user_id=seeker.id)] == [
        open_one.id
    ]
    grant(app, session, seeker)
    with pytest.raises(coffee.CoffeeError, match="full"):
        coffee.answer(session=session, user_id=seeker.id, meeting_id=full.id, answer="yes")
    with pytest.raises(coffee.CoffeeError, match="unavailable"):
        coffee.answer(session=session, user_id=seeker.id, meeting_id=past.id, answer="yes")
    # A declined yes frees its seat again.
    first = responses(session, full.id)[0]
    first.employer_status = "declined"
    session.add(first)
    session.commit()
    assert full.id in [c.meeting.id for c in coffee.open_offers(session=session, user_id=seeker.id)]


def test_yes_is_stored_once_and_a_double_tap_returns_the_first(
    app, client, login_as, session, make_offer
):
    meeting = make_offer()
    seeker = login_as(Role.JOBSEEKER)
    grant(app, session, seeker)
    first = client.post(
        "/jobsoeger/kaffemoeder", data={"meeting_id": meeting.id, "answer": "yes"}, headers=HX
    )
    assert first.status_code == 200 and 'id="deck"' in body(first)
    again = client.post(
        "/jobsoeger/kaffemoeder", data={"meeting_id": meeting.id, "answer": "no"}, headers=HX
    )
    assert again.status_code == 200
    rows = responses(session, meeting.id)
    assert [(r.user_id, r.answer) for r in rows] == [(seeker.id, "yes")]
    stored, created = coffee.answer(
        session=session, user_id=seeker.id, meeting_id=meeting.id, answer="yes"
    )
    assert created is False and stored.id == rows[0].id


def test_no_javascript_answer_redirects_with_303(app, client, login_as, session, make_offer):
    meeting = make_offer()
    seeker = login_as(Role.JOBSEEKER)
    grant(app, session, seeker)
    response = client.post(
        "/jobsoeger/kaffemoeder", data={"meeting_id": meeting.id, "answer": "yes"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/jobsoeger/kaffemoeder")
    assert len(responses(session, meeting.id)) == 1


def test_yes_without_consent_is_refused_and_explained(client, login_as, session, make_offer):
    meeting = make_offer()
    login_as(Role.JOBSEEKER)
    page = body(client.get("/jobsoeger/kaffemoeder", headers=EN))
    assert 'id="coffee-consent"' in page
    assert 'href="/jobsoeger/samtykker#purpose-employer_coffee"' in page
    assert "never see your needs for workplace adjustments" in page
    refused = client.post(
        "/jobsoeger/kaffemoeder", data={"meeting_id": meeting.id, "answer": "yes"}, headers=HX
    )
    html = body(refused)
    assert refused.status_code == 200
    assert 'role="alert"' in html and "Your yes was not saved" in html
    assert f'data-meeting="{meeting.id}"' in html  # the same offer stays on screen
    plain = client.post("/jobsoeger/kaffemoeder", data={"meeting_id": meeting.id, "answer": "yes"})
    assert plain.status_code == 303
    assert responses(session, meeting.id) == []
    # A no needs no consent.
    client.post(
        "/jobsoeger/kaffemoeder", data={"meeting_id": meeting.id, "answer": "no"}, headers=HX
    )
    assert [r.answer for r in responses(session, meeting.id)] == ["no"]


def test_consent_notice_disappears_once_consent_is_given(
    app, client, login_as, session, make_offer
):
    make_offer()
    seeker = login_as(Role.JOBSEEKER)
    grant(app, session, seeker)
    assert 'id="coffee-consent"' not in body(client.get("/jobsoeger/kaffemoeder", headers=EN))


def test_bad_answers_are_400(client, login_as, make_offer):
    meeting = make_offer()
    login_as(Role.JOBSEEKER)
    for data in ({"meeting_id": meeting.id, "answer": "maybe"}, {"answer": "yes"}):
        assert client.post("/jobsoeger/kaffemoeder", data=data).status_code == 400


def test_answers_need_a_csrf_token(app, client, login_as, session, make_offer):
    meeting = make_offer()
    seeker = login_as(Role.JOBSEEKER)
    grant(app, session, seeker)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/jobsoeger/kaffemoeder", data={"meeting_id": meeting.id, "answer": "yes"}
    )
    assert response.status_code == 400
    assert responses(session, meeting.id) == []


# --- Employers see (or not) the people who said yes --------------------------------------------


def access_rows(session: Session, user_id: int) -> list[AccessLogEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(AccessLogEntry)
            .where(AccessLogEntry.subject_id == user_id)
            .order_by(col(AccessLogEntry.id))
        ).all()
    )


@pytest.fixture
def signed_up(app, session, make_user, make_offer):
    """A nurse who consented and said yes to an offer."""
    meeting = make_offer(title="Kaffe på afdelingen")
    seeker = make_user(Role.JOBSEEKER, name="Karin Testesen")
    cv = "Uddannet sygeplejerske med erfaring i medicinhåndtering. " * 20
    set_profile(
        session,
        seeker,
        cv_text=cv,
        wished_occupations=[{"title": "Sygeplejerske", "esco_uri": None, "isco_code": "2221"}],
        accessibility_needs=SECRET_NEED,
    )
    grant(app, session, seeker)
    coffee.answer(session=session, user_id=seeker.id, meeting_id=meeting.id, answer="yes")
    return meeting, seeker


def test_employer_sees_shared_fields_only_while_consent_lasts(app, session, employer, signed_up):
    meeting, seeker = signed_up
    boss = log_in(app, employer)
    html = body(boss.get(f"/arbejdsgiver/kaffemoeder/{meeting.id}", headers=EN))
    assert 'data-shared="yes"' in html
    assert "Karin Testesen" in html and "Sygeplejerske" in html
    assert "Uddannet sygeplejerske med erfaring" in html
    summary = re.search(r'<p class="cv-summary">(.*?)</p>', html, re.S).group(1)
    assert len(summary) <= coffee.CV_SUMMARY_CHARS + 1 and summary.endswith("…")
    assert SECRET_NEED not in html

    grant(app, session, seeker, action="withdraw")
    html = body(boss.get(f"/arbejdsgiver/kaffemoeder/{meeting.id}", headers=EN))
    assert 'data-shared="no"' in html and "withdrawn their consent" in html
    assert "Karin Testesen" not in html and "medicinhåndtering" not in html
    assert SECRET_NEED not in html
    assert 'name="decision"' not in html  # no answer buttons without consent

    log = access_rows(session, seeker.id)
    assert [row.outcome for row in log] == ["allowed", "refused"]
    employer_org = session.get(User, employer.id).employer_id
    assert all(row.actor_role == "employer" and row.actor_id == employer.id for row in log)
    assert all(row.purpose_id == privacy.EMPLOYER_COFFEE and row.via == "web" for row in log)
    assert all("accessibility_needs" not in row.data_categories for row in log)
    assert set(log[0].data_categories) == set(coffee.SHARED_CATEGORIES)
    assert {row.actor_organisation for row in log} == {session.get(Employer, employer_org).name}
    assert log[1].reason == "withdrawn"


def test_every_view_is_logged(app, session, employer, signed_up):
    meeting, seeker = signed_up
    boss = log_in(app, employer)
    for _ in range(3):
        boss.get(f"/arbejdsgiver/kaffemoeder/{meeting.id}")
    assert len(access_rows(session, seeker.id)) == 3


def test_a_withdrawn_yes_disappears_for_the_employer(app, session, employer, signed_up):
    meeting, seeker = signed_up
    jobseeker = log_in(app, seeker)
    response_id = responses(session, meeting.id)[0].id
    assert jobseeker.post(f"/jobsoeger/kaffemoeder/mine/{response_id}/fortryd").status_code == 303
    assert [r.answer for r in responses(session, meeting.id)] == ["no"]
    boss = log_in(app, employer)
    html = body(boss.get(f"/arbejdsgiver/kaffemoeder/{meeting.id}", headers=EN))
    assert f'id="applicant-{response_id}"' not in html and "Nobody has said yes yet." in html


# --- Employers answer; jobseekers see the answer -----------------------------------------------


def test_accept_with_message_is_shown_to_the_jobseeker(app, session, employer, signed_up):
    meeting, seeker = signed_up
    response_id = responses(session, meeting.id)[0].id
    boss = log_in(app, employer)
    url = f"/arbejdsgiver/kaffemoeder/{meeting.id}/svar/{response_id}"

    missing = boss.post(url, data={"decision": "accept", "message": "  "}, headers=EN)
    assert missing.status_code == 200 and f'id="message-{response_id}-error"' in body(missing)
    too_long = boss.post(url, data={"decision": "accept", "message": "x" * 1001}, headers=HX)
    assert too_long.status_code == 200
    assert "<html" not in body(too_long) and "Write at most 1000 characters." in body(too_long)
    assert responses(session, meeting.id)[0].employer_status == "pending"

    accepted = boss.post(
        url, data={"decision": "accept", "message": "Spørg efter Mette i receptionen."}
    )
    assert accepted.status_code == 303
    row = responses(session, meeting.id)[0]
    assert row.employer_status == "accepted" and row.answered_at is not None

    jobseeker = log_in(app, seeker)
    html = body(jobseeker.get("/jobsoeger/kaffemoeder/mine", headers=EN))
    assert f'id="coffee-{response_id}" data-status="accepted"' in html
    assert "Spørg efter Mette i receptionen." in html and "The employer has said yes." in html
    assert "Take back my yes" not in html
    # Once answered, the yes can no longer be taken back.
    jobseeker.post(f"/jobsoeger/kaffemoeder/mine/{response_id}/fortryd")
    assert responses(session, meeting.id)[0].answer == "yes"


def test_decline_over_htmx_swaps_the_row(app, session, employer, signed_up):
    meeting, seeker = signed_up
    response_id = responses(session, meeting.id)[0].id
    boss = log_in(app, employer)
    declined = boss.post(
        f"/arbejdsgiver/kaffemoeder/{meeting.id}/svar/{response_id}",
        data={"decision": "decline", "message": ""},
        headers=HX,
    )
    html = body(declined)
    assert declined.status_code == 200 and "<html" not in html
    assert f'id="applicant-{response_id}"' in html and 'data-status="declined"' in html
    jobseeker = log_in(app, seeker)
    mine = body(jobseeker.get("/jobsoeger/kaffemoeder/mine", headers=EN))
    assert 'data-status="declined"' in mine and "The employer has said no this time." in mine


def test_employer_cannot_answer_after_consent_is_withdrawn(app, session, employer, signed_up):
    meeting, seeker = signed_up
    response_id = responses(session, meeting.id)[0].id
    grant(app, session, seeker, action="withdraw")
    with pytest.raises(coffee.ConsentNeededError):
        coffee.respond(
            session=session,
            employer_id=employer.employer_id,
            actor_id=employer.id,
            meeting_id=meeting.id,
            response_id=response_id,
            decision="accept",
            message="Velkommen",
        )
    assert responses(session, meeting.id)[0].employer_status == "pending"
    assert access_rows(session, seeker.id)[-1].outcome == "refused"


def test_my_meetings_lists_pending_yes_with_withdraw(app, client, login_as, session, make_offer):
    meeting = make_offer(title="Kaffe hos bageren")
    seeker = login_as(Role.JOBSEEKER)
    grant(app, session, seeker)
    coffee.answer(session=session, user_id=seeker.id, meeting_id=meeting.id, answer="yes")
    html = body(client.get("/jobsoeger/kaffemoeder/mine", headers=EN))
    assert "Kaffe hos bageren" in html and 'data-status="pending"' in html
    assert "Take back my yes" in html and "Odense C" in html


def test_withdrawing_someone_elses_yes_is_404(app, client, login_as, session, signed_up):
    meeting, _seeker = signed_up
    login_as(Role.JOBSEEKER)
    response_id = responses(session, meeting.id)[0].id
    assert client.post(f"/jobsoeger/kaffemoeder/mine/{response_id}/fortryd").status_code == 404
    assert responses(session, meeting.id)[0].answer == "yes"


def test_the_jobseeker_is_notified_of_the_answer(app, session, employer, signed_up):
    from app.models import Notification

    meeting, seeker = signed_up
    response_id = responses(session, meeting.id)[0].id
    jobseeker = log_in(app, seeker)
    before = body(jobseeker.get("/jobsoeger/notifikationer", headers=EN))
    assert "has answered your yes" not in before
    boss = log_in(app, employer)
    boss.post(
        f"/arbejdsgiver/kaffemoeder/{meeting.id}/svar/{response_id}",
        data={"decision": "accept", "message": "Velkommen kl. 10."},
    )
    notes = session.exec(select(Notification).where(Notification.user_id == seeker.id)).all()
    assert [(n.kind, n.coffee_meeting_id) for n in notes] == [("coffee_answer", meeting.id)]
    after = body(jobseeker.get("/jobsoeger/notifikationer", headers=EN))
    assert "An employer has answered your yes to a coffee meeting" in after
    assert meeting.title in after


def test_the_same_employer_answer_twice_notifies_once(app, session, employer, signed_up):
    from app.models import Notification

    meeting, seeker = signed_up
    response_id = responses(session, meeting.id)[0].id

    def reply(decision: str, message: str) -> None:
        coffee.respond(
            session=session,
            employer_id=employer.employer_id,
            actor_id=employer.id,
            meeting_id=meeting.id,
            response_id=response_id,
            decision=decision,
            message=message,
        )

    reply("accept", "Velkommen kl. 10.")
    reply("accept", "  Velkommen kl. 10. ")  # a double click: the same answer again
    session.expire_all()
    notes = session.exec(select(Notification).where(Notification.user_id == seeker.id)).all()
    assert len(notes) == 1
    reply("accept", "Velkommen kl. 11 i stedet.")  # a real change is sent again
    session.expire_all()
    notes = session.exec(select(Notification).where(Notification.user_id == seeker.id)).all()
    assert len(notes) == 2
    assert responses(session, meeting.id)[0].employer_message == "Velkommen kl. 11 i stedet."


@pytest.mark.parametrize("meeting_id", ["0", "-1", str(2**31), "9" * 300, "abc"])
def test_an_odd_meeting_id_in_a_coffee_answer_is_400(client, login_as, meeting_id):
    login_as(Role.JOBSEEKER)
    response = client.post(
        "/jobsoeger/kaffemoeder", data={"meeting_id": meeting_id, "answer": "no"}
    )
    assert response.status_code == 400


def test_taking_back_a_yes_twice_keeps_it_taken_back(app, client, login_as, session, make_offer):
    meeting = make_offer()
    seeker = login_as(Role.JOBSEEKER)
    grant(app, session, seeker)
    response, _created = coffee.answer(
        session=session, user_id=seeker.id, meeting_id=meeting.id, answer="yes"
    )
    path = f"/jobsoeger/kaffemoeder/mine/{response.id}/fortryd"
    assert [client.post(path).status_code for _ in range(2)] == [303, 303]
    assert [r.answer for r in responses(session, meeting.id)] == ["no"]
