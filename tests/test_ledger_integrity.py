"""The consent ledger is tamper-evident: the database refuses changes outside erasure, the hash
chain exposes changes made with the triggers lifted, and erasure leaves verifiable tombstones.

Runs on SQLite and, with ``DATABASE_URL``, on PostgreSQL.
"""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select
from sqlmodel.sql.sqltypes import UTCDateTime

from app.db import make_engine
from app.models import Role
from consent import integrity, ledger, rights
from consent.models import ConsentEvent, ConsentLedgerHead
from consent.pseudonym import Pseudonymiser
from tests.conftest import alembic_config, ledger_triggers_lifted
from tests.test_migrations import fresh_url  # noqa: F401  - fixture: a new empty database

PSEUDONYMISER = Pseudonymiser(bytes.fromhex("ab" * 32))  # the key of the ``app`` fixture
EVENTS = ConsentEvent.__table__


@pytest.fixture(autouse=True)
def _clean_database(app):
    """The ``app`` fixture empties the tables after each test."""
    yield


@pytest.fixture
def record(session):
    def _record(user, purpose_id="email_notifications", action="grant", actor=None, **extra):
        event = ledger.record(
            session,
            subject_id=user.id,
            purpose_id=purpose_id,
            action=action,
            channel=extra.pop("channel", "web" if actor is None else "paper"),
            actor_id=(actor or user).id,
            actor_role=(actor or user).role,
            pseudonymiser=PSEUDONYMISER,
            **extra,
        )
        session.commit()
        return event

    return _record


@pytest.fixture
def three_events(make_user, record):
    person = make_user(Role.JOBSEEKER)
    first = record(person, "email_notifications", "grant")
    middle = record(person, "research_evaluation", "grant")
    last = record(person, "email_notifications", "withdraw")
    return person, first, middle, last


def tamper(engine, statement) -> None:
    """Run ``statement`` with the ledger's triggers lifted, as someone with database access."""
    with engine.begin() as connection, ledger_triggers_lifted(connection):
        connection.execute(statement)


def verify_cli(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["consent", "verify"])
    return result.exit_code, result.output


# --- The chain ---------------------------------------------------------------------------------


def test_events_are_chained_and_verify(session, three_events, app):
    _person, first, middle, last = three_events
    assert [first.seq, middle.seq, last.seq] == [1, 2, 3]
    assert first.prev_hash == integrity.GENESIS
    assert middle.prev_hash == first.event_hash and last.prev_hash == middle.event_hash
    for event in (first, middle, last):
        fields = {name: getattr(event, name) for name in integrity.HASHED_FIELDS}
        assert event.event_hash == integrity.event_hash(fields)
    head = session.get(ConsentLedgerHead, integrity.HEAD_ID)
    assert (head.length, head.last_hash, head.erasure_open) == (3, last.event_hash, False)
    report = integrity.verify(session, PSEUDONYMISER)
    assert report.ok, report.problems
    assert (report.events, report.head_hash) == (3, last.event_hash)
    code, output = verify_cli(app)
    assert code == 0, output
    assert f"OK: 3 consent events verified; chain head {last.event_hash}" in output


def test_the_hash_covers_pseudonyms_not_user_ids(three_events):
    person, first, _middle, _last = three_events
    material = integrity.canonical({name: getattr(first, name) for name in integrity.HASHED_FIELDS})
    assert PSEUDONYMISER.user(person.id).encode() in material
    assert b"subject_id" not in material and b"actor_id" not in material


def test_concurrent_appends_do_not_fork_the_chain(engine, make_user):
    people = [make_user(Role.JOBSEEKER) for _ in range(6)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(people))

    def append(user_id: int) -> None:
        try:
            start.wait()
            for action in ("grant", "withdraw", "grant"):
                with Session(engine) as own:
                    ledger.record(
                        own,
                        subject_id=user_id,
                        purpose_id="email_notifications",
                        action=action,
                        channel="web",
                        actor_id=user_id,
                        actor_role="jobseeker",
                        pseudonymiser=PSEUDONYMISER,
                    )
                    own.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(engine) as check:
        seqs = check.exec(select(ConsentEvent.seq).order_by(ConsentEvent.seq)).all()
        assert seqs == list(range(1, 3 * len(people) + 1))
        report = integrity.verify(check, PSEUDONYMISER)
        assert report.ok, report.problems


