"""Notifications: new postings in the top 20, daily digests through the outbox, consent."""

import hashlib
import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import col, select

from app.models import (
    EmailOutbox,
    JobseekerProfile,
    Notification,
    Role,
    UnsubscribeToken,
    utcnow,
)
from app.scheduler import build_scheduler, housekeeping
from app.services import matching, notifications, privacy
from consent import rights
from consent.models import ConsentEvent
from tests.conftest import race

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
    token = link_token(session, seeker)
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


# --- Unsubscribe links ---------------------------------------------------------------------------


def link_token(session, user) -> str:
    """The token of the unsubscribe link in the person's newest e-mail."""
    session.expire_all()
    mail = session.exec(
        select(EmailOutbox)
        .where(EmailOutbox.user_id == user.id)
        .order_by(col(EmailOutbox.id).desc())
    ).first()
    match = re.search(r"/afmeld/([^\s/]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def issue(app, session, user, *, now=None) -> str:
    """A fresh unsubscribe token, stored the way ``queue_digests`` stores it."""
    with app.app_context():
        token = notifications.unsubscribe_token(session=session, user_id=user.id, now=now)
    session.commit()
    return token


def english(client):
    client.set_cookie("locale", "en")
    return client


def test_unsubscribe_link_is_random_and_stores_only_a_hash(app, session, seeker, make_posting):
    grant_email(app, session, seeker)
    before = utcnow() - timedelta(seconds=1)
    make_posting(title="Lagermedarbejder", description=TEXT)
    run_notify(app, session, before)
    with app.test_request_context():
        notifications.queue_digests(session=session)
    token = link_token(session, seeker)
    # The link is no signed envelope around the user id (the old one decoded to {"u": id}).
    assert URLSafeSerializer("any key").loads_unsafe(token)[1] is None
    assert len(token) >= 43  # 256 random bits
    rows = session.exec(select(UnsubscribeToken).where(UnsubscribeToken.user_id == seeker.id)).all()
    assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in rows[0].token_hash
    days = app.config["UNSUBSCRIBE_TOKEN_DAYS"]
    assert rows[0].expires_at - rows[0].created_at == timedelta(days=days)
    assert issue(app, session, seeker) != token  # every e-mail gets its own link


def test_unsubscribe_link_expires(app, client, session, seeker):
    grant_email(app, session, seeker)
    app.config["UNSUBSCRIBE_TOKEN_DAYS"] = 3
    old = issue(app, session, seeker, now=utcnow() - timedelta(days=3, minutes=1))
    fresh = issue(app, session, seeker, now=utcnow() - timedelta(days=2))
    page = english(client).get(f"/afmeld/{old}")
    assert page.status_code == 410
    assert "has expired or is not valid" in page.get_data(as_text=True)
    assert client.post(f"/afmeld/{old}").status_code == 410
    with app.test_request_context():
        assert privacy.email_allowed(session=session, user_id=seeker.id)  # nothing changed
    assert client.get(f"/afmeld/{fresh}").status_code == 200


def test_unsubscribe_link_works_once_and_spends_the_persons_other_links(
    app, client, session, seeker
):
    grant_email(app, session, seeker)
    first, second = issue(app, session, seeker), issue(app, session, seeker)
    done = english(client).post(f"/afmeld/{first}")
    assert done.status_code == 200
    assert "You will no longer receive e-mails" in done.get_data(as_text=True)
    # The person turns e-mails on again; neither old link may turn them off behind their back.
    grant_email(app, session, seeker)
    for token in (first, second):
        again = client.post(f"/afmeld/{token}")
        assert again.status_code == 200  # a double submit answers normally
        assert "already been used" in again.get_data(as_text=True)
        assert "Yes, unsubscribe" not in client.get(f"/afmeld/{token}").get_data(as_text=True)
    with app.test_request_context():
        assert privacy.email_allowed(session=session, user_id=seeker.id)


def test_unsubscribe_service_spends_a_link_once(app, session, seeker):
    grant_email(app, session, seeker)
    token = issue(app, session, seeker)
    with app.test_request_context():
        assert notifications.unsubscribe_link_state(session=session, token=token) == "valid"
        first = notifications.unsubscribe_with_link(session=session, token=token)
        second = notifications.unsubscribe_with_link(session=session, token=token)
        assert (first, second) == (notifications.LinkState.VALID, notifications.LinkState.USED)
        assert not privacy.email_allowed(session=session, user_id=seeker.id)
    withdrawals = session.exec(
        select(ConsentEvent).where(
            ConsentEvent.subject_id == seeker.id,
            ConsentEvent.purpose_id == privacy.EMAIL_NOTIFICATIONS,
            ConsentEvent.action == "withdraw",
        )
    ).all()
    assert len(withdrawals) == 1


def test_simultaneous_submits_of_one_link_unsubscribe_once(app, session, seeker):
    grant_email(app, session, seeker)
    token = issue(app, session, seeker)
    statuses = race([app.test_client() for _ in range(4)], f"/afmeld/{token}", {})
    assert statuses == [200] * 4
    withdrawals = session.exec(
        select(ConsentEvent).where(
            ConsentEvent.subject_id == seeker.id,
            ConsentEvent.purpose_id == privacy.EMAIL_NOTIFICATIONS,
            ConsentEvent.action == "withdraw",
        )
    ).all()
    assert len(withdrawals) == 1


@pytest.mark.parametrize(
    "token",
    [
        "not-a-valid-token",
        "x" * 5000,
        "%00%27%22",
        "eyJ1IjoxfQ.forged-signature",
        "1",
    ],
)
def test_bad_unsubscribe_links_get_a_friendly_page(client, token):
    for method in (client.get, client.post):
        response = method(f"/afmeld/{token}")
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert "Afmeld" in body and "Traceback" not in body


def test_expired_unsubscribe_tokens_are_purged(app, session, seeker):
    app.config["UNSUBSCRIBE_TOKEN_DAYS"] = 1
    issue(app, session, seeker, now=utcnow() - timedelta(days=3))
    live = issue(app, session, seeker)
    housekeeping(app)
    assert len(session.exec(select(UnsubscribeToken)).all()) == 1
    with app.app_context():
        assert notifications.unsubscribe_link_state(session=session, token=live) == "valid"


def test_unsubscribe_tokens_are_personal_data_and_their_hash_never_exported():
    entry = rights.PERSONAL_DATA[("unsubscribetoken", "user_id")]
    assert entry.erase == "delete" and "token_hash" in entry.redact


def test_demo_mode_keeps_mail_in_the_outbox(app, session):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    with app.app_context():
        assert notifications.send_outbox(session=session) == 0


def test_scheduler_registers_its_jobs(app):
    scheduler = build_scheduler(app)
    assert {job.id for job in scheduler.get_jobs()} == {"housekeeping", "index", "rank", "notify"}
