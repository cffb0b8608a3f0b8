"""The consent ledger: record decisions, derive the current state, issue consent receipts.

Nothing is updated in place. Every grant, withdrawal, objection, opt-out and opt-in is a new
``ConsentEvent``; the state of a person's purposes is computed from their events each time it is
needed, so a withdrawal takes effect on the very next check and the history stays provable.

Writes are flushed, not committed: the calling service owns the transaction. Flushing links each
event into the ledger's hash chain (``consent.integrity``), and the database refuses to change or
delete it afterwards.

Rules:

* Consent purposes (Art. 6(1)(a)) take ``grant`` and ``withdraw``. Consent is valid when the latest
  of these is a grant of the purpose's *current* text version; a grant of an older version
  ``needs_renewal``.
* Public-task purposes (Art. 6(1)(e)) are permitted unless the person has objected (Art. 21,
  ``object``) or opted out of algorithmic processing (``opt_out``, core matching only); ``opt_in``
  lifts either. The latest of these events decides.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from consent import purposes
from consent.models import Channel, ConsentAction, ConsentEvent, utcnow
from consent.pseudonym import Pseudonymiser
from consent.purposes import DATA_CATEGORIES, LegalBasis, Localised, Purpose

RECEIPT_VERSION = "KI-CR-v1.1.0"
# Namespace for receipt ids, so a receipt regenerated for the same event keeps its id.
_RECEIPT_NAMESPACE = uuid.UUID("9b1f3c2e-5a0d-4e8b-9c57-6d1e0f2a7b43")
_CLOCK_SKEW = timedelta(minutes=5)


class InvalidActionError(ValueError):
    """The action does not apply to the purpose (e.g. ``grant`` on a public-task purpose)."""


class NoConsentError(LookupError):
    """There is no consent to issue a receipt for."""


class Status(StrEnum):
    """The derived state of one purpose for one person."""

    NOT_GIVEN = "not_given"  # consent purpose, never answered
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    ACTIVE = "active"  # public-task purpose, no objection
    OBJECTED = "objected"
    OPTED_OUT = "opted_out"


@dataclass(frozen=True)
class PurposeState:
    """Where a person stands on one purpose, derived from their ledger events."""

    purpose_id: str
    legal_basis: LegalBasis
    status: Status
    permitted: bool
    # The text version the latest decision was made on (None when there is no decision).
    version: int | None
    current_version: int
    needs_renewal: bool
    since: datetime | None
    channel: str | None


@dataclass(frozen=True)
class Controller:
    """The data controller (the municipality) as named in consent receipts."""

    name: str
    contact: str
    street_address: str
    postal_code: str
    locality: str
    email: str
    phone: str
    url: str
    country: str = "DK"


_DECISIVE = {
    True: (ConsentAction.GRANT, ConsentAction.WITHDRAW),
    False: (ConsentAction.OBJECT, ConsentAction.OPT_OUT, ConsentAction.OPT_IN),
}


def record(
    session: Session,
    *,
    subject_id: int,
    purpose_id: str,
    action: ConsentAction | str,
    channel: Channel | str,
    actor_id: int | None,
    actor_role: str,
    pseudonymiser: Pseudonymiser,
    at: datetime | None = None,
) -> ConsentEvent:
    """Append one decision to the ledger and return the event (flushed, not committed).

    ``actor_id``/``actor_role`` say who recorded it: the person themselves, or a caseworker
    entering a decision given on paper or in a meeting. ``at`` may back-date a paper form to the
    day it was signed; it must be timezone-aware and not in the future.
    """
    purpose = purposes.get(purpose_id)
    try:
        action = ConsentAction(action)
        channel = Channel(channel)
    except ValueError as exc:
        raise InvalidActionError(str(exc)) from None
    if action not in purpose.allowed_actions:
        raise InvalidActionError(
            f"{action.value!r} does not apply to {purpose_id!r} ({purpose.legal_basis}); "
            f"allowed: {sorted(a.value for a in purpose.allowed_actions)}"
        )
    if channel is Channel.SYSTEM:
        raise InvalidActionError("decisions are made by people; 'system' is reserved for erasure")
    if not actor_role:
        raise ValueError("actor_role is required")
    now = utcnow()
    if at is None:
        at = now
    elif at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("'at' must be timezone-aware")
    elif at > now + _CLOCK_SKEW:
        raise ValueError("'at' lies in the future")
    event = ConsentEvent(
        subject_id=subject_id,
        subject_pseudonym=pseudonymiser.user(subject_id),
        purpose_id=purpose.id,
        purpose_version=purpose.version,
        action=action.value,
        at=at,
        channel=channel.value,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_pseudonym=None if actor_id is None else pseudonymiser.user(actor_id),
    )
    session.add(event)
    session.flush()
    return event


def events(session: Session, subject_id: int, purpose_id: str | None = None) -> list[ConsentEvent]:
    """A person's ledger events in the order they took effect (time, then insertion)."""
    statement = select(ConsentEvent).where(ConsentEvent.subject_id == subject_id)
    if purpose_id is not None:
        statement = statement.where(ConsentEvent.purpose_id == purpose_id)
    statement = statement.order_by(col(ConsentEvent.at), col(ConsentEvent.id))
    return list(session.exec(statement).all())


