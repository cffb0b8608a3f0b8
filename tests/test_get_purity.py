"""No GET request ranks, randomises or writes anything but access-log rows.

Ranking happens when data is written (in the background) or by the scheduler
(``matching.refresh_pending``); a page that finds no ranking yet says the suggestions are being
prepared and polls the status fragment."""

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel
from sqlmodel import select as sm_select

from app.models import (
    CaseworkerAssignment,
    JobseekerProfile,
    Role,
    Suggestion,
    TrialAssignment,
)
from app.services import matching, privacy
from tests.conftest import client_for

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", "Accept-Language": "en"}
TEXT = "Lagermedarbejder til pluk og pak. Du kører truck og har styr på varemodtagelse."
JOBSEEKER_PAGES = (
    "/jobsoeger/",
    "/jobsoeger/overblik",
    "/jobsoeger/swipe",
    "/jobsoeger/swipe?fane=alternativer",
    "/jobsoeger/forslag/status",
    "/jobsoeger/profil",
    "/jobsoeger/andre-som-mig",
)
# The access log is the one table a read may add to (every read by someone else is logged).
WRITABLE_BY_GET = {"accesslogentry"}


def row_counts(session) -> dict[str, int]:
    session.expire_all()
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
        if table.name not in WRITABLE_BY_GET
    }


def assert_read_only(session, browser, url: str, headers=None):
    before = row_counts(session)
    response = browser.get(url, headers=headers or EN)
    assert response.status_code == 200, (url, response.status_code)
    after = row_counts(session)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert changed == {}, f"GET {url} wrote rows: {changed}"
    return response.get_data(as_text=True)


@pytest.fixture
def scene(app, client, login_as, make_user, make_posting, session):
    """A warehouse worker who consented to the research (so the old code would randomise them),
    with postings ready but never ranked, assigned to a caseworker; the trial is on."""
    app.config["TRIAL_ENABLED"] = True
    seeker = login_as(Role.JOBSEEKER)
    profile = session.exec(
        sm_select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    profile.cv_text = "Jeg har arbejdet på lager med pluk og pak, truckkørsel og varemodtagelse."
    profile.wished_occupations = [{"title": "Lagermedarbejder", "isco_code": "9333"}]
    session.add(profile)
    session.commit()
    for title in ("Lagermedarbejder", "Truckfører", "Pakkeri-medarbejder"):
        make_posting(title=title, description=TEXT)
    with app.test_request_context():
        matching.embed_postings(session=session)
        privacy.record_decision(
            session=session,
            user_id=seeker.id,
            purpose_id=privacy.RESEARCH,
            action="grant",
            actor_id=seeker.id,
            actor_role="jobseeker",
        )
    caseworker = make_user(Role.CASEWORKER)
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id,
            jobseeker_id=seeker.id,
            jobcentre_id=caseworker.jobcentre_id,
        )
    )
    session.commit()
    return seeker, client_for(app, caseworker)


def caseworker_pages(seeker):
    return ("/sagsbehandler/", f"/sagsbehandler/borger/{seeker.id}")


def test_pages_of_a_person_never_ranked_write_nothing(app, client, session, scene):
    seeker, caseworker = scene
    for url in JOBSEEKER_PAGES:
        assert_read_only(session, client, url)
    for url in ("/jobsoeger/swipe", "/jobsoeger/overblik"):
        assert_read_only(session, client, url, headers=HX)
    for url in caseworker_pages(seeker):
        assert_read_only(session, caseworker, url)
    assert session.get(TrialAssignment, seeker.id) is None
    assert session.exec(sm_select(Suggestion)).first() is None


def test_pages_say_the_first_suggestions_are_being_prepared(app, client, session, scene):
    seeker, caseworker = scene
    deck = client.get("/jobsoeger/swipe", headers=EN).get_data(as_text=True)
    assert "Your first job suggestions are being prepared" in deck
    assert 'hx-trigger="load delay:2s"' in deck  # the status fragment polls
    assert 'hx-trigger="suggestions-ready from:body"' in deck  # and the card follows
    overview = client.get("/jobsoeger/overblik", headers=EN).get_data(as_text=True)
    assert "Your first job suggestions are being prepared" in overview
    status = client.get("/jobsoeger/forslag/status", headers=HX)
    assert "being prepared" in status.get_data(as_text=True)
    assert "HX-Trigger" not in status.headers
    page = caseworker.get(f"/sagsbehandler/borger/{seeker.id}", headers=EN)
    assert "first suggestions are being prepared" in page.get_data(as_text=True)


def test_the_scheduler_ranks_and_pages_then_show_it_still_read_only(app, client, session, scene):
    seeker, caseworker = scene
    with app.test_request_context():
        assert matching.refresh_pending(session=session) == 1
        assert matching.refresh_pending(session=session) == 0  # nothing left to do
    session.expire_all()
    assert session.exec(sm_select(Suggestion).where(Suggestion.user_id == seeker.id)).first()
    assert session.get(TrialAssignment, seeker.id) is not None  # a write randomised them

    status = client.get("/jobsoeger/forslag/status", headers=HX)
    assert status.headers["HX-Trigger"] == "suggestions-ready"
    for url in JOBSEEKER_PAGES:
        body = assert_read_only(session, client, url)
        assert "being prepared" not in body
    deck = assert_read_only(session, client, "/jobsoeger/swipe", headers=HX)
    assert 'id="deck"' in deck and "<html" not in deck and "/jobsoeger/forslag/" in deck
    for url in caseworker_pages(seeker):
        assert_read_only(session, caseworker, url)
    assert "Lagermedarbejder" in caseworker.get(f"/sagsbehandler/borger/{seeker.id}").get_data(
        as_text=True
    )


def test_the_profile_form_of_a_person_without_a_profile_stores_nothing(client, login_as, session):
    user = login_as(Role.JOBSEEKER)
    session.delete(
        session.exec(sm_select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)).one()
    )
    session.commit()
    body = assert_read_only(session, client, "/jobsoeger/profil")
    assert 'name="cv_text"' in body
    assert_read_only(session, client, "/jobsoeger/profil", headers=HX)
    assert (
        session.exec(sm_select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)).first()
        is None
    )


def test_refresh_if_pending_ranks_only_when_needed(app, session, scene):
    seeker, _caseworker = scene
    with app.test_request_context():
        assert matching.refresh_if_pending(session=session, user_id=seeker.id) > 0
        assert matching.refresh_if_pending(session=session, user_id=seeker.id) == 0
