"""Re-ranking one person is serialised: concurrent refreshes (a swipe, a profile save and the
scheduler at the same moment) never collide on the suggestion or embedding constraints, and end
in one consistent ranking, the same as a single refresh. Runs on SQLite and on PostgreSQL
(``DATABASE_URL``)."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.models import JobseekerProfile, ProfileEmbedding, Role, Suggestion, Swipe
from app.services import matching

TEXT = "Lagermedarbejder til pluk og pak. Du kører truck og har styr på varemodtagelse."
THREADS = 6


@pytest.fixture
def seeker(app, session, make_user, make_posting):
    user = make_user(Role.JOBSEEKER)
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    profile.cv_text = "Jeg har arbejdet på lager med pluk og pak, truckkørsel og varemodtagelse."
    profile.wished_occupations = [{"title": "Lagermedarbejder", "isco_code": "9333"}]
    session.add(profile)
    session.commit()
    for i in range(12):
        make_posting(title=f"Lagermedarbejder {i}", description=TEXT)
    with app.app_context():
        matching.embed_postings(session=session)
    return user


def ranking(session, user_id: int) -> list[tuple]:
    session.expire_all()
    return [
        (s.kind, s.posting_id, s.rank, round(s.score, 6))
        for s in session.exec(
            select(Suggestion)
            .where(Suggestion.user_id == user_id)
            .order_by(Suggestion.kind, Suggestion.rank)
        ).all()
    ]


def refresh_at_once(app, engine, user_id: int, count: int = THREADS) -> list[BaseException]:
    """``count`` refreshes of one person released at the same moment, each in its own session."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context(), Session(engine, expire_on_commit=False) as own:
                barrier.wait()
                matching.refresh_suggestions(session=own, user_id=user_id)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_refreshes_of_one_person_end_in_one_ranking(app, engine, session, seeker):
    with app.app_context():
        assert matching.refresh_suggestions(session=session, user_id=seeker.id) > 0
    single = ranking(session, seeker.id)
    # From scratch, so the embedding is inserted concurrently too (an upsert, not a collision).
    session.delete(session.get(ProfileEmbedding, seeker.id))
    session.commit()

    assert refresh_at_once(app, engine, seeker.id) == []
    assert ranking(session, seeker.id) == single
    assert session.get(ProfileEmbedding, seeker.id) is not None


def test_an_older_ranking_never_overwrites_a_newer_one(app, session, seeker):
    with app.app_context():
        matching.refresh_suggestions(session=session, user_id=seeker.id)
    stored = ranking(session, seeker.id)
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    newer = profile.suggestions_refreshed_at
    # A ranking that started before the stored one finishes late: it must be discarded.
    profile.suggestions_refreshed_at = newer + timedelta(hours=1)
    session.add(profile)
    session.commit()
    session.add(Swipe(user_id=seeker.id, posting_id=stored[0][1], action="no"))
    session.commit()
    with app.app_context():
        assert matching.refresh_suggestions(session=session, user_id=seeker.id) == 0
    assert ranking(session, seeker.id) == stored
