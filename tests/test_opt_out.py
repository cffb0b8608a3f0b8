"""Opting out of matching (or objecting to it) stops every algorithmic use of the person's data:
intervention advice, the stored profile embedding, match notifications and e-mails, and "what
worked for people like me". One test per use; each opts out through the consent page."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.models import (
    CaseworkerAssignment,
    EmailOutbox,
    InterventionCase,
    JobseekerProfile,
    Notification,
    ProfileEmbedding,
    Role,
    SavedJob,
    utcnow,
)
from app.services import interventions, matching, notifications, outcomes, privacy

EN = {"Accept-Language": "en"}
TEXT = "Lagermedarbejder til pluk og pak. Du kører truck og har styr på varemodtagelse."
WAREHOUSE = [{"title": "Lagermedarbejder", "esco_uri": None, "isco_code": "9333"}]


def set_profile(session, user, **fields):
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    for name, value in fields.items():
        setattr(profile, name, value)
    session.add(profile)
    session.commit()
    return profile


def decide(app, session, user, purpose_id, action):
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=user.id,
            purpose_id=purpose_id,
            action=action,
            actor_id=user.id,
            actor_role="jobseeker",
        )


def opt_out_through_the_page(client, action="opt_out"):
    response = client.post("/jobsoeger/samtykker/core_matching", data={"action": action})
    assert response.status_code == 303


@pytest.fixture
def seeker(client, login_as, session):
    """A logged-in jobseeker who works in a warehouse."""
    user = login_as(Role.JOBSEEKER)
    set_profile(
        session,
        user,
        cv_text="Jeg har arbejdet på lager med pluk og pak, truckkørsel og varemodtagelse.",
        wished_occupations=WAREHOUSE,
    )
    return user


# --- a. Intervention advice on the caseworker page ---------------------------------------------


def test_caseworker_sees_manual_assessment_instead_of_advice(
    app, client, login_as, make_user, session
):
    citizen = make_user(Role.JOBSEEKER)
    set_profile(session, citizen, wished_occupations=WAREHOUSE)
    for i in range(interventions.K_MIN):
        for name in ("internship", "none"):
            session.add(
                InterventionCase(
                    pseudonym=f"oo-{name}-{i}",
                    intervention=name,
                    isco_major="9",
                    education_level="none",
                    age_band="30-49",
                    gender="f",
                    region="Syddanmark",
                    origin="danish",
                    days_to_job=60,
                    started_on=date(2024, 1, 1),
                )
            )
    session.commit()
    caseworker = login_as(Role.CASEWORKER)
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id,
            jobseeker_id=citizen.id,
            jobcentre_id=caseworker.jobcentre_id,
        )
    )
    session.commit()
    page = client.get(f"/sagsbehandler/borger/{citizen.id}", headers=EN).get_data(as_text=True)
    assert "Internship (virksomhedspraktik)</th>" in page  # advice while processing is allowed

    decide(app, session, citizen, privacy.CORE_MATCHING, "opt_out")
    page = client.get(f"/sagsbehandler/borger/{citizen.id}", headers=EN).get_data(as_text=True)
    assert "Manual assessment" in page
    assert "Internship (virksomhedspraktik)</th>" not in page
    assert "Similar = earlier jobseekers" not in page
    with app.app_context():
        profile = session.exec(
            select(JobseekerProfile).where(JobseekerProfile.user_id == citizen.id)
        ).one()
        assert (
            interventions.advice_for_citizen(session=session, user_id=citizen.id, profile=profile)
            is None
        )


# --- b. The stored profile embedding -----------------------------------------------------------


def test_opt_out_deletes_the_profile_embedding_and_nothing_recomputes_it(
    app, client, session, seeker, make_posting
):
    make_posting(title="Lagermedarbejder", description=TEXT)
    with app.app_context():
        matching.embed_postings(session=session)
        matching.refresh_suggestions(session=session, user_id=seeker.id)
    assert session.get(ProfileEmbedding, seeker.id) is not None

    opt_out_through_the_page(client)
    session.expire_all()
    assert session.get(ProfileEmbedding, seeker.id) is None

    # Nothing that runs later brings it back while the person stays opted out.
    set_profile(session, seeker, cv_text="Nyt CV: truckfører og lagerchef.", updated_at=utcnow())
    with app.test_request_context():
        assert matching.refresh_suggestions(session=session, user_id=seeker.id) == 0
        assert matching.top_posting_ids(session=session, user_id=seeker.id) == []
        assert matching.embed_profile(session=session, user_id=seeker.id) is False
        matching.refresh_pending(session=session)
        notifications.notify_new_postings(session=session, since=utcnow() - timedelta(days=1))
    session.expire_all()
    assert session.get(ProfileEmbedding, seeker.id) is None


def test_objection_deletes_the_profile_embedding_too(app, client, session, seeker, make_posting):
    make_posting(title="Lagermedarbejder", description=TEXT)
    with app.app_context():
        matching.embed_postings(session=session)
        matching.refresh_suggestions(session=session, user_id=seeker.id)
    opt_out_through_the_page(client, action="object")
    session.expire_all()
    assert session.get(ProfileEmbedding, seeker.id) is None


# --- c. Match notifications and e-mails --------------------------------------------------------


def test_opt_out_withdraws_match_notifications_and_queued_emails(
    app, client, session, seeker, make_posting
):
    decide(app, session, seeker, privacy.EMAIL_NOTIFICATIONS, "grant")
    old = make_posting(title="Lagerarbejder", description=TEXT)
    since = utcnow() - timedelta(seconds=1)
    make_posting(title="Lagermedarbejder", description=TEXT)
    with app.test_request_context():
        matching.embed_postings(session=session)
        assert notifications.notify_new_postings(session=session, since=since) >= 1
        session.add(
            Notification(user_id=seeker.id, kind="new_match", posting_id=old.id, read_at=utcnow())
        )
        session.commit()
        assert notifications.queue_digests(session=session) == 1

    opt_out_through_the_page(client)
    session.expire_all()
    left = session.exec(select(Notification).where(Notification.user_id == seeker.id)).all()
    assert [(n.kind, n.posting_id) for n in left] == [("new_match", old.id)]  # read: history
    mails = session.exec(select(EmailOutbox).where(EmailOutbox.user_id == seeker.id)).all()
    assert [m.status for m in mails] == ["dropped"]
    assert "Lagermedarbejder" not in client.get("/jobsoeger/notifikationer").get_data(as_text=True)

    # Later runs of the scheduler neither notify nor e-mail the person.
    newer = utcnow() - timedelta(seconds=1)
    make_posting(title="Lagermedarbejder i Vejle", description=TEXT)
    with app.test_request_context():
        assert notifications.notify_new_postings(session=session, since=newer) == 0
        later = utcnow() + timedelta(days=2)
        assert notifications.queue_digests(session=session, now=later) == 0
    session.expire_all()
    statuses = [
        m.status
        for m in session.exec(select(EmailOutbox).where(EmailOutbox.user_id == seeker.id)).all()
    ]
    assert statuses == ["dropped"]


def test_a_digest_queued_before_the_opt_out_is_never_sent(
    app, session, seeker, make_posting, monkeypatch
):
    decide(app, session, seeker, privacy.EMAIL_NOTIFICATIONS, "grant")
    since = utcnow() - timedelta(seconds=1)
    make_posting(title="Lagermedarbejder", description=TEXT)
    with app.test_request_context():
        matching.embed_postings(session=session)
        notifications.notify_new_postings(session=session, since=since)
        assert notifications.queue_digests(session=session) == 1
    # Recorded by another channel than the consent page: only the ledger knows.
    decide(app, session, seeker, privacy.CORE_MATCHING, "opt_out")
    sent: list = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr(notifications.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.invalid", DEMO=False)
    with app.test_request_context():
        assert notifications.send_outbox(session=session) == 0
    assert sent == []
    session.expire_all()
    mail = session.exec(select(EmailOutbox).where(EmailOutbox.user_id == seeker.id)).one()
    assert mail.status == "dropped"


# --- d. "What worked for people like me" -------------------------------------------------------


@pytest.fixture
def hired_warehouse_workers(session, make_user, make_posting):
    """People with the seeker's wishes who got hired (each contributes to the aggregate)."""
    posting = make_posting(title="Lagermedarbejder", isco_code="9333")
    people = []
    for _ in range(outcomes.K_MIN):
        person = make_user(Role.JOBSEEKER)
        set_profile(session, person, wished_occupations=WAREHOUSE)
        session.add(SavedJob(user_id=person.id, posting_id=posting.id, status="hired"))
        people.append(person)
    session.commit()
    return people


