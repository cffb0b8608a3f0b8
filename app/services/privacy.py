"""The portal's single door to ``consent/``: legal-basis checks and access logging.

Services ask here before using personal data for a purpose; the answer comes from the
append-only consent ledger on every call, so a withdrawal takes effect on the next request.
Reads by anyone but the person themselves (caseworkers, employers, the scheduler) go through
``consent.guard`` and are written to the access log, refused attempts included.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.db import get_engine, truncate_sqlite_wal
from app.models import User
from app.services.concurrency import lock_row
from consent import guard, ledger, models, purposes, rights
from consent.models import AccessLogEntry
from consent.pseudonym import Pseudonymiser

CORE_MATCHING = "core_matching"
CASEWORKER_SHARING = "caseworker_sharing"
SWIPE_PERSONALISATION = "swipe_personalisation"
EMPLOYER_COFFEE = "employer_coffee"
EMAIL_NOTIFICATIONS = "email_notifications"
RESEARCH = "research_evaluation"


def matching_allowed(*, session: Session, user_id: int, actor: str | None = None) -> bool:
    """May the recommender run on this person's data (no opt-out, no objection)?

    ``actor`` names a non-personal reader (e.g. "scheduler"): the check is then access-logged.
    """
    if actor is None:
        return ledger.algorithmic_processing_allowed(session, user_id)
    return guard.permitted(
        session,
        user_id,
        CORE_MATCHING,
        actor_id=None,
        actor_role=actor,
        data_categories=("cv", "job_preferences", "match_results"),
        via="job",
    )


def personalisation_allowed(*, session: Session, user_id: int) -> bool:
    """May swipes personalise the ranking (optional purpose: consent)?"""
    return ledger.is_permitted(session, user_id, SWIPE_PERSONALISATION)


def email_allowed(*, session: Session, user_id: int) -> bool:
    """May we send this person e-mail notifications (optional purpose: consent)?"""
    return ledger.is_permitted(session, user_id, EMAIL_NOTIFICATIONS)


def pseudonymiser() -> Pseudonymiser:
    """The keyed pseudonymiser; its key comes from configuration, never from the database."""
    return Pseudonymiser.from_hex(current_app.config["PSEUDONYM_KEY"])


def record_decision(
    *,
    session: Session,
    user_id: int,
    purpose_id: str,
    action: str,
    actor_id: int,
    actor_role: str,
    channel: str = "web",
) -> None:
    """Append a consent decision (grant, withdraw, object, opt_out, opt_in) and commit it."""
    ledger.record(
        session,
        subject_id=user_id,
        purpose_id=purpose_id,
        action=action,
        channel=channel,
        actor_id=actor_id,
        actor_role=actor_role,
        pseudonymiser=pseudonymiser(),
    )
    session.commit()


# --- The person's own privacy pages ----------------------------------------------------------
# Plain data for the consents, access-log, export, request and erasure pages. Texts come in the
# person's language; labels the templates add themselves are wrapped in gettext there.

UnknownPurposeError = purposes.UnknownPurposeError
InvalidActionError = ledger.InvalidActionError
NoConsentError = ledger.NoConsentError
RequestKind = models.RequestKind
ACCESS_LOG_PAGE_SIZE = 25


class RequestClosedError(ValueError):
    """The data-subject request has already been completed or rejected."""


class ErasureFailedError(RuntimeError):
    """The erasure was rolled back; nothing about the person was changed."""


@dataclass(frozen=True)
class PurposeView:
    """One purpose as the person sees it: texts in their language and where they stand."""

    id: str
    version: int
    title: str
    text: str
    legal_basis: str
    legal_basis_label: str
    national_basis: str
    consent_based: bool
    allows_opt_out: bool
    data_categories: list[str]
    recipients: list[str]
    retention: str
    sensitive: bool
    state: ledger.PurposeState
    # The decisions that make sense from the current state, in the order the page offers them.
    offered_actions: tuple[str, ...]

    @property
    def status(self) -> str:
        return self.state.status.value


def _offered_actions(purpose: purposes.Purpose, state: ledger.PurposeState) -> tuple[str, ...]:
    if purpose.consent_based:
        if state.status is ledger.Status.GRANTED:
            # Consent to an older text no longer counts: offer to renew it, or to say no.
            return ("grant", "withdraw") if state.needs_renewal else ("withdraw",)
        return ("grant",)
    if state.status is ledger.Status.ACTIVE:
        return ("object", "opt_out") if purpose.allows_opt_out else ("object",)
    return ("opt_in",)


def _purpose_view(
    purpose: purposes.Purpose, state: ledger.PurposeState, locale: str
) -> PurposeView:
    return PurposeView(
        id=purpose.id,
        version=purpose.version,
        title=purpose.title.get(locale),
        text=purpose.text.get(locale),
        legal_basis=purpose.legal_basis,
        legal_basis_label=purposes.LEGAL_BASES[purpose.legal_basis].get(locale),
        national_basis=purpose.national_basis.get(locale) if purpose.national_basis else "",
        consent_based=purpose.consent_based,
        allows_opt_out=purpose.allows_opt_out,
        data_categories=[purposes.DATA_CATEGORIES[c].get(locale) for c in purpose.data_categories],
        recipients=[r.get(locale) for r in purpose.recipients],
        retention=purpose.retention.get(locale),
        sensitive=purpose.sensitive,
        state=state,
        offered_actions=_offered_actions(purpose, state),
    )


def purposes_for(*, session: Session, user_id: int, locale: str) -> list[PurposeView]:
    """Every registered purpose with the person's current state, in registry order."""
    states = ledger.current_state(session, user_id)
    return [_purpose_view(p, states[p.id], locale) for p in purposes.PURPOSES.values()]


