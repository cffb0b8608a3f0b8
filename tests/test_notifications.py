"""Notifications: new postings in the top 20, daily digests through the outbox, consent."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.models import EmailOutbox, JobseekerProfile, Notification, Role, utcnow
from app.scheduler import build_scheduler
from app.services import matching, notifications, privacy

TEXT = "Lagermedarbejder til pluk og pak. Du kører truck og har styr på varemodtagelse."


@pytest.fixture
def seeker(make_user, session):
    user = make_user(Role.JOBSEEKER)
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    profile.cv_text = "Jeg har arbejdet på lager med pluk og pak, truckkørsel og varemodtagelse."
    session.add(profile)
    session.commit()
    return user


def grant_email(app, session, user):
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=user.id,
            purpose_id=privacy.EMAIL_NOTIFICATIONS,
            action="grant",
            actor_id=user.id,
            actor_role="jobseeker",
        )


def run_notify(app, session, since):
    with app.test_request_context():
        matching.embed_postings(session=session)
        return notifications.notify_new_postings(session=session, since=since)


def test_new_matching_posting_creates_one_notification(app, session, seeker, make_posting):
    before = utcnow() - timedelta(seconds=1)
    posting = make_posting(title="Lagermedarbejder", description=TEXT)
    assert run_notify(app, session, before) == 1
    assert run_notify(app, session, before) == 0  # no duplicates on the next run
    rows = session.exec(select(Notification).where(Notification.user_id == seeker.id)).all()
    assert [r.posting_id for r in rows] == [posting.id]


def test_opted_out_people_get_no_notifications(app, session, seeker, make_posting):
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=seeker.id,
            purpose_id=privacy.CORE_MATCHING,
            action="opt_out",
            actor_id=seeker.id,
            actor_role="jobseeker",
        )
    before = utcnow() - timedelta(seconds=1)
    make_posting(title="Lagermedarbejder", description=TEXT)
    assert run_notify(app, session, before) == 0


def test_digest_needs_consent_and_is_sent_at_most_daily(app, session, seeker, make_posting):
    before = utcnow() - timedelta(seconds=1)
    make_posting(title="Lagermedarbejder", description=TEXT)
    run_notify(app, session, before)
    with app.test_request_context():
        assert notifications.queue_digests(session=session) == 0  # no consent yet
    grant_email(app, session, seeker)
    with app.test_request_context():
        assert notifications.queue_digests(session=session) == 1
        assert notifications.queue_digests(session=session) == 0  # one a day
        later = utcnow() + timedelta(days=1, minutes=1)
        assert notifications.queue_digests(session=session, now=later) == 1
    mail = session.exec(select(EmailOutbox).where(EmailOutbox.user_id == seeker.id)).first()
    assert "Lagermedarbejder" in mail.body and "/afmeld/" in mail.body


def test_withdrawal_drops_queued_mail_and_unsubscribe_link_works(
    app, client, session, seeker, make_posting
):
    grant_email(app, session, seeker)
    before = utcnow() - timedelta(seconds=1)
    make_posting(title="Lagermedarbejder", description=TEXT)
    run_notify(app, session, before)
    with app.test_request_context():
        notifications.queue_digests(session=session)
        token = notifications.unsubscribe_token(seeker.id)
    assert client.get(f"/afmeld/{token}").status_code == 200
    assert client.post(f"/afmeld/{token}").status_code == 200
    session.expire_all()
    statuses = [
        m.status
        for m in session.exec(select(EmailOutbox).where(EmailOutbox.user_id == seeker.id)).all()
    ]
    assert statuses == ["dropped"]
    with app.test_request_context():
        assert not privacy.email_allowed(session=session, user_id=seeker.id)
    assert client.get("/afmeld/not-a-valid-token").status_code == 404


def test_demo_mode_keeps_mail_in_the_outbox(app, session):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    with app.app_context():
        assert notifications.send_outbox(session=session) == 0


def test_scheduler_registers_its_jobs(app):
    scheduler = build_scheduler(app)
    assert {job.id for job in scheduler.get_jobs()} == {"housekeeping", "index", "notify"}
