"""Suggestions and the swipe deck: services and views (full page and htmx fragment)."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.models import JobseekerProfile, Role, SavedJob, Suggestion, SuggestionFeedback, Swipe
from app.services import deck, matching, privacy

NURSING = (
    "Sygeplejerske til medicinsk afdeling. "
    "Du har erfaring med medicinhåndtering, sårpleje og dokumentation."
)
CARPENTRY = (
    "Tømrer til nybyggeri. "
    "Du har erfaring med forskalling, tagkonstruktioner og montering af vinduer."
)
HX = {"HX-Request": "true"}


@pytest.fixture
def nurse(login_as, session):
    user = login_as(Role.JOBSEEKER)
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    profile.cv_text = (
        "Jeg er uddannet sygeplejerske med erfaring i medicinhåndtering, sårpleje og dokumentation."
    )
    profile.wished_occupations = [{"title": "Sygeplejerske", "esco_uri": None, "isco_code": "2221"}]
    profile.commute_km = 40
    session.add(profile)
    session.commit()
    return user


@pytest.fixture
def postings(make_posting):
    made = [make_posting(title=f"Sygeplejerske {i}", description=NURSING) for i in range(4)]
    made += [make_posting(title=f"Tømrer {i}", description=CARPENTRY) for i in range(4)]
    made.append(
        make_posting(
            title="Sygeplejerske i Aalborg",
            description=NURSING,
            postcode="9000",
            city="Aalborg",
            latitude=57.048,
            longitude=9.919,
        )
    )
    made.append(
        make_posting(
            title="Udløbet sygeplejerskejob",
            description=NURSING,
            valid_through=date.today() - timedelta(days=1),
        )
    )
    return made


def ranked(session, user):
    session.expire_all()
    return list(
        session.exec(
            select(Suggestion)
            .where(Suggestion.user_id == user.id, Suggestion.kind == "match")
            .order_by(Suggestion.rank)
        ).all()
    )


def refresh(app, session, user):
    with app.app_context():
        matching.embed_postings(session=session)
        matching.refresh_suggestions(session=session, user_id=user.id)


def test_suggestions_rank_relevant_open_postings_within_reach(app, session, nurse, postings):
    refresh(app, session, nurse)
    rows = ranked(session, nurse)
    titles = {p.id: p.title for p in postings}
    shown = [titles[r.posting_id] for r in rows]
    assert shown[0].startswith("Sygeplejerske")
    assert "Sygeplejerske i Aalborg" not in shown  # 135 km away, beyond the 40 km radius
    assert "Udløbet sygeplejerskejob" not in shown  # past validThrough
    assert rows[0].explanation["algorithm_version"]
    assert {c["name"] for c in rows[0].explanation["components"]} >= {"semantic", "geo"}


def test_embeddings_are_reused_for_unchanged_postings(app, session, postings):
    with app.app_context():
        first = matching.embed_postings(session=session)
        second = matching.embed_postings(session=session)
    assert first == len(postings) - 1  # the expired one is not embedded
    assert second == 0


def test_deck_page_and_fragment(app, client, session, nurse, postings):
    refresh(app, session, nurse)
    page = client.get("/jobsoeger/swipe")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "Ja tak" in page.get_data(as_text=True)
    fragment = client.get("/jobsoeger/swipe", headers=HX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="deck"' in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_swipe_is_stored_once_and_no_never_returns(app, client, session, nurse, postings):
    refresh(app, session, nurse)
    first = ranked(session, nurse)[0].posting_id
    for _ in range(2):  # a double tap
        response = client.post(
            "/jobsoeger/swipe", data={"posting_id": first, "action": "no"}, headers=HX
        )
        assert response.status_code == 200
    swipes = session.exec(select(Swipe).where(Swipe.user_id == nurse.id)).all()
    assert [(s.posting_id, s.action) for s in swipes] == [(first, "no")]
    # the background refresh ran (synchronously in tests): the "no" is gone from the suggestions
    assert first not in [r.posting_id for r in ranked(session, nurse)]
    card = deck.next_card(session=session, user_id=nurse.id)
    assert card is not None and card.posting.id != first


def test_yes_and_save_put_the_posting_on_the_saved_list(app, client, session, nurse, postings):
    refresh(app, session, nurse)
    first, second = (r.posting_id for r in ranked(session, nurse)[:2])
    client.post("/jobsoeger/swipe", data={"posting_id": first, "action": "yes"})
    client.post("/jobsoeger/swipe", data={"posting_id": second, "action": "save"})
    saved = session.exec(select(SavedJob).where(SavedJob.user_id == nurse.id)).all()
    assert {s.posting_id for s in saved} == {first, second}
    page = client.get("/jobsoeger/gemte").get_data(as_text=True)
    assert "Gem status" in page


def test_without_javascript_a_swipe_redirects_back_to_the_deck(
    app, client, session, nurse, postings
):
    refresh(app, session, nurse)
    first = ranked(session, nurse)[0]
    response = client.post(
        "/jobsoeger/swipe", data={"posting_id": first.posting_id, "action": "yes"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/jobsoeger/swipe")


def test_undo_takes_back_the_last_answer(app, client, session, nurse, postings):
    refresh(app, session, nurse)
    first = ranked(session, nurse)[0]
    client.post("/jobsoeger/swipe", data={"posting_id": first.posting_id, "action": "save"})
    response = client.post("/jobsoeger/swipe/fortryd", headers=HX)
    assert response.status_code == 200
    session.expire_all()
    assert session.exec(select(Swipe).where(Swipe.user_id == nurse.id)).all() == []
    assert session.exec(select(SavedJob).where(SavedJob.user_id == nurse.id)).all() == []


@pytest.mark.parametrize(
    "data",
    [
        {"posting_id": "abc", "action": "yes"},
        {"posting_id": "1", "action": "maybe"},
        {"action": "yes"},
        {"posting_id": "0", "action": "yes"},
        {"posting_id": "-3", "action": "yes"},
        {"posting_id": str(2**31), "action": "yes"},
        {"posting_id": "9" * 300, "action": "yes"},
    ],
)
def test_bad_swipes_are_rejected_without_a_500(client, nurse, data):
    response = client.post("/jobsoeger/swipe", data=data)
    assert response.status_code == 400


def test_a_swipe_on_an_unknown_posting_is_404(client, nurse):
    response = client.post("/jobsoeger/swipe", data={"posting_id": "999999", "action": "yes"})
    assert response.status_code == 404


def test_explanation_page_and_feedback(app, client, session, nurse, postings):
    refresh(app, session, nurse)
    first = ranked(session, nurse)[0]
    page = client.get(f"/jobsoeger/forslag/{first.posting_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Det talte med" in body and "Algoritmeversion" in body
    missing_reason = client.post(
        f"/jobsoeger/forslag/{first.posting_id}/feedback", data={"comment": "x"}
    )
    assert "Vælg, hvad der er forkert." in missing_reason.get_data(as_text=True)
    client.post(
        f"/jobsoeger/forslag/{first.posting_id}/feedback",
        data={"reason": "distance", "comment": "For langt"},
    )
    stored = session.exec(
        select(SuggestionFeedback).where(SuggestionFeedback.user_id == nurse.id)
    ).one()
    assert stored.reason == "distance" and stored.explanation["algorithm_version"]


def test_explanation_of_someone_elses_suggestion_is_404(
    app, client, session, nurse, postings, make_user
):
    other = make_user(Role.JOBSEEKER)
    with app.app_context():
        matching.embed_postings(session=session)
        matching.refresh_suggestions(session=session, user_id=other.id)
    theirs = session.exec(select(Suggestion).where(Suggestion.user_id == other.id)).first()
    assert theirs is not None
    assert client.get(f"/jobsoeger/forslag/{theirs.posting_id}").status_code == 404


def test_opting_out_stops_the_recommender_and_removes_suggestions(
    app, client, session, nurse, postings
):
    refresh(app, session, nurse)
    assert ranked(session, nurse)
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=nurse.id,
            purpose_id=privacy.CORE_MATCHING,
            action="opt_out",
            actor_id=nurse.id,
            actor_role="jobseeker",
        )
        assert matching.refresh_suggestions(session=session, user_id=nurse.id) == 0
    assert ranked(session, nurse) == []
    body = client.get("/jobsoeger/swipe").get_data(as_text=True)
    assert "fravalgt algoritmiske forslag" in body


def test_saving_the_profile_refreshes_suggestions(app, client, session, nurse, postings):
    session.add_all([])
    response = client.post(
        "/jobsoeger/profil",
        data={
            "cv_text": "Tømrer med erfaring i forskalling og tagkonstruktioner",
            "commute_km": "40",
            "wished_occupations-0": "Tømrer",
        },
    )
    assert response.status_code == 200
    with app.app_context():
        matching.embed_postings(session=session)
    client.post(
        "/jobsoeger/profil",
        data={
            "cv_text": "Tømrer med erfaring i forskalling og tagkonstruktioner.",
            "commute_km": "40",
            "wished_occupations-0": "Tømrer",
        },
    )
    rows = ranked(session, nurse)
    titles = {p.id: p.title for p in postings}
    assert titles[rows[0].posting_id].startswith("Tømrer")


def test_swipes_personalise_only_with_consent(app, client, session, nurse, postings):
    refresh(app, session, nurse)
    first = ranked(session, nurse)[0].posting_id
    client.post("/jobsoeger/swipe", data={"posting_id": first, "action": "yes"})
    without = ranked(session, nurse)[0].explanation
    assert without["swipes_used"].get("yes", 0) == 0
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=nurse.id,
            purpose_id=privacy.SWIPE_PERSONALISATION,
            action="grant",
            actor_id=nurse.id,
            actor_role="jobseeker",
        )
        matching.refresh_suggestions(session=session, user_id=nurse.id)
    assert ranked(session, nurse)[0].explanation["swipes_used"].get("yes", 0) == 1


def test_expired_saved_jobs_are_kept_and_marked(client, session, nurse, make_posting):
    open_job = make_posting(title="Åbent job")
    closed = make_posting(title="Lukket job", valid_through=date.today() - timedelta(days=1))
    session.add_all([SavedJob(user_id=nurse.id, posting_id=p.id) for p in (open_job, closed)])
    session.commit()
    saved = deck.saved_jobs(session=session, user_id=nurse.id)
    entries = {e.posting.title: e.expired for e in saved}
    assert entries == {"Åbent job": False, "Lukket job": True}
    body = client.get("/jobsoeger/gemte").get_data(as_text=True)
    assert body.count("Udløbet: ansøgningsfristen er overskredet") == 1


# --- Only open postings that were shown can be answered -----------------------------------------


def show(session, user, posting, kind="match"):
    """Store the card as the ranking would (the explanation is what the deck template reads)."""
    session.add(
        Suggestion(
            user_id=user.id,
            posting_id=posting.id,
            kind=kind,
            rank=1,
            score=0.8,
            explanation={"components": [], "distance_km": 2.0, "commute_km": 40},
            algorithm_version="test",
        )
    )
    session.commit()


def stored_swipes(session, user):
    session.expire_all()
    return session.exec(select(Swipe).where(Swipe.user_id == user.id)).all()


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_a_posting_never_shown_cannot_be_answered(client, session, nurse, make_posting, headers):
    never_shown = make_posting(title="Aldrig vist")
    response = client.post(
        "/jobsoeger/swipe", data={"posting_id": never_shown.id, "action": "yes"}, headers=headers
    )
    assert response.status_code == 404
    assert stored_swipes(session, nurse) == []
    assert session.exec(select(SavedJob).where(SavedJob.user_id == nurse.id)).all() == []


def test_a_posting_closed_after_it_was_shown_is_not_stored(client, session, nurse, make_posting):
    posting = make_posting(title="Lukket imens")
    show(session, nurse, posting)
    posting.valid_through = date.today() - timedelta(days=1)  # the employer closed it
    session.add(posting)
    session.commit()
    data = {"posting_id": posting.id, "action": "yes"}
    page = client.post("/jobsoeger/swipe", data=data, headers={"Accept-Language": "en"})
    assert page.status_code == 303 and page.headers["Location"].endswith("/jobsoeger/swipe")
    followed = client.get(page.headers["Location"], headers={"Accept-Language": "en"})
    assert "That job is no longer open" in followed.get_data(as_text=True)
    fragment = client.post("/jobsoeger/swipe", data=data, headers={**HX, "Accept-Language": "en"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert 'id="deck"' in body and "That job is no longer open" in body
    assert stored_swipes(session, nurse) == []


def test_an_alternative_that_was_shown_can_be_answered(client, session, nurse, make_posting):
    posting = make_posting(title="Andet fag")
    show(session, nurse, posting, kind="alternative")
    response = client.post(
        "/jobsoeger/swipe", data={"posting_id": posting.id, "action": "save", "kind": "alternative"}
    )
    assert response.status_code == 303
    assert [(s.posting_id, s.action) for s in stored_swipes(session, nurse)] == [
        (posting.id, "save")
    ]


def test_the_service_refuses_unshown_and_closed_postings(app, session, nurse, make_posting):
    unshown = make_posting()
    closed = make_posting(valid_through=date.today() - timedelta(days=1))
    show(session, nurse, closed)
    with pytest.raises(deck.DeckError, match="unknown_posting"):
        deck.swipe(session=session, user_id=nurse.id, posting_id=unshown.id, action="no")
    with pytest.raises(deck.DeckError, match="closed"):
        deck.swipe(session=session, user_id=nurse.id, posting_id=closed.id, action="no")
    assert stored_swipes(session, nurse) == []