def purpose_for(*, session: Session, user_id: int, purpose_id: str, locale: str) -> PurposeView:
    """One purpose with the person's state; ``UnknownPurposeError`` for an unknown id."""
    purpose = purposes.get(purpose_id)
    return _purpose_view(purpose, ledger.purpose_state(session, user_id, purpose_id), locale)


# Where each decision leaves the purpose; deciding the same again records nothing new.
_STATUS_AFTER = {
    "grant": ledger.Status.GRANTED,
    "withdraw": ledger.Status.WITHDRAWN,
    "object": ledger.Status.OBJECTED,
    "opt_out": ledger.Status.OPTED_OUT,
    "opt_in": ledger.Status.ACTIVE,
}


def change_decision(
    *, session: Session, user_id: int, purpose_id: str, action: str, actor_role: str
) -> bool:
    """The person's own decision on a purpose, committed at once; True when it changed anything.

    An objection (Art. 21) stops the processing immediately and is also registered as a request,
    so the jobcentre answers it within the deadline of Art. 12(3). The same decision twice (a
    double click, two tabs, even at the same moment) is recorded once. Raises
    ``UnknownPurposeError`` or ``InvalidActionError`` for input that does not fit the purpose.
    """
    purpose = purposes.get(purpose_id)
    if action not in {a.value for a in purpose.allowed_actions}:
        raise InvalidActionError(f"{action!r} does not apply to {purpose_id!r}")
    # The person's decisions queue up here, so each one sees the state the previous one left.
    lock_row(session=session, model=User, row_id=user_id)
    state = ledger.purpose_state(session, user_id, purpose_id)
    if state.status is _STATUS_AFTER.get(action) and not state.needs_renewal:
        session.commit()  # releases the lock; nothing to record
        return False
    if action == models.ConsentAction.OBJECT.value:
        rights.register_request(
            session,
            subject_id=user_id,
            kind=RequestKind.OBJECTION,
            note=f"Objection to {purpose_id} (version {purpose.version}) given in Jobunivers",
        )
    record_decision(
        session=session,
        user_id=user_id,
        purpose_id=purpose_id,
        action=action,
        actor_id=user_id,
        actor_role=actor_role,
    )
    return True


@dataclass(frozen=True)
class HistoryRow:
    """One decision in the person's consent history."""

    at: datetime
    purpose_id: str
    purpose_title: str
    purpose_version: int
    action: str
    channel: str
    actor_role: str
    by_self: bool


def _purpose_title(purpose_id: str, locale: str) -> str:
    purpose = purposes.PURPOSES.get(purpose_id)
    return purpose.title.get(locale) if purpose else purpose_id


def consent_history(*, session: Session, user_id: int, locale: str) -> list[HistoryRow]:
    """The person's ledger events, newest first."""
    return [
        HistoryRow(
            at=event.at,
            purpose_id=event.purpose_id,
            purpose_title=_purpose_title(event.purpose_id, locale),
            purpose_version=event.purpose_version,
            action=event.action,
            channel=event.channel,
            actor_role=event.actor_role,
            by_self=event.actor_id == user_id,
        )
        for event in reversed(ledger.events(session, user_id))
    ]