# --- The database refuses changes --------------------------------------------------------------


def test_raw_update_and_delete_are_refused_by_the_database(session, three_events):
    _person, _first, middle, _last = three_events
    attempts = [
        sa.text("UPDATE consentevent SET action = 'withdraw' WHERE id = :id"),
        sa.text("UPDATE consentevent SET subject_id = NULL WHERE id = :id"),
        sa.text("DELETE FROM consentevent WHERE id = :id"),
    ]
    for statement in attempts:
        with pytest.raises(sa.exc.IntegrityError, match="append-only"):
            session.connection().execute(statement, {"id": middle.id})
        session.rollback()
    # Bulk statements through the ORM skip its events; the triggers still hold.
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        session.execute(sa.update(ConsentEvent).values(action="withdraw"))
    session.rollback()
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        session.execute(sa.delete(ConsentEvent))
    session.rollback()
    session.expire_all()
    assert session.get(ConsentEvent, middle.id).action == "grant"
    assert integrity.verify(session, PSEUDONYMISER).ok


def test_truncate_is_refused_on_postgresql(session, three_events):
    if session.connection().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE without WHERE fires the trigger")
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        session.connection().execute(sa.text("TRUNCATE consentevent"))
    session.rollback()


def test_unchained_inserts_are_refused(session, make_user):
    person = make_user(Role.JOBSEEKER)
    with pytest.raises(sa.exc.IntegrityError):
        session.connection().execute(
            sa.insert(EVENTS).values(
                subject_id=person.id,
                subject_pseudonym=PSEUDONYMISER.user(person.id),
                purpose_id="email_notifications",
                purpose_version=1,
                action="grant",
                at=datetime.now(UTC),
                channel="web",
                actor_role="jobseeker",
            )
        )
    session.rollback()


def test_the_head_only_moves_forward(session, three_events):
    for statement in (
        "UPDATE consentledgerhead SET length = 1",
        "UPDATE consentledgerhead SET last_hash = 'x'",
        "DELETE FROM consentledgerhead",
    ):
        with pytest.raises(sa.exc.IntegrityError, match="head"):
            session.connection().execute(sa.text(statement))
        session.rollback()


def test_the_erasure_window_allows_clearing_user_ids_only(session, three_events):
    _person, first, middle, last = three_events
    with integrity.erasure_window(session):
        session.connection().execute(
            sa.text("UPDATE consentevent SET subject_id = NULL, actor_id = NULL WHERE id = :id"),
            {"id": first.id},
        )
        for statement in (
            "UPDATE consentevent SET subject_id = NULL, action = 'withdraw' WHERE id = :id",
            "UPDATE consentevent SET actor_id = actor_id + 1 WHERE id = :id",
        ):
            # The savepoint is rolled back before pytest.raises sees the error (PostgreSQL
            # aborts the whole transaction otherwise).
            with (
                pytest.raises(sa.exc.IntegrityError, match="only clear the user ids"),
                session.connection().begin_nested(),
            ):
                session.connection().execute(sa.text(statement), {"id": middle.id})
        with (
            pytest.raises(sa.exc.IntegrityError, match="never deleted"),
            session.connection().begin_nested(),
        ):
            session.connection().execute(
                sa.text("DELETE FROM consentevent WHERE id = :id"), {"id": last.id}
            )
    session.commit()
    assert session.get(ConsentLedgerHead, integrity.HEAD_ID).erasure_open is False
    assert integrity.verify(session, PSEUDONYMISER).ok


def test_triggers_are_installed_at_head(engine):
    """A later migration that rebuilds ``consentevent`` on SQLite (batch mode) would drop them."""
    with engine.connect() as connection:
        installed = integrity.installed_triggers(connection)
        assert integrity.TRIGGERS[connection.dialect.name] <= installed


