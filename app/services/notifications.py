"""In-app notifications about new matching postings, and the daily e-mail digest via an outbox.

Run by the scheduler process. Respects the legal basis: no ranking for people who opted out or
objected, and e-mail only with consent to the ``email_notifications`` purpose; a withdrawal drops
queued e-mails on the next run.
"""

import hashlib
import secrets
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.models import (
    CoffeeMeeting,
    EmailOutbox,
    JobPosting,
    Notification,
    Role,
    UnsubscribeToken,
    User,
    utcnow,
)
from app.services import matching, postings, privacy

TOP_N = 20
DIGEST_INTERVAL = timedelta(days=1)


def notify_new_postings(*, session: Session, since: datetime) -> int:
    """Notify about each posting created after ``since`` that enters a person's top 20."""
    new_ids = set(
        session.exec(
            select(JobPosting.id).where(
                JobPosting.created_at > since, postings.active_postings_filter()
            )
        ).all()
    )
    if not new_ids:
        return 0
    created = 0
    for user_id in session.exec(
        select(User.id).where(User.role == Role.JOBSEEKER, User.is_active)
    ).all():
        assert user_id is not None  # a stored row
        if not privacy.matching_allowed(session=session, user_id=user_id, actor="scheduler"):
            continue
        ranked = matching.top_posting_ids(session=session, user_id=user_id, k=TOP_N)
        fresh = [pid for pid in ranked if pid in new_ids]
        if not fresh:
            continue
        known = set(
            session.exec(
                select(Notification.posting_id).where(
                    Notification.user_id == user_id, col(Notification.posting_id).in_(fresh)
                )
            ).all()
        )
        for posting_id in fresh:
            if posting_id not in known:
                session.add(Notification(user_id=user_id, kind="new_match", posting_id=posting_id))
                created += 1
        session.commit()
    return created


def unread(
    *, session: Session, user_id: int
) -> list[tuple[Notification, JobPosting | None, CoffeeMeeting | None]]:
    """The person's unread notifications with their posting or coffee meeting, newest first."""
    rows = session.exec(
        select(Notification, JobPosting, CoffeeMeeting)
        .join(JobPosting, col(JobPosting.id) == Notification.posting_id, isouter=True)
        .join(CoffeeMeeting, col(CoffeeMeeting.id) == Notification.coffee_meeting_id, isouter=True)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        .order_by(col(Notification.created_at).desc())
    ).all()
    return [(n, p, m) for n, p, m in rows]


def mark_read(*, session: Session, user_id: int) -> int:
    """Mark all the person's notifications as read."""
    rows = session.exec(
        select(Notification).where(
            Notification.user_id == user_id, col(Notification.read_at).is_(None)
        )
    ).all()
    for row in rows:
        row.read_at = utcnow()
        session.add(row)
    session.commit()
    return len(rows)


class LinkState(StrEnum):
    """What an unsubscribe link can do."""

    VALID = "valid"
    USED = "used"  # already used, or another of the person's links was
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # never issued (forged, mistyped, or deleted after expiry or erasure)