def derive(purpose: Purpose, history: Iterable[ConsentEvent]) -> PurposeState:
    """The state of ``purpose`` after ``history`` (events in order). Pure: no database access."""
    decisive = _DECISIVE[purpose.consent_based]
    latest: ConsentEvent | None = None
    for event in history:
        if event.purpose_id == purpose.id and event.action in decisive:
            latest = event
    if latest is None:
        status = Status.NOT_GIVEN if purpose.consent_based else Status.ACTIVE
        return PurposeState(
            purpose_id=purpose.id,
            legal_basis=purpose.legal_basis,
            status=status,
            permitted=not purpose.consent_based,
            version=None,
            current_version=purpose.version,
            needs_renewal=False,
            since=None,
            channel=None,
        )
    action = ConsentAction(latest.action)
    needs_renewal = False
    if action is ConsentAction.GRANT:
        status = Status.GRANTED
        # Consent covers the text the person saw, not whatever the text says today.
        needs_renewal = latest.purpose_version < purpose.version
        permitted = not needs_renewal
    elif action is ConsentAction.WITHDRAW:
        status, permitted = Status.WITHDRAWN, False
    elif action is ConsentAction.OBJECT:
        status, permitted = Status.OBJECTED, False
    elif action is ConsentAction.OPT_OUT:
        status, permitted = Status.OPTED_OUT, False
    else:
        status, permitted = Status.ACTIVE, True
    return PurposeState(
        purpose_id=purpose.id,
        legal_basis=purpose.legal_basis,
        status=status,
        permitted=permitted,
        version=latest.purpose_version,
        current_version=purpose.version,
        needs_renewal=needs_renewal,
        since=latest.at,
        channel=latest.channel,
    )


def current_state(session: Session, subject_id: int) -> dict[str, PurposeState]:
    """The state of every registered purpose for this person, from the ledger alone."""
    history = events(session, subject_id)
    return {pid: derive(purpose, history) for pid, purpose in purposes.PURPOSES.items()}


def purpose_state(session: Session, subject_id: int, purpose_id: str) -> PurposeState:
    """The state of one purpose for this person (one query, no caching)."""
    purpose = purposes.get(purpose_id)
    return derive(purpose, events(session, subject_id, purpose_id))


def is_permitted(session: Session, subject_id: int, purpose_id: str) -> bool:
    """May the person's data be processed for this purpose right now?"""
    return purpose_state(session, subject_id, purpose_id).permitted


def algorithmic_processing_allowed(session: Session, subject_id: int) -> bool:
    """May the recommender process this person's profile?

    False after an objection to, or an opt-out of, ``core_matching`` until the person opts in
    again. Matching services must ask this before every run (nightly jobs included).
    """
    return is_permitted(session, subject_id, "core_matching")


# --- Consent receipts ----------------------------------------------------------------------------

