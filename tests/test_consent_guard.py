"""The guard: raises for unpermitted purposes and logs every attempt, allowed or refused."""

import dataclasses
from types import MappingProxyType

import pytest
from sqlmodel import Session, select

from app.models import Role
from consent import guard, ledger, purposes
from consent.guard import ConsentRequired, ProcessingObjected, PurposeNotPermitted
from consent.models import AccessLogEntry
from consent.pseudonym import Pseudonymiser


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
def caseworker(make_user):
    return make_user(Role.CASEWORKER)


@pytest.fixture
def decide(engine, person, pseudonymiser):
    """The person records a decision in their own request (a separate session, committed)."""

    def _decide(purpose_id, action):
        with Session(engine) as own:
            ledger.record(
                own,
                subject_id=person.id,
                purpose_id=purpose_id,
                action=action,
                channel="web",
                actor_id=person.id,
                actor_role="jobseeker",
                pseudonymiser=pseudonymiser,
            )
            own.commit()

    return _decide


def log_of(engine, subject_id):
    """The access log as another request would see it (proves the rows were committed)."""
    with Session(engine) as fresh:
        statement = (
            select(AccessLogEntry)
            .where(AccessLogEntry.subject_id == subject_id)
            .order_by(AccessLogEntry.id)
        )
        return list(fresh.exec(statement).all())


def read_as_employer(session, person, **overrides):
    kwargs = {
        "actor_id": None,
        "actor_role": "employer",
        "actor_organisation": "Testfirma ApS",
        "data_categories": ["cv", "job_preferences"],
        "via": "web",
    }
    kwargs.update(overrides)
    guard.require(session, person.id, "employer_coffee", **kwargs)


def test_consent_required_then_allowed_then_refused_again(session, engine, person, decide):
    with pytest.raises(ConsentRequired) as refused:
        read_as_employer(session, person)
    assert refused.value.state.status == ledger.Status.NOT_GIVEN
    assert isinstance(refused.value, PurposeNotPermitted)

    decide("employer_coffee", "grant")
    read_as_employer(session, person)

    # The withdrawal is made in another session; the very next check must see it.
    decide("employer_coffee", "withdraw")
    with pytest.raises(ConsentRequired):
        read_as_employer(session, person)

    log = log_of(engine, person.id)
    assert [(e.outcome, e.reason) for e in log] == [
        ("refused", "not_given"),
        ("allowed", None),
        ("refused", "withdrawn"),
    ]
    first = log[0]
    assert first.purpose_id == "employer_coffee"
    assert first.data_categories == ["cv", "job_preferences"]
    assert (first.actor_role, first.actor_organisation, first.via) == (
        "employer",
        "Testfirma ApS",
        "web",
    )


def test_refused_attempt_survives_the_request_rollback(session, engine, person):
    with pytest.raises(ConsentRequired):
        read_as_employer(session, person)
    session.rollback()  # what the request teardown does after the error
    assert [e.outcome for e in log_of(engine, person.id)] == ["refused"]


def test_objection_raises_processing_objected(session, engine, person, caseworker, decide):
    kwargs = {
        "actor_id": caseworker.id,
        "actor_role": "caseworker",
        "actor_organisation": "Jobcenter Test",
        "data_categories": ["cv"],
        "via": "web",
    }
    guard.require(session, person.id, "caseworker_sharing", **kwargs)
    decide("caseworker_sharing", "object")
    with pytest.raises(ProcessingObjected) as objected:
        guard.require(session, person.id, "caseworker_sharing", **kwargs)
    assert objected.value.state.status == ledger.Status.OBJECTED
    log = log_of(engine, person.id)
    assert [(e.outcome, e.reason, e.actor_id) for e in log] == [
        ("allowed", None, caseworker.id),
        ("refused", "objected", caseworker.id),
    ]


def test_opt_out_blocks_the_matching_job(session, engine, person, decide):
    def run_matching():
        return guard.permitted(
            session,
            person.id,
            "core_matching",
            actor_id=None,
            actor_role="system",
            data_categories=["cv", "job_preferences"],
            via="job",
        )

    assert run_matching() is True
    decide("core_matching", "opt_out")
    assert run_matching() is False
    with pytest.raises(ProcessingObjected):
        guard.require(
            session,
            person.id,
            "core_matching",
            actor_id=None,
            actor_role="system",
            data_categories=["cv"],
            via="job",
        )
    decide("core_matching", "opt_in")
    assert run_matching() is True
    outcomes = [(e.outcome, e.reason, e.via) for e in log_of(engine, person.id)]
    assert outcomes == [
        ("allowed", None, "job"),
        ("refused", "opted_out", "job"),
        ("refused", "opted_out", "job"),
        ("allowed", None, "job"),
    ]


def test_old_consent_text_needs_renewal(session, engine, person, decide, monkeypatch):
    decide("employer_coffee", "grant")
    old = purposes.PURPOSES["employer_coffee"]
    new = dataclasses.replace(old, version=old.version + 1)
    monkeypatch.setattr(purposes, "PURPOSES", MappingProxyType({**purposes.PURPOSES, old.id: new}))
    with pytest.raises(ConsentRequired) as refused:
        read_as_employer(session, person)
    assert refused.value.needs_renewal
    assert log_of(engine, person.id)[-1].reason == "needs_renewal"


def test_categories_outside_the_purpose_are_a_bug_not_a_refusal(session, engine, person):
    with pytest.raises(ValueError, match="does not cover"):
        read_as_employer(session, person, data_categories=["accessibility_needs"])
    with pytest.raises(ValueError):
        read_as_employer(session, person, data_categories=[])
    with pytest.raises(ValueError):
        read_as_employer(session, person, via="carrier-pigeon")
    assert log_of(engine, person.id) == []


def test_log_access_for_public_task_reads(session, engine, person, caseworker):
    entry = guard.log_access(
        session,
        person.id,
        purpose_id="caseworker_sharing",
        actor_id=caseworker.id,
        actor_role="caseworker",
        actor_organisation="Jobcenter Test",
        data_categories=["identity", "cv", "cv"],
        via="web",
    )
    assert entry.id is not None
    (row,) = log_of(engine, person.id)
    assert (row.outcome, row.data_categories) == ("allowed", ["identity", "cv"])
    with pytest.raises(ValueError, match="consent"):
        guard.log_access(
            session,
            person.id,
            purpose_id="employer_coffee",
            actor_id=None,
            actor_role="employer",
            data_categories=["cv"],
            via="web",
        )


def test_commit_false_leaves_the_transaction_to_the_caller(session, engine, person):
    allowed = guard.permitted(
        session,
        person.id,
        "core_matching",
        actor_id=None,
        actor_role="system",
        data_categories=["cv"],
        via="job",
        commit=False,
    )
    assert allowed
    assert log_of(engine, person.id) == []  # not yet visible to others
    session.commit()
    assert len(log_of(engine, person.id)) == 1