# --- The chain exposes changes made with the triggers lifted ------------------------------------


def test_a_changed_event_is_named_by_verify(app, engine, session, three_events):
    _person, first, middle, last = three_events
    tamper(engine, sa.update(EVENTS).where(EVENTS.c.id == middle.id).values(action="withdraw"))
    report = integrity.verify(session, PSEUDONYMISER)
    assert not report.ok
    assert (report.first_broken.event_id, report.first_broken.seq) == (middle.id, 2)
    assert "content changed" in report.first_broken.message
    code, output = verify_cli(app)
    assert code == 1
    assert f"first broken link: event {middle.id} (position 2)" in output


def test_a_rehashed_event_breaks_the_next_link(app, engine, session, three_events):
    """Someone who recomputes the changed event's hash still breaks the link after it."""
    _person, _first, middle, last = three_events
    fields = {name: getattr(middle, name) for name in integrity.HASHED_FIELDS} | {
        "action": "withdraw"
    }
    tamper(
        engine,
        sa.update(EVENTS)
        .where(EVENTS.c.id == middle.id)
        .values(action="withdraw", event_hash=integrity.event_hash(fields)),
    )
    code, output = verify_cli(app)
    assert code == 1
    assert f"first broken link: event {last.id} (position 3): does not link" in output


def test_a_deleted_middle_event_is_detected(app, engine, three_events):
    _person, _first, middle, last = three_events
    tamper(engine, sa.delete(EVENTS).where(EVENTS.c.id == middle.id))
    code, output = verify_cli(app)
    assert code == 1
    assert f"first broken link: event {last.id} (position 3): expected position 2" in output
    assert "missing" in output


def test_a_deleted_last_event_is_detected_by_the_head(app, engine, three_events):
    _person, _first, _middle, last = three_events
    tamper(engine, sa.delete(EVENTS).where(EVENTS.c.id == last.id))
    code, output = verify_cli(app)
    assert code == 1
    assert "the ledger head records 3 events" in output


def test_an_event_moved_to_another_person_is_detected(app, engine, make_user, three_events):
    _person, _first, middle, _last = three_events
    other = make_user(Role.JOBSEEKER)
    tamper(engine, sa.update(EVENTS).where(EVENTS.c.id == middle.id).values(subject_id=other.id))
    code, output = verify_cli(app)
    assert code == 1
    assert f"event {middle.id} (position 2): subject_id does not match" in output


def test_lifted_triggers_are_reported(app, engine, three_events):
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("ALTER TABLE consentevent DISABLE TRIGGER USER"))
            restore = ["ALTER TABLE consentevent ENABLE TRIGGER USER"]
        else:
            (sql,) = connection.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE name = 'consentevent_no_delete'")
            ).one()
            connection.execute(sa.text("DROP TRIGGER consentevent_no_delete"))
            restore = [sql]
    try:
        code, output = verify_cli(app)
    finally:
        with engine.begin() as connection:
            for statement in restore:
                connection.execute(sa.text(statement))
    assert code == 1
    assert "append-only triggers missing or disabled" in output


# --- Erasure keeps the chain -------------------------------------------------------------------


