"""The consent ledger: append-only events, derived state, opt-out and consent receipts."""

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from app.models import Role
from consent import ledger, purposes
from consent.ledger import Controller, InvalidActionError, NoConsentError, Status
from consent.models import ConsentEvent, LedgerImmutableError
from consent.pseudonym import Pseudonymiser

CONTROLLER = Controller(
    name="Odense Kommune, Jobcenter Odense",
    contact="Databeskyttelsesrådgiver",
    street_address="Flakhaven 2",
    postal_code="5000",
    locality="Odense C",
    email="dpo@example.dk",
    phone="+45 00 00 00 00",
    url="https://example.dk",
)


@pytest.fixture(autouse=True)
def _clean_database(app):
    """The ``app`` fixture empties the tables after each test."""
    yield


@pytest.fixture
def pseudonymiser() -> Pseudonymiser:
    return Pseudonymiser(bytes.fromhex("ab" * 32))


@pytest.fixture
def person(make_user):
    return make_user(Role.JOBSEEKER)


@pytest.fixture
def record(session, person, pseudonymiser):
    """Record an event for ``person`` as the person themselves, on the web."""

    def _record(purpose_id, action, **fields):
        values = {
            "subject_id": person.id,
            "purpose_id": purpose_id,
            "action": action,
            "channel": "web",
            "actor_id": person.id,
            "actor_role": "jobseeker",
            "pseudonymiser": pseudonymiser,
        }
        values.update(fields)
        event_ = ledger.record(session, **values)
        session.commit()
        return event_

    return _record


def bump_version(monkeypatch, purpose_id: str) -> None:
    """Publish a new text version of a purpose (as a real text change would)."""
    old = purposes.PURPOSES[purpose_id]
    new = dataclasses.replace(
        old,
        version=old.version + 1,
        text=purposes.Localised(old.text.da + " Ny tekst.", old.text.en + " New text."),
    )
    monkeypatch.setattr(
        purposes, "PURPOSES", MappingProxyType({**purposes.PURPOSES, purpose_id: new})
    )


def ledger_rows(session, subject_id):
    session.expire_all()
    rows = session.exec(
        select(ConsentEvent).where(ConsentEvent.subject_id == subject_id).order_by(ConsentEvent.id)
    ).all()
    return [r.model_dump() for r in rows]