def controller() -> ledger.Controller:
    """The data controller named in consent receipts, from the deployment's configuration."""
    config = current_app.config
    return ledger.Controller(
        name=config.get("CONTROLLER_NAME", "Jobcentret i kommunen"),
        contact=config.get("CONTROLLER_CONTACT", "Databeskyttelsesrådgiveren (DPO)"),
        street_address=config.get("CONTROLLER_STREET_ADDRESS", ""),
        postal_code=config.get("CONTROLLER_POSTAL_CODE", ""),
        locality=config.get("CONTROLLER_LOCALITY", ""),
        email=config.get("CONTROLLER_EMAIL", ""),
        phone=config.get("CONTROLLER_PHONE", ""),
        url=config.get("CONTROLLER_URL", ""),
    )


def consent_receipt(
    *, session: Session, user_id: int, purpose_id: str, locale: str, policy_url: str
) -> dict[str, object]:
    """A Kantara consent receipt for the person's latest grant of a consent purpose.

    Raises ``UnknownPurposeError``, ``InvalidActionError`` (not a consent purpose) or
    ``NoConsentError`` (never granted).
    """
    return ledger.receipt(
        session,
        user_id,
        purpose_id,
        pseudonymiser=pseudonymiser(),
        controller=controller(),
        policy_url=policy_url,
        locale=locale,
    )


@dataclass(frozen=True)
class AccessRow:
    """One line of "who looked at my data"."""

    at: datetime
    actor_role: str
    actor_organisation: str | None
    data_categories: list[str]
    purpose_id: str
    purpose_title: str
    allowed: bool
    reason: str | None
    via: str