def test_erasure_leaves_verifiable_pseudonymous_tombstones(app, session, make_user, record):
    person = make_user(Role.JOBSEEKER)
    caseworker = make_user(Role.CASEWORKER)
    other = make_user(Role.JOBSEEKER)
    record(person, "email_notifications", "grant")
    record(person, "research_evaluation", "grant", actor=caseworker)  # a paper form
    record(other, "email_notifications", "grant", actor=caseworker)
    record(person, "core_matching", "opt_out")
    before = {
        e.id: (e.seq, e.event_hash, e.purpose_id, e.action, e.at)
        for e in session.exec(select(ConsentEvent)).all()
    }
    person_id, pseudonym = person.id, PSEUDONYMISER.user(person.id)

    rights.erase(session, person_id, PSEUDONYMISER, actor_role="admin")

    session.expire_all()
    events = session.exec(select(ConsentEvent).order_by(ConsentEvent.seq)).all()
    # Every earlier event is still there, unchanged in everything the hash covers.
    assert {
        e.id: (e.seq, e.event_hash, e.purpose_id, e.action, e.at) for e in events if e.id in before
    } == before
    tombstones = [e for e in events if e.subject_pseudonym == pseudonym]
    assert [(e.purpose_id, e.action) for e in tombstones] == [
        ("email_notifications", "grant"),
        ("research_evaluation", "grant"),
        ("core_matching", "opt_out"),
        ("*", "erased"),
    ]
    assert all(e.subject_id is None for e in tombstones)
    assert all(person_id not in (e.subject_id, e.actor_id) for e in events)
    # The caseworker who recorded the paper form is still named; the person is not.
    assert tombstones[1].actor_id == caseworker.id
    assert tombstones[0].actor_pseudonym == pseudonym and tombstones[0].actor_id is None
    assert ledger.events(session, other.id)[0].subject_id == other.id
    report = integrity.verify(session, PSEUDONYMISER)
    assert report.ok, report.problems
    assert report.events == 5
    assert verify_cli(app)[0] == 0

    # Erasing the caseworker clears their id from the events they recorded for others.
    caseworker_id = caseworker.id
    rights.erase(session, caseworker_id, PSEUDONYMISER, actor_role="admin")
    session.expire_all()
    assert ledger.events(session, other.id)[0].actor_id is None
    assert integrity.verify(session, PSEUDONYMISER).ok
    assert session.get(ConsentLedgerHead, integrity.HEAD_ID).erasure_open is False


# --- Migration ---------------------------------------------------------------------------------


def test_the_migration_links_existing_events(fresh_url):  # noqa: F811 - the imported fixture
    config = alembic_config(fresh_url)
    command.upgrade(config, "0005")
    engine = make_engine(fresh_url)
    try:
        users = sa.table(
            "user",
            sa.column("id", sa.Integer()),
            sa.column("role", sa.String()),
            sa.column("name", sa.String()),
            sa.column("is_active", sa.Boolean()),
            sa.column("is_demo", sa.Boolean()),
            sa.column("created_at", UTCDateTime()),
        )
        old_events = sa.table(
            "consentevent",
            *(sa.column(name, sa.String()) for name in ("subject_pseudonym", "purpose_id")),
            *(sa.column(name, sa.String()) for name in ("action", "channel", "actor_role")),
            *(sa.column(name, sa.Integer()) for name in ("subject_id", "actor_id")),
            sa.column("purpose_version", sa.Integer()),
            sa.column("at", UTCDateTime()),
        )
        with engine.begin() as connection:
            user_id = connection.execute(
                sa.insert(users)
                .values(
                    role="jobseeker",
                    name="Før kæden",
                    is_active=True,
                    is_demo=False,
                    created_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
                )
                .returning(users.c.id)
            ).scalar_one()
            for n, action in enumerate(("grant", "withdraw", "grant")):
                connection.execute(
                    sa.insert(old_events).values(
                        subject_id=user_id,
                        subject_pseudonym=PSEUDONYMISER.user(user_id),
                        purpose_id="email_notifications",
                        purpose_version=1,
                        action=action,
                        at=datetime(2026, 11, 2, 10, n, 30, 123456, tzinfo=UTC),
                        channel="web",
                        actor_id=user_id,
                        actor_role="jobseeker",
                    )
                )
        command.upgrade(config, "head")
        with Session(engine) as session:
            report = integrity.verify(session, PSEUDONYMISER)
            assert report.ok, report.problems
            assert report.events == 3
            # Appending after the migration continues the same chain.
            ledger.record(
                session,
                subject_id=user_id,
                purpose_id="email_notifications",
                action="withdraw",
                channel="web",
                actor_id=user_id,
                actor_role="jobseeker",
                pseudonymiser=PSEUDONYMISER,
            )
            session.commit()
            assert integrity.verify(session, PSEUDONYMISER).ok
        command.downgrade(config, "0005")
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM consentevent")).scalar_one()
            assert count == 4
    finally:
        engine.dispose()