def test_ledger_is_append_only(session, engine, person, record):
    """Every operation only adds rows; no UPDATE or DELETE statement ever touches the ledger."""
    statements: list[str] = []

    def capture(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        snapshots = []
        for purpose_id, action in [
            ("email_notifications", "grant"),
            ("email_notifications", "withdraw"),
            ("core_matching", "opt_out"),
            ("email_notifications", "grant"),
            ("core_matching", "opt_in"),
        ]:
            before = ledger_rows(session, person.id)
            record(purpose_id, action)
            ledger.current_state(session, person.id)
            ledger.is_permitted(session, person.id, purpose_id)
            after = ledger_rows(session, person.id)
            assert after[: len(before)] == before, "earlier events changed"
            assert len(after) == len(before) + 1
            snapshots.append(after)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    writes = [s for s in statements if re.match(r"\s*(UPDATE|DELETE)\b", s, re.I)]
    assert not [s for s in writes if "consentevent" in s.lower()]
    assert any("INSERT INTO consentevent" in s for s in statements)


def test_orm_refuses_to_change_or_delete_events(session, record):
    grant = record("email_notifications", "grant")
    grant.action = "withdraw"
    session.add(grant)
    with pytest.raises(LedgerImmutableError):
        session.commit()
    session.rollback()
    session.delete(session.get(ConsentEvent, grant.id))
    with pytest.raises(LedgerImmutableError):
        session.commit()
    session.rollback()
    session.expire_all()
    assert session.get(ConsentEvent, grant.id).action == "grant"


def test_grant_withdraw_grant(session, person, record):
    purpose = "swipe_personalisation"
    state = ledger.current_state(session, person.id)[purpose]
    assert (state.status, state.permitted, state.version) == (Status.NOT_GIVEN, False, None)

    granted = record(purpose, "grant")
    state = ledger.current_state(session, person.id)[purpose]
    assert (state.status, state.permitted, state.since) == (Status.GRANTED, True, granted.at)

    record(purpose, "withdraw")
    assert ledger.current_state(session, person.id)[purpose].status is Status.WITHDRAWN
    assert not ledger.is_permitted(session, person.id, purpose)

    record(purpose, "grant")
    assert ledger.is_permitted(session, person.id, purpose)
    # Other consent purposes are untouched by these events.
    assert not ledger.is_permitted(session, person.id, "email_notifications")


def test_events_take_effect_in_time_order(session, person, record):
    """A paper form signed before an online withdrawal does not override the withdrawal."""
    record("research_evaluation", "withdraw")
    record(
        "research_evaluation",
        "grant",
        channel="paper",
        actor_role="caseworker",
        at=datetime.now(UTC) - timedelta(days=3),
    )
    assert (
        ledger.current_state(session, person.id)["research_evaluation"].status is Status.WITHDRAWN
    )


def test_text_version_bump_needs_renewal(session, person, record, monkeypatch):
    purpose = "employer_coffee"
    record(purpose, "grant")
    assert ledger.is_permitted(session, person.id, purpose)

    bump_version(monkeypatch, purpose)
    state = ledger.current_state(session, person.id)[purpose]
    assert state.needs_renewal and not state.permitted
    assert (state.version, state.current_version) == (1, 2)

    renewed = record(purpose, "grant")
    assert renewed.purpose_version == 2
    state = ledger.current_state(session, person.id)[purpose]
    assert state.permitted and not state.needs_renewal


def test_public_task_purposes_are_permitted_until_objection(session, person, record):
    state = ledger.current_state(session, person.id)["caseworker_sharing"]
    assert (state.status, state.permitted) == (Status.ACTIVE, True)
    record("caseworker_sharing", "object")
    assert ledger.current_state(session, person.id)["caseworker_sharing"].status is Status.OBJECTED
    record("caseworker_sharing", "opt_in")
    assert ledger.is_permitted(session, person.id, "caseworker_sharing")


def test_opt_out_stops_algorithmic_processing_until_opt_in(session, person, record):
    assert ledger.algorithmic_processing_allowed(session, person.id)
    record("core_matching", "opt_out")
    assert not ledger.algorithmic_processing_allowed(session, person.id)
    assert ledger.current_state(session, person.id)["core_matching"].status is Status.OPTED_OUT
    record("core_matching", "opt_in")
    assert ledger.algorithmic_processing_allowed(session, person.id)
    record("core_matching", "object")
    assert not ledger.algorithmic_processing_allowed(session, person.id)


def test_processing_of_one_person_does_not_leak_to_another(session, make_user, record):
    other = make_user(Role.JOBSEEKER)
    record("core_matching", "opt_out")
    assert ledger.algorithmic_processing_allowed(session, other.id)


@pytest.mark.parametrize(
    ("purpose_id", "action", "fields"),
    [
        ("core_matching", "grant", {}),  # no consent on a public-task purpose
        ("caseworker_sharing", "opt_out", {}),  # opt-out exists only for core matching
        ("employer_coffee", "object", {}),  # consent is withdrawn, not objected to
        ("employer_coffee", "erased", {}),  # reserved for erasure
        ("employer_coffee", "grant", {"channel": "system"}),
        ("employer_coffee", "grant", {"channel": "fax"}),
    ],
)
def test_invalid_actions_are_refused(session, person, record, purpose_id, action, fields):
    with pytest.raises(InvalidActionError):
        record(purpose_id, action, **fields)
    session.rollback()
    assert ledger.events(session, person.id) == []


def test_invalid_times_and_purposes_are_refused(record):
    with pytest.raises(ValueError, match="future"):
        record("email_notifications", "grant", at=datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(ValueError, match="aware"):
        record("email_notifications", "grant", at=datetime(2026, 1, 1))
    with pytest.raises(purposes.UnknownPurposeError):
        record("marketing", "grant")


def test_consent_receipt(session, person, record, pseudonymiser):
    grant = record("employer_coffee", "grant")
    receipt = ledger.receipt(
        session,
        person.id,
        "employer_coffee",
        pseudonymiser=pseudonymiser,
        controller=CONTROLLER,
        policy_url="https://example.dk/privatliv",
    )
    json.dumps(receipt)
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["jurisdiction"] == "DK"
    assert receipt["consentTimestamp"] == int(grant.at.timestamp())
    assert receipt["piiPrincipalId"] == pseudonymiser.user(person.id)
    assert str(person.id) != receipt["piiPrincipalId"]
    assert receipt["collectionMethod"] == "Valgt af dig selv i Jobunivers"
    assert receipt["policyUrl"] == "https://example.dk/privatliv"
    assert receipt["piiControllers"][0]["piiController"] == CONTROLLER.name
    (service,) = receipt["services"]
    (entry,) = service["purposes"]
    assert entry["consentType"] == "EXPLICIT"
    assert entry["thirdPartyDisclosure"] is True and entry["thirdPartyName"]
    assert entry["primaryPurpose"] is False
    assert entry["piiCategory"] and entry["purposeCategory"] and entry["termination"]
    assert receipt["sensitive"] is False and receipt["spiCat"] == []
    # Stable for the same grant, new for a new grant.
    again = ledger.receipt(
        session,
        person.id,
        "employer_coffee",
        pseudonymiser=pseudonymiser,
        controller=CONTROLLER,
        policy_url="https://example.dk/privatliv",
    )
    assert again["consentReceiptID"] == receipt["consentReceiptID"]
    record("employer_coffee", "withdraw")
    record("employer_coffee", "grant")
    newer = ledger.receipt(
        session,
        person.id,
        "employer_coffee",
        pseudonymiser=pseudonymiser,
        controller=CONTROLLER,
        policy_url="https://example.dk/privatliv",
        locale="en",
    )
    assert newer["consentReceiptID"] != receipt["consentReceiptID"]
    assert newer["language"] == "en"
    assert "withdraw" in newer["services"][0]["purposes"][0]["termination"]


def test_no_receipt_without_consent(session, person, pseudonymiser):
    kwargs = {"pseudonymiser": pseudonymiser, "controller": CONTROLLER, "policy_url": "https://x"}
    with pytest.raises(NoConsentError):
        ledger.receipt(session, person.id, "research_evaluation", **kwargs)
    with pytest.raises(InvalidActionError):
        ledger.receipt(session, person.id, "core_matching", **kwargs)


def test_every_event_carries_the_subject_pseudonym(session, person, record, pseudonymiser):
    record("email_notifications", "grant")
    count = session.exec(
        select(func.count())
        .select_from(ConsentEvent)
        .where(ConsentEvent.subject_pseudonym == pseudonymiser.user(person.id))
    ).one()
    assert count == 1