def _link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(*, session: Session, user_id: int, now: datetime | None = None) -> str:
    """A new random token for the unsubscribe link of one e-mail.

    The link carries no user id and no signature that a leaked key could forge; the database
    keeps only the token's SHA-256 and when it expires (``UNSUBSCRIBE_TOKEN_DAYS``). The row is
    added to the caller's transaction, which also queues the e-mail that carries the link.
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    days = current_app.config["UNSUBSCRIBE_TOKEN_DAYS"]
    session.add(
        UnsubscribeToken(
            token_hash=_link_hash(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def unsubscribe_link_state(
    *, session: Session, token: str, now: datetime | None = None
) -> LinkState:
    """What the unsubscribe link with ``token`` can do now (reads only)."""
    row = session.exec(
        select(UnsubscribeToken).where(UnsubscribeToken.token_hash == _link_hash(token))
    ).first()
    if row is None:
        return LinkState.UNKNOWN
    if row.used_at is not None:
        return LinkState.USED
    if row.expires_at <= (now or utcnow()):
        return LinkState.EXPIRED
    return LinkState.VALID


def unsubscribe_with_link(
    *, session: Session, token: str, now: datetime | None = None
) -> LinkState:
    """Use an unsubscribe link: withdraw consent to e-mails and spend all the person's links.

    Returns ``VALID`` when this call unsubscribed the person, else why the link did nothing. The
    link is spent by a conditional UPDATE before anything is read, so two simultaneous submits
    unsubscribe once (the second sees ``USED``) on PostgreSQL and SQLite alike.
    """
    now = now or utcnow()
    token_hash = _link_hash(token)
    spent = session.exec(
        update(UnsubscribeToken)
        .where(
            col(UnsubscribeToken.token_hash) == token_hash,
            col(UnsubscribeToken.used_at).is_(None),
            col(UnsubscribeToken.expires_at) > now,
        )
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        session.rollback()
        return unsubscribe_link_state(session=session, token=token, now=now)
    user_id = session.exec(
        select(UnsubscribeToken.user_id).where(UnsubscribeToken.token_hash == token_hash)
    ).one()
    # One unsubscribe ends every link the person holds: an old e-mail cannot act again.
    session.execute(
        update(UnsubscribeToken)
        .where(col(UnsubscribeToken.user_id) == user_id, col(UnsubscribeToken.used_at).is_(None))
        .values(used_at=now)
    )
    unsubscribe(session=session, user_id=user_id)  # commits, together with the spent links
    return LinkState.VALID


def _may_mail(session: Session, user_id: int) -> bool:
    """May a digest go to the person? It needs their e-mail consent, and, since every digest is
    about their matches, no opt-out of or objection to matching."""
    return privacy.email_allowed(session=session, user_id=user_id) and privacy.matching_allowed(
        session=session, user_id=user_id
    )


def queue_digests(*, session: Session, now: datetime | None = None) -> int:
    """At most one digest a day per consenting person with unread notifications.

    Queued e-mails of people who withdrew consent, or opted out of matching, are dropped, never
    sent; people who opted out get no digest at all.
    """
    now = now or utcnow()
    dropped = 0
    for mail in session.exec(select(EmailOutbox).where(EmailOutbox.status == "queued")).all():
        if not _may_mail(session, mail.user_id):
            mail.status = "dropped"
            session.add(mail)
            dropped += 1
    session.commit()
    queued = 0
    candidates = session.exec(
        select(Notification.user_id).where(col(Notification.read_at).is_(None)).distinct()
    ).all()
    for user_id in candidates:
        user = session.get(User, user_id)
        if user is None or not user.email or not _may_mail(session, user_id):
            continue
        last = session.exec(
            select(func.max(EmailOutbox.created_at)).where(
                EmailOutbox.user_id == user_id, col(EmailOutbox.status) != "dropped"
            )
        ).one()
        if last is not None and now - last < DIGEST_INTERVAL:
            continue
        items = unread(session=session, user_id=user_id)
        with force_locale(user.locale or "da"):
            postings = [posting for _note, posting, _meeting in items if posting is not None]
            lines = [f"- {p.title}, {p.hiring_organization}" for p in postings]
            token = unsubscribe_token(session=session, user_id=user_id, now=now)
            link = url_for("public.unsubscribe", token=token, _external=True)
            body = "\n".join(
                [
                    _("Hello %(name)s", name=user.name),
                    "",
                    _("There are new jobs among your best suggestions:"),
                    *lines,
                    "",
                    _("See them in Jobunivers."),
                    _("Unsubscribe from these e-mails: %(link)s", link=link),
                ]
            )
            subject = _("New job suggestions for you")
        session.add(
            EmailOutbox(
                user_id=user_id, to_address=user.email, subject=subject, body=body, created_at=now
            )
        )
        queued += 1
    session.commit()
    return queued


def send_outbox(*, session: Session) -> int:
    """Send queued e-mails through SMTP when configured; in demo they stay in the outbox.

    The legal basis is checked again right before sending: a withdrawal or opt-out that came
    after the digest was queued drops it.
    """
    server = current_app.config.get("MAIL_SERVER")
    if not server or current_app.config.get("DEMO"):
        return 0
    sent = 0
    with smtplib.SMTP(server, int(current_app.config.get("MAIL_PORT", 25)), timeout=30) as smtp:
        for mail in session.exec(select(EmailOutbox).where(EmailOutbox.status == "queued")).all():
            if not _may_mail(session, mail.user_id):
                mail.status = "dropped"
                session.add(mail)
                session.commit()
                continue
            message = EmailMessage()
            message["From"] = current_app.config.get("MAIL_FROM", "noreply@jobunivers.dk")
            message["To"] = mail.to_address
            message["Subject"] = mail.subject
            message.set_content(mail.body)
            try:
                smtp.send_message(message)
                mail.status, mail.sent_at = "sent", utcnow()
                sent += 1
            except smtplib.SMTPException as error:
                mail.status, mail.error = "failed", str(error)[:255]
            session.add(mail)
            session.commit()
    return sent


def unsubscribe(*, session: Session, user_id: int) -> None:
    """Withdraw consent to e-mail notifications (the link in an e-mail); drop queued mail."""
    if privacy.email_allowed(session=session, user_id=user_id):
        privacy.record_decision(
            session=session,
            user_id=user_id,
            purpose_id=privacy.EMAIL_NOTIFICATIONS,
            action="withdraw",
            actor_id=user_id,
            actor_role="jobseeker",
        )
    for mail in session.exec(
        select(EmailOutbox).where(EmailOutbox.user_id == user_id, EmailOutbox.status == "queued")
    ).all():
        mail.status = "dropped"
        session.add(mail)
    session.commit()