_COLLECTION_METHODS = {
    Channel.WEB: Localised("Valgt af dig selv i Jobunivers", "Chosen by you in Jobunivers"),
    Channel.API: Localised(
        "Valgt af dig selv i en Jobunivers-app", "Chosen by you in a Jobunivers app"
    ),
    Channel.CASEWORKER: Localised(
        "Givet til din sagsbehandler, som registrerede det i Jobunivers",
        "Given to your caseworker, who recorded it in Jobunivers",
    ),
    Channel.PAPER: Localised(
        "Underskrevet blanket, registreret af jobcentret",
        "Signed form, recorded by the jobcentre",
    ),
}
_WITHDRAWAL = Localised(
    "Du kan trække samtykket tilbage når som helst under Samtykker i Jobunivers eller ved at "
    "kontakte jobcentret. Opbevaring: ",
    "You can withdraw your consent at any time under Consents in Jobunivers or by contacting "
    "the jobcentre. Retention: ",
)


def receipt(
    session: Session,
    subject_id: int,
    purpose_id: str,
    *,
    pseudonymiser: Pseudonymiser,
    controller: Controller,
    policy_url: str,
    locale: str = "da",
    service: str = "Jobunivers",
) -> dict[str, object]:
    """A Kantara Consent Receipt (v1.1.0) for the person's latest grant of a consent purpose.

    The principal is identified by pseudonym, never by user id. The receipt id is derived from
    the grant event, so the same consent always yields the same receipt. Raises
    ``NoConsentError`` when the person never granted this purpose, ``InvalidActionError`` for a
    public-task purpose (there is no consent to document).
    """
    purpose = purposes.get(purpose_id)
    if not purpose.consent_based:
        raise InvalidActionError(f"{purpose_id!r} is not based on consent; no receipt exists")
    grants = [e for e in events(session, subject_id, purpose_id) if e.action == ConsentAction.GRANT]
    if not grants:
        raise NoConsentError(f"no consent to {purpose_id!r} has been given")
    grant = grants[-1]
    principal = pseudonymiser.user(subject_id)
    receipt_id = uuid.uuid5(_RECEIPT_NAMESPACE, f"{principal}:{grant.id}")
    purpose_entry: dict[str, object] = {
        "purpose": f"{purpose.title.get(locale)} (version {grant.purpose_version})",
        "purposeCategory": [purpose.purpose_category],
        "consentType": "EXPLICIT",
        "piiCategory": [DATA_CATEGORIES[c].get(locale) for c in purpose.data_categories],
        "primaryPurpose": False,  # consent purposes are the optional extras, never the core service
        "termination": _WITHDRAWAL.get(locale) + purpose.retention.get(locale),
        "thirdPartyDisclosure": purpose.third_party_disclosure,
    }
    if purpose.third_party_disclosure:
        purpose_entry["thirdPartyName"] = "; ".join(r.get(locale) for r in purpose.recipients)
    body: dict[str, object] = {
        "version": RECEIPT_VERSION,
        "jurisdiction": "DK",
        "consentTimestamp": int(grant.at.timestamp()),
        "collectionMethod": _COLLECTION_METHODS[Channel(grant.channel)].get(locale),
        "consentReceiptID": str(receipt_id),
        "language": "en" if locale.lower().startswith("en") else "da",
        "piiPrincipalId": principal,
        "piiControllers": [
            {
                "piiController": controller.name,
                "onBehalf": False,
                "contact": controller.contact,
                "address": {
                    "streetAddress": controller.street_address,
                    "postalCode": controller.postal_code,
                    "addressLocality": controller.locality,
                    "addressCountry": controller.country,
                },
                "email": controller.email,
                "phone": controller.phone,
                "piiControllerUrl": controller.url,
            }
        ],
        "policyUrl": policy_url,
        "services": [{"service": service, "purposes": [purpose_entry]}],
        "sensitive": purpose.sensitive,
        "spiCat": [
            DATA_CATEGORIES[c].get(locale)
            for c in purpose.data_categories
            if c in purposes.SENSITIVE_CATEGORIES
        ],
    }
    return body
