"""Double and concurrent submits answer normally and store once; error pages survive a failed
transaction.

Each race sends the same request from eight browsers (their own test clients, so their own
requests, sessions and database connections) released together by a barrier. Run on SQLite and
on PostgreSQL (``DATABASE_URL``), where the unique-constraint races really happen in parallel.
An exception escaping a request (the test app propagates them) counts as a 500.
"""

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlmodel import Session, select

from app.db import get_session
from app.models import (
    CoffeeResponse,
    JobseekerProfile,
    Notification,
    Role,
    SavedJob,
    Suggestion,
    Swipe,
    User,
)
from app.services import coffee, deck, matching, privacy
from consent.models import ConsentEvent, DataSubjectRequest, ErasureRecord
from tests.conftest import add_postcodes, client_for, offer_input, race

THREADS = 8
HX = {"HX-Request": "true"}


def no_server_errors(results: list[int | str]) -> bool:
    return all(isinstance(code, int) and 0 < code < 500 for code in results)


def count(session: Session, model, *conditions) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


@pytest.fixture
def seeker(make_user) -> User:
    return make_user(Role.JOBSEEKER)


@pytest.fixture
def browsers(app: Flask, seeker: User) -> list[FlaskClient]:
    """Eight browsers logged in as the same jobseeker."""
    return [client_for(app, seeker) for _ in range(THREADS)]


def suggest(session: Session, user: User, posting_id: int) -> None:
    """The card the person is shown (as the ranking would store it)."""
    session.add(
        Suggestion(
            user_id=user.id,
            posting_id=posting_id,
            rank=1,
            score=0.9,
            explanation={"components": [], "distance_km": 2.0, "commute_km": 40},
            algorithm_version="test",
        )
    )
    session.commit()


# --- Error pages ---------------------------------------------------------------------------------