def test_an_opted_out_person_is_shown_no_outcomes(
    app, client, session, seeker, hired_warehouse_workers
):
    with app.app_context():
        assert outcomes.similar_outcomes(session=session, user_id=seeker.id).shown
    opt_out_through_the_page(client)
    with app.app_context():
        stats = outcomes.similar_outcomes(session=session, user_id=seeker.id)
    assert stats.opted_out and not stats.shown and stats.rows == [] and stats.contributors == 0
    page = client.get("/jobsoeger/andre-som-mig", headers=EN).get_data(as_text=True)
    assert "you are not counted for others" in page
    assert "People hired" not in client.get("/jobsoeger/overblik", headers=EN).get_data(
        as_text=True
    )


def test_an_opted_out_person_is_not_counted_for_others(
    app, session, seeker, hired_warehouse_workers
):
    with app.app_context():
        before = outcomes.similar_outcomes(session=session, user_id=seeker.id)
    assert before.contributors == outcomes.K_MIN and before.shown
    decide(app, session, hired_warehouse_workers[0], privacy.CORE_MATCHING, "object")
    with app.app_context():
        after = outcomes.similar_outcomes(session=session, user_id=seeker.id)
        counted = outcomes.similar_outcomes(session=session, user_id=seeker.id, k_min=1)
    assert after.contributors == outcomes.K_MIN - 1 and not after.shown  # below k: hidden
    assert [(r.isco_code, r.people) for r in counted.rows] == [("9333", outcomes.K_MIN - 1)]


def test_the_scheduler_withdraws_what_an_opt_out_recorded_elsewhere_left(
    app, session, seeker, make_posting
):
    make_posting(title="Lagermedarbejder", description=TEXT)
    with app.test_request_context():
        matching.embed_postings(session=session)
        matching.refresh_suggestions(session=session, user_id=seeker.id)
        assert matching.refresh_pending(session=session) == 0  # up to date
    session.add(Notification(user_id=seeker.id, kind="new_match", posting_id=None))
    session.commit()
    # Recorded straight in the ledger (say by a caseworker on paper): nothing else ran.
    decide(app, session, seeker, privacy.CORE_MATCHING, "opt_out")
    with app.test_request_context():
        assert matching.refresh_pending(session=session) == 1
    session.expire_all()
    assert session.get(ProfileEmbedding, seeker.id) is None
    assert session.exec(select(Notification).where(Notification.user_id == seeker.id)).all() == []
    with app.test_request_context():
        assert matching.refresh_pending(session=session) == 0  # handled once, not every run