@dataclass(frozen=True)
class AccessPage:
    """One page of the person's access log, newest first."""

    rows: list[AccessRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def access_log(
    *,
    session: Session,
    user_id: int,
    locale: str,
    page: int = 1,
    per_page: int = ACCESS_LOG_PAGE_SIZE,
) -> AccessPage:
    """Who read the person's data, when, what and why; a page past the end shows the last one."""
    per_page = max(1, per_page)
    total = session.exec(
        select(func.count()).select_from(AccessLogEntry).where(AccessLogEntry.subject_id == user_id)
    ).one()
    last_page = max(1, -(-total // per_page))
    page = min(max(1, page), last_page)
    entries = session.exec(
        select(AccessLogEntry)
        .where(AccessLogEntry.subject_id == user_id)
        .order_by(col(AccessLogEntry.at).desc(), col(AccessLogEntry.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    rows = [
        AccessRow(
            at=entry.at,
            actor_role=entry.actor_role,
            actor_organisation=entry.actor_organisation,
            data_categories=[
                purposes.DATA_CATEGORIES[c].get(locale) if c in purposes.DATA_CATEGORIES else c
                for c in entry.data_categories
            ],
            purpose_id=entry.purpose_id,
            purpose_title=_purpose_title(entry.purpose_id, locale),
            allowed=entry.outcome == models.AccessOutcome.ALLOWED.value,
            reason=entry.reason,
            via=entry.via,
        )
        for entry in entries
    ]
    return AccessPage(rows=rows, page=page, per_page=per_page, total=total)


def export_personal_data(*, session: Session, user_id: int, locale: str) -> dict[str, Any]:
    """Everything stored about the person (Art. 15 access and Art. 20 portability)."""
    return rights.export(session, user_id, locale=locale)


def register_request(
    *, session: Session, user_id: int, kind: str, note: str = ""
) -> models.DataSubjectRequest:
    """Register a data-subject request with its one-month deadline and commit it."""
    request = rights.register_request(session, subject_id=user_id, kind=kind, note=note)
    session.commit()
    return request


@dataclass(frozen=True)
class RequestRow:
    """An open request as the administrator sees it."""

    request: models.DataSubjectRequest
    subject_name: str | None
    subject_email: str | None
    overdue: bool
    days_left: int


def open_requests(*, session: Session, now: datetime | None = None) -> list[RequestRow]:
    """Unanswered data-subject requests, the nearest deadline first, with who made them."""
    now = now or models.utcnow()
    rows = []
    for request in rights.open_requests(session):
        subject = session.get(User, request.subject_id) if request.subject_id else None
        rows.append(
            RequestRow(
                request=request,
                subject_name=subject.name if subject else None,
                subject_email=subject.email if subject else None,
                overdue=request.due_at < now,
                days_left=(request.due_at - now).days,
            )
        )
    return rows


def complete_request(*, session: Session, request_id: int, note: str = "") -> None:
    """Close an open request as completed and commit; ``LookupError`` when there is none,
    ``RequestClosedError`` when it was already closed (a second click changes nothing)."""
    request = session.get(models.DataSubjectRequest, request_id)
    if request is None:
        raise LookupError(f"no request {request_id}")
    if request.status not in {s.value for s in models.OPEN_REQUEST_STATUSES}:
        raise RequestClosedError(f"request {request_id} is {request.status}")
    rights.complete_request(session, request_id, note=note)
    session.commit()


@dataclass(frozen=True)
class ErasureReceipt:
    """What the person is shown after being erased; nothing in it identifies them."""

    reference: int
    erased_at: datetime
    rows: int
    request_id: int | None


def erase_person(*, session: Session, user_id: int, actor_role: str) -> ErasureReceipt:
    """Register the erasure request and erase the person everywhere, in one transaction.

    On failure everything is rolled back (the request too) and ``ErasureFailedError`` raised.
    A second request for the same person (a double click, a second tab) waits for the first
    and answers with the first one's receipt.
    """
    try:
        if lock_row(session=session, model=User, row_id=user_id) is None:
            session.commit()  # nothing changed; commit keeps the request's objects usable
            done = _erasure_receipt(session=session, user_id=user_id)
            if done is None:
                raise ErasureFailedError(f"no person {user_id} and no erasure of them")
            return done
        rights.register_request(
            session, subject_id=user_id, kind=RequestKind.ERASURE, note="Self-service in Jobunivers"
        )
        record = rights.erase(
            session,
            user_id,
            pseudonymiser(),
            actor_id=user_id,
            actor_role=actor_role,
            channel=models.Channel.WEB,
        )
    except (rights.ErasureIncompleteError, rights.RegistryError, SQLAlchemyError) as error:
        session.rollback()
        current_app.logger.exception("erasure of a person failed and was rolled back")
        raise ErasureFailedError(str(error)) from error
    truncate_sqlite_wal(get_engine())  # erased rows must not survive in SQLite's -wal file
    assert record.id is not None
    return ErasureReceipt(
        reference=record.id,
        erased_at=record.erased_at,
        rows=sum(record.row_counts.values()),
        request_id=record.request_id,
    )


def erase_closed_cases(*, session: Session, now: datetime) -> int:
    """Erase everyone whose case closed longer ago than the record of processing promises to
    keep case data (``consent.purposes.RETENTION``); returns how many people were erased.

    Each person is erased through the erasure routine, in a transaction of their own, so one
    failure rolls back only that person and is logged; the scheduler tries again next run.
    """
    erased = 0
    for user_id in rights.due_for_erasure(session, now):
        try:
            if lock_row(session=session, model=User, row_id=user_id) is None:
                session.commit()  # erased meanwhile (self-service)
                continue
            rights.erase(session, user_id, pseudonymiser(), channel=models.Channel.SYSTEM)
        except (rights.ErasureIncompleteError, rights.RegistryError, SQLAlchemyError):
            session.rollback()
            current_app.logger.exception("retention erasure of a closed case failed")
            continue
        erased += 1
    if erased:
        truncate_sqlite_wal(get_engine())
    return erased


def _erasure_receipt(*, session: Session, user_id: int) -> ErasureReceipt | None:
    """The receipt of the person's completed erasure, found by their pseudonym."""
    record = session.exec(
        select(models.ErasureRecord)
        .where(models.ErasureRecord.subject_pseudonym == pseudonymiser().user(user_id))
        .order_by(col(models.ErasureRecord.erased_at).desc())
    ).first()
    if record is None or record.id is None:
        return None
    return ErasureReceipt(
        reference=record.id,
        erased_at=record.erased_at,
        rows=sum(record.row_counts.values()),
        request_id=record.request_id,
    )


def records_of_processing(*, locale: str) -> list[dict[str, object]]:
    """The record of processing activities (Art. 30), one entry per registered purpose."""
    return purposes.records_of_processing(locale)