@pytest.fixture
def failing_app(app: Flask, session: Session, make_user, make_posting) -> tuple[Flask, User]:
    """An app with a view that breaks its transaction the way the swipe race did: a duplicate
    insert surfacing during a query (autoflush), with the logged-in user in the menu."""
    user = make_user(Role.JOBSEEKER)
    posting = make_posting()

    def broken():
        db = get_session()
        db.add(Swipe(user_id=user.id, posting_id=posting.id, action="yes"))
        db.add(Swipe(user_id=user.id, posting_id=posting.id, action="no"))
        db.exec(select(Swipe)).all()  # autoflush: IntegrityError
        return "unreachable"

    app.add_url_rule("/test-broken-transaction", "broken_transaction", broken)
    return app, user


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_the_error_page_renders_after_a_failed_transaction(failing_app, headers):
    app, user = failing_app
    browser = client_for(app, user)
    response = browser.get("/test-broken-transaction", headers={**headers, "Accept-Language": "en"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    # The full page still has the logged-in menu, which reads the user from the database.
    assert ("<html" in page) is (not headers)
    if not headers:
        assert "My overview" in page


def test_the_error_page_survives_a_broken_template(app, client, monkeypatch):
    """If even the error template fails, a minimal page in the person's language is sent."""
    import app.errors as errors

    def fail(*_args, **_kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(errors, "render_template", fail)
    response = client.get("/does-not-exist", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


# --- Swipes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_eight_identical_yes_swipes_store_one(
    app, session, seeker, browsers, make_posting, headers
):
    posting = make_posting()
    suggest(session, seeker, posting.id)
    results = race(
        browsers, "/jobsoeger/swipe", {"posting_id": posting.id, "action": "yes"}, headers
    )
    assert no_server_errors(results), results
    assert set(results) == ({200} if headers else {303})
    assert count(session, Swipe, Swipe.user_id == seeker.id) == 1
    assert count(session, SavedJob, SavedJob.user_id == seeker.id) == 1


def test_a_repeated_swipe_returns_the_first_answer(app, session, seeker, make_posting):
    posting = make_posting()
    suggest(session, seeker, posting.id)
    with app.app_context():
        first, created = deck.swipe(
            session=session, user_id=seeker.id, posting_id=posting.id, action="no"
        )
        again, created_again = deck.swipe(
            session=session, user_id=seeker.id, posting_id=posting.id, action="yes"
        )
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.action == "no"
    assert count(session, SavedJob, SavedJob.user_id == seeker.id) == 0


def test_eight_undos_at_once_answer_normally(app, session, seeker, browsers, make_posting):
    for _ in range(THREADS + 2):
        posting = make_posting()
        suggest(session, seeker, posting.id)
        with app.app_context():
            deck.swipe(session=session, user_id=seeker.id, posting_id=posting.id, action="save")
    results = race(browsers, "/jobsoeger/swipe/fortryd", {}, HX)
    assert no_server_errors(results), results
    assert 2 <= count(session, Swipe, Swipe.user_id == seeker.id) < THREADS + 2


# --- Consent decisions ---------------------------------------------------------------------------


def consent_events(session: Session, user: User, purpose_id: str) -> int:
    return count(
        session,
        ConsentEvent,
        ConsentEvent.subject_id == user.id,
        ConsentEvent.purpose_id == purpose_id,
    )


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_eight_identical_consent_grants_record_one_event(app, session, seeker, browsers, headers):
    path = f"/jobsoeger/samtykker/{privacy.EMPLOYER_COFFEE}"
    results = race(browsers, path, {"action": "grant"}, headers)
    assert no_server_errors(results), results
    assert set(results) == ({200} if headers else {303})
    assert consent_events(session, seeker, privacy.EMPLOYER_COFFEE) == 1


def test_eight_identical_objections_register_one_request(app, session, seeker, browsers):
    path = f"/jobsoeger/samtykker/{privacy.CASEWORKER_SHARING}"
    results = race(browsers, path, {"action": "object"})
    assert no_server_errors(results), results
    assert consent_events(session, seeker, privacy.CASEWORKER_SHARING) == 1
    assert count(session, DataSubjectRequest, DataSubjectRequest.subject_id == seeker.id) == 1


def test_the_same_decision_twice_changes_nothing_but_a_new_one_is_recorded(app, session, seeker):
    def decide(action: str) -> bool:
        return privacy.change_decision(
            session=session,
            user_id=seeker.id,
            purpose_id=privacy.EMAIL_NOTIFICATIONS,
            action=action,
            actor_role=Role.JOBSEEKER,
        )

    with app.app_context():
        assert [decide("grant"), decide("grant"), decide("withdraw"), decide("grant")] == [
            True,
            False,
            True,
            True,
        ]
    assert consent_events(session, seeker, privacy.EMAIL_NOTIFICATIONS) == 3


# --- Coffee meetings -----------------------------------------------------------------------------


@pytest.fixture
def offer(session: Session, make_user) -> Callable[..., int]:
    """An employer's offer in Odense (a week ahead); returns its id."""
    add_postcodes(session, {"5000": ("Odense C", 55.396, 10.388)})
    employer = make_user(Role.EMPLOYER)

    def _make(capacity: int = 5) -> int:
        meeting = coffee.create_offer(
            session=session,
            employer_id=employer.employer_id,
            data=offer_input(capacity=capacity),
        )
        assert meeting.id is not None
        return meeting.id

    _make.employer = employer  # type: ignore[attr-defined]
    return _make


def grant_coffee(app: Flask, session: Session, user: User) -> None:
    with app.app_context():
        privacy.record_decision(
            session=session,
            user_id=user.id,
            purpose_id=privacy.EMPLOYER_COFFEE,
            action="grant",
            actor_id=user.id,
            actor_role=Role.JOBSEEKER,
        )


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_eight_identical_coffee_yeses_store_one(app, session, seeker, browsers, offer, headers):
    meeting_id = offer()
    grant_coffee(app, session, seeker)
    results = race(
        browsers, "/jobsoeger/kaffemoeder", {"meeting_id": meeting_id, "answer": "yes"}, headers
    )
    assert no_server_errors(results), results
    assert count(session, CoffeeResponse, CoffeeResponse.meeting_id == meeting_id) == 1


def test_the_last_seat_goes_to_one_of_two_people_at_once(app, session, make_user, offer):
    meeting_id = offer(capacity=1)
    people = [make_user(Role.JOBSEEKER) for _ in range(THREADS)]
    for person in people:
        grant_coffee(app, session, person)
    browsers = [client_for(app, person) for person in people]
    results = race(browsers, "/jobsoeger/kaffemoeder", {"meeting_id": meeting_id, "answer": "yes"})
    assert no_server_errors(results), results
    yeses = count(
        session,
        CoffeeResponse,
        CoffeeResponse.meeting_id == meeting_id,
        CoffeeResponse.answer == "yes",
    )
    assert yeses == 1


def test_eight_identical_employer_answers_notify_once(app, session, seeker, offer):
    meeting_id = offer()
    grant_coffee(app, session, seeker)
    with app.app_context():
        response, _ = coffee.answer(
            session=session, user_id=seeker.id, meeting_id=meeting_id, answer="yes"
        )
    employer = offer.employer  # type: ignore[attr-defined]
    browsers = [client_for(app, employer) for _ in range(THREADS)]
    path = f"/arbejdsgiver/kaffemoeder/{meeting_id}/svar/{response.id}"
    results = race(browsers, path, {"decision": "accept", "message": "Velkommen kl. 10."})
    assert no_server_errors(results), results
    assert count(session, Notification, Notification.user_id == seeker.id) == 1
    session.expire_all()
    stored = session.get(CoffeeResponse, response.id)
    assert stored is not None and stored.employer_status == "accepted"


def test_taking_back_a_yes_twice_answers_normally(app, session, seeker, offer):
    meeting_id = offer()
    grant_coffee(app, session, seeker)
    with app.app_context():
        response, _ = coffee.answer(
            session=session, user_id=seeker.id, meeting_id=meeting_id, answer="yes"
        )
    browsers = [client_for(app, seeker) for _ in range(THREADS)]
    path = f"/jobsoeger/kaffemoeder/mine/{response.id}/fortryd"
    results = race(browsers, path, {})
    assert results == [303] * THREADS
    assert browsers[0].post(path).status_code == 303  # and once more, after the others
    session.expire_all()
    assert [r.answer for r in session.exec(select(CoffeeResponse)).all()] == ["no"]


# --- Erasure -------------------------------------------------------------------------------------


def test_a_second_concurrent_erasure_answers_normally(app, session, seeker, browsers):
    results = race(browsers, "/jobsoeger/slet-mig", {"confirmation": "SLET"})
    assert no_server_errors(results), results
    assert 200 in results  # at least one request erased and showed the receipt
    assert count(session, User, User.id == seeker.id) == 0
    assert count(session, ErasureRecord) == 1


def test_eight_corrections_at_once_are_all_kept(app, session, seeker, browsers):
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    profile.skills = [
        {"label": label, "esco_uri": None}
        for label in ("truckkørsel", "varemodtagelse", "lagerstyring", "ordreplukning",
                      "sårpleje", "madlavning", "kundeservice", "rengøring af overflader",
                      "personlig pleje", "dokumentation")
    ]  # fmt: skip
    session.add(profile)
    session.commit()
    with app.app_context():
        concepts = matching.inferred_concepts(session=session, user_id=seeker.id)
    uris = [c.uri for c in concepts or [] if c.kind == "skill"][:THREADS]
    assert len(uris) == THREADS
    barrier = threading.Barrier(THREADS)
    results: list[int | str] = [0] * THREADS

    def send(n: int) -> None:
        barrier.wait()
        data = {"uri": uris[n], "action": "reject"}
        try:
            results[n] = browsers[n].post("/jobsoeger/profil/laest", data=data).status_code
        except Exception as error:  # noqa: BLE001 - a crash is a result here
            results[n] = type(error).__name__

    threads = [threading.Thread(target=send, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert no_server_errors(results), results
    session.expire_all()
    stored = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    assert sorted(stored.rejected_concepts) == sorted(uris)  # no correction lost to another

    again = race(browsers, "/jobsoeger/profil/laest", {"uri": uris[0], "action": "undo"})
    assert no_server_errors(again), again
    session.expire_all()
    stored = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    assert sorted(stored.rejected_concepts) == sorted(uris[1:])
