"""'What worked for people like me': aggregate, k-anonymous, never individual data."""

import pytest
from sqlmodel import select

from app.models import JobseekerProfile, Role, SavedJob
from app.services import outcomes

NURSE = [{"title": "Sygeplejerske", "esco_uri": None, "isco_code": "2221"}]


def set_wishes(session, user, wishes):
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    profile.wished_occupations = wishes
    session.add(profile)
    session.commit()


@pytest.fixture
def hired_people(session, make_user, make_posting):
    def _make(count: int, isco_code: str = "2221"):
        posting = make_posting(title="Sygeplejerske", isco_code=isco_code)
        for _ in range(count):
            person = make_user(Role.JOBSEEKER)
            set_wishes(session, person, NURSE)
            session.add(SavedJob(user_id=person.id, posting_id=posting.id, status="hired"))
        session.commit()

    return _make


def test_hidden_below_k(session, make_user, hired_people):
    me = make_user(Role.JOBSEEKER)
    set_wishes(session, me, NURSE)
    hired_people(outcomes.K_MIN - 1)
    stats = outcomes.similar_outcomes(session=session, user_id=me.id)
    assert stats.contributors == outcomes.K_MIN - 1
    assert not stats.shown and stats.rows == []


def test_shown_from_k_and_small_groups_suppressed(session, make_user, hired_people):
    me = make_user(Role.JOBSEEKER)
    set_wishes(session, me, NURSE)
    hired_people(outcomes.K_MIN)
    hired_people(3, isco_code="2222")  # a small group in the same field is not shown on its own
    stats = outcomes.similar_outcomes(session=session, user_id=me.id)
    assert stats.shown
    assert [(r.isco_code, r.people) for r in stats.rows] == [("2221", outcomes.K_MIN)]


def test_people_with_other_wishes_do_not_count(session, make_user, hired_people):
    me = make_user(Role.JOBSEEKER)
    set_wishes(session, me, [{"title": "Tømrer", "esco_uri": None, "isco_code": "7115"}])
    hired_people(outcomes.K_MIN)
    assert outcomes.similar_outcomes(session=session, user_id=me.id).contributors == 0


def test_page_renders(client, login_as):
    login_as(Role.JOBSEEKER)
    assert client.get("/jobsoeger/andre-som-mig").status_code == 200
    assert client.get("/jobsoeger/notifikationer").status_code == 200
