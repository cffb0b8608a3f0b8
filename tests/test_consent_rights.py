"""Data-subject rights: the registry covers the schema, export is complete, erasure leaves
nothing identifying (and is all-or-nothing), deadlines follow month arithmetic, retention purges.

The seeding is generic: it walks ``SQLModel.metadata`` and writes a row into every table that
references ``user.id``, so tables added later are covered without touching this file.
"""

import itertools
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import ObjectDeletedError
from sqlmodel import Session, SQLModel, select

import app.models  # noqa: F401  - the application's tables and its registrations
from app.models import Role
from consent import integrity, ledger, rights
from consent.models import (
    ConsentEvent,
    DataSubjectRequest,
    ErasureRecord,
    RequestStatus,
)
from consent.pseudonym import Pseudonymiser

# Values for columns with CHECK constraints or meaning; everything else is generic filler.
KNOWN_VALUES: dict[str, dict[str, Any]] = {
    "consentevent": {
        "purpose_id": "email_notifications",
        "purpose_version": 1,
        "action": "grant",
        "channel": "web",
        "actor_role": "jobseeker",
    },
    "accesslogentry": {
        "outcome": "allowed",
        "via": "web",
        "purpose_id": "caseworker_sharing",
        "actor_role": "caseworker",
        "data_categories": ["cv"],
    },
    "datasubjectrequest": {"kind": "access", "status": "received"},
}


@pytest.fixture(autouse=True)
def _clean_database(app):
    """The ``app`` fixture empties the tables after each test."""
    yield


@pytest.fixture
def pseudonymiser() -> Pseudonymiser:
    return Pseudonymiser(bytes.fromhex("ab" * 32))


# --- Generic seeding -------------------------------------------------------------------------


def python_type(column: sa.Column) -> type:
    """The Python type of a column, looking through TypeDecorators (AutoString, UTCDateTime)."""
    sql_type = column.type
    if isinstance(sql_type, sa.types.TypeDecorator):
        sql_type = sql_type.impl_instance
    try:
        return sql_type.python_type
    except NotImplementedError:
        return str


def _filler(column: sa.Column, text: str) -> Any:
    """A value of the column's type; strings carry ``text`` (cut to the column's length)."""
    kind = python_type(column)
    if kind is bool:
        return False
    if kind is int:
        return 1
    if kind is float:
        return 1.5
    if kind is datetime:
        return datetime.now(UTC)
    if kind is date:
        return date.today()
    if kind is bytes:
        return b"\x00\x01seed"
    if kind in (dict, list):
        return {"note": text}
    length = getattr(column.type, "length", None)
    if length and column.unique and length < len(text):
        # A short unique code (a municipality's three characters): the text cut to its length
        # would repeat between seeded rows; a counter does not.
        return _base36(next(_SHORT_CODES))[-length:].rjust(length, "0")
    return text[:length] if length else text


_SHORT_CODES = itertools.count(1)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def insert_row(
    session: Session, table: sa.Table, users: dict[str, int], text: str, fixed: dict[str, Any]
) -> None:
    """Insert one row into ``table``. ``users`` maps column names to user ids; other user
    references get ``users['*']``; other foreign keys get freshly seeded parent rows."""
    values: dict[str, Any] = {}
    for column in table.columns:
        name = column.name
        if name in fixed:
            values[name] = fixed[name]
            continue
        targets = [fk.column for fk in column.foreign_keys]
        if targets and targets[0].table.name == "user":
            values[name] = users.get(name, users["*"])
        elif targets:
            if column.nullable:
                continue
            parent = targets[0].table
            parent_key = seed_parent(session, parent)
            values[name] = parent_key[targets[0].name]
        elif column is table.autoincrement_column:
            continue
        elif column.default is not None or column.server_default is not None:
            if python_type(column) is str and name not in KNOWN_VALUES.get(table.name, {}):
                values[name] = _filler(column, text)
            continue
        elif name in KNOWN_VALUES.get(table.name, {}):
            values[name] = KNOWN_VALUES[table.name][name]
        else:
            values[name] = _filler(column, text)
    for name, value in KNOWN_VALUES.get(table.name, {}).items():
        values.setdefault(name, value)
    if table.name == "consentevent":
        # Ledger events get their place in the hash chain from the ORM's flush, not from us.
        for name in ("seq", "prev_hash", "event_hash"):
            values.pop(name, None)
        session.add(ConsentEvent(**values))
        session.flush()
        return
    session.connection().execute(sa.insert(table).values(values))


def seed_parent(session: Session, table: sa.Table) -> dict[str, Any]:
    """A new row in a non-personal parent table (employer, posting, meeting ...)."""
    token = uuid.uuid4().hex
    insert_row(session, table, {"*": 0}, f"p{token}", {})
    # The newest row by primary key is ours (ids are sequences in both databases).
    key = list(table.primary_key.columns)
    row = session.connection().execute(sa.select(*key).order_by(*(c.desc() for c in key))).first()
    assert row is not None
    return dict(row._mapping)


def references(session: Session, table: str, column: str, user_id: int) -> int:
    t = SQLModel.metadata.tables[table]
    statement = sa.select(sa.func.count()).select_from(t).where(t.c[column] == user_id)
    return session.connection().execute(statement).scalar_one()


def seed_everything(session: Session, subject, bystander) -> None:
    """For every column referencing ``user.id``: a row where that column is the subject and any
    other user column is the bystander. Free text in rows about the subject carries their name
    and email, so the erasure test can look for them afterwards."""
    identifying = f"{subject.name} <{subject.email}>"
    for table_name, column_name in rights.user_reference_columns():
        if references(session, table_name, column_name, subject.id):
            continue  # e.g. the profile make_user created
        table = SQLModel.metadata.tables[table_name]
        entry = rights.PERSONAL_DATA.get((table_name, column_name))
        if entry is not None and entry.erase == "anonymise":
            # Rows that survive as anonymised carry identifying text only where it is scrubbed.
            text = f"neutral {uuid.uuid4().hex}"
            fixed = {name: identifying for name in entry.scrub}
        else:
            text, fixed = f"{identifying} {uuid.uuid4().hex}", {}
        insert_row(session, table, {column_name: subject.id, "*": bystander.id}, text, fixed)
    session.commit()


@pytest.fixture
def people(make_user):
    subject = make_user(
        Role.JOBSEEKER,
        name=f"Kirsten Qvistgaard-Ebbesen {uuid.uuid4().hex[:6]}",
        email=f"kirsten.qe.{uuid.uuid4().hex[:6]}@example.dk",
    )
    bystander = make_user(Role.CASEWORKER)
    return subject, bystander


# --- Registry ----------------------------------------------------------------------------------


def test_every_user_reference_is_registered_as_personal_data():
    """A new table with a user id must be registered (``register_personal_table``), or the
    person's data in it would be missing from exports."""
    assert rights.unregistered_user_references() == []


def test_registry_matches_the_schema():
    entries = rights._ordered_entries()  # raises RegistryError on unknown tables or columns
    assert entries[-1][0].table == "user", "the user row must go last"
    assert {e.key for e, _ in entries} == {e.key for e in rights.PERSONAL_DATA.values()}


def test_registration_is_checked(monkeypatch):
    monkeypatch.setattr(rights, "PERSONAL_DATA", dict(rights.PERSONAL_DATA))
    with pytest.raises(ValueError, match="category"):
        rights.register_personal_table("swipe", "user_id", "shoe_size")
    with pytest.raises(ValueError, match="already registered"):
        rights.register_personal_table("user", "id", "cv")
    rights.register_personal_table("user", "id", "identity", redact=("password_hash",))  # same
    rights.register_personal_table("nosuchtable", "user_id", "cv")
    with pytest.raises(rights.RegistryError, match="nosuchtable"):
        rights._ordered_entries()
    del rights.PERSONAL_DATA[("nosuchtable", "user_id")]
    rights.register_personal_table("jobseekerprofile", "cv_text", "cv", "anonymise")
    with pytest.raises(rights.RegistryError, match="NOT NULL"):
        rights._ordered_entries()


# --- Export ------------------------------------------------------------------------------------


def test_export_contains_every_registered_table(session, people):
    subject, bystander = people
    seed_everything(session, subject, bystander)
    exported = rights.export(session, subject.id)
    text = json.dumps(exported)  # JSON-safe without a custom encoder
    assert exported["subject_id"] == subject.id

    by_key = {f"{r['table']}.{r['column']}": r for r in exported["records"]}
    assert set(by_key) == {e.key for e in rights.PERSONAL_DATA.values()}
    for key, record in by_key.items():
        assert record["rows"], f"{key} exported no rows"
        for row in record["rows"]:
            assert not set(record["redacted_columns"]) & row.keys()
    (user_row,) = by_key["user.id"]["rows"]
    assert user_row["name"] == subject.name and user_row["email"] == subject.email
    assert "password_hash" not in user_row and "$argon2" not in text
    assert datetime.fromisoformat(user_row["created_at"]).tzinfo is not None
    assert set(exported["consent_state"]) == set(ledger.current_state(session, subject.id))
    # The bystander's own data is not part of the subject's export.
    assert bystander.email not in text


def test_export_of_the_actor_hides_the_other_persons_identity(session, make_user, pseudonymiser):
    citizen, caseworker = make_user(Role.JOBSEEKER), make_user(Role.CASEWORKER)
    ledger.record(
        session,
        subject_id=citizen.id,
        purpose_id="research_evaluation",
        action="grant",
        channel="paper",
        actor_id=caseworker.id,
        actor_role="caseworker",
        pseudonymiser=pseudonymiser,
    )
    session.commit()
    exported = rights.export(session, caseworker.id)
    record = next(
        r for r in exported["records"] if (r["table"], r["column"]) == ("consentevent", "actor_id")
    )
    (row,) = record["rows"]
    assert row["actor_id"] == caseworker.id
    assert "subject_id" not in row and "subject_pseudonym" not in row


# --- Erasure -----------------------------------------------------------------------------------


def text_columns() -> list[sa.Column]:
    return [
        c
        for t in SQLModel.metadata.sorted_tables
        for c in t.columns
        if isinstance(c.type, sa.String | sa.Text | sa.JSON)
    ]


def occurrences(session: Session, needle: str) -> list[str]:
    """Columns anywhere in the database whose text contains ``needle``."""
    found = []
    for column in text_columns():
        statement = (
            sa.select(sa.func.count())
            .select_from(column.table)
            .where(sa.cast(column, sa.Text).contains(needle, autoescape=True))
        )
        if session.connection().execute(statement).scalar_one():
            found.append(f"{column.table.name}.{column.name}")
    return found


def test_erasure_leaves_nothing_identifying(session, people, pseudonymiser):
    subject, bystander = people
    seed_everything(session, subject, bystander)
    request = rights.register_request(
        session, subject_id=subject.id, kind="erasure", note=f"Ringede: {subject.name}"
    )
    session.commit()
    # Sanity: the seeding put the subject into every registered place and their name around.
    for entry in rights.PERSONAL_DATA.values():
        assert references(session, entry.table, entry.subject_column, subject.id), entry.key
    assert occurrences(session, subject.name)
    bystander_rows = references(session, "accesslogentry", "subject_id", bystander.id)
    ledger_rows = session.exec(select(sa.func.count()).select_from(ConsentEvent)).one()
    subject_id, name, email, bystander_id = subject.id, subject.name, subject.email, bystander.id

    record = rights.erase(session, subject_id, pseudonymiser, actor_role="admin")

    with pytest.raises(ObjectDeletedError):
        _ = subject.name  # objects loaded before the erasure do not pretend to be alive

    leftovers = [
        f"{t}.{c}"
        for t, c in rights.user_reference_columns()
        if references(session, t, c, subject_id)
    ]
    assert leftovers == []
    assert occurrences(session, name) == []
    assert occurrences(session, email) == []

    pseudonym = pseudonymiser.user(subject_id)
    session.expire_all()
    events = session.exec(
        select(ConsentEvent).where(ConsentEvent.subject_pseudonym == pseudonym)
    ).all()
    assert [(e.action, e.subject_id, e.purpose_id) for e in events] == [("erased", None, "*")]
    # The person's consent events stay as tombstones (plus the erasure event): the chain holds.
    assert session.exec(select(sa.func.count()).select_from(ConsentEvent)).one() == ledger_rows + 1
    assert integrity.verify(session).ok
    stored = session.get(ErasureRecord, record.id)
    assert stored.subject_pseudonym == pseudonym and stored.actor_role == "admin"
    assert set(stored.row_counts) == {e.key for e in rights.PERSONAL_DATA.values()}
    assert stored.row_counts["user.id"] == 1
    # The request is answered and kept, pseudonymised, as evidence of the deadline being met.
    answered = session.get(DataSubjectRequest, request.id)
    assert (answered.status, answered.subject_id, answered.subject_pseudonym) == (
        RequestStatus.COMPLETED,
        None,
        pseudonym,
    )
    assert stored.request_id == request.id
    # The bystander keeps their account and the log of reads of their data.
    assert references(session, "user", "id", bystander_id) == 1
    assert references(session, "accesslogentry", "subject_id", bystander_id) == bystander_rows


def test_erasure_is_all_or_nothing(session, people, pseudonymiser, monkeypatch):
    subject, bystander = people
    seed_everything(session, subject, bystander)
    before = {
        (t, c): references(session, t, c, subject.id) for t, c in rights.user_reference_columns()
    }
    calls = []
    original = rights._apply

    def failing_apply(*args, **kwargs):
        calls.append(args[1].key)
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(rights, "_apply", failing_apply)
    with pytest.raises(RuntimeError, match="disk full"):
        rights.erase(session, subject.id, pseudonymiser)
    after = {
        (t, c): references(session, t, c, subject.id) for t, c in rights.user_reference_columns()
    }
    assert after == before
    assert len(calls) == 4  # three steps had run and were undone
    pseudonym = pseudonymiser.user(subject.id)
    assert (
        session.exec(
            select(ErasureRecord).where(ErasureRecord.subject_pseudonym == pseudonym)
        ).all()
        == []
    )


def test_erasure_with_a_forgotten_table_rolls_back(session, people, pseudonymiser, monkeypatch):
    """If a table referencing the user were not registered, the database refuses to delete the
    user (ON DELETE RESTRICT) and nothing is erased."""
    subject, bystander = people
    seed_everything(session, subject, bystander)
    registry = dict(rights.PERSONAL_DATA)
    del registry[("accesslogentry", "actor_id")]
    monkeypatch.setattr(rights, "PERSONAL_DATA", registry)
    with pytest.raises((sa.exc.IntegrityError, rights.ErasureIncompleteError)):
        rights.erase(session, subject.id, pseudonymiser)
    assert references(session, "user", "id", subject.id) == 1
    assert references(session, "consentevent", "subject_id", subject.id) >= 1


# --- Requests and deadlines --------------------------------------------------------------------

CPH = rights.LOCAL_TZ


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 1, 31, 10, 0, tzinfo=CPH), date(2026, 2, 28)),
        (datetime(2028, 1, 31, 10, 0, tzinfo=CPH), date(2028, 2, 29)),  # leap year
        (datetime(2026, 1, 15, 10, 0, tzinfo=CPH), date(2026, 2, 15)),
        (datetime(2026, 3, 31, 10, 0, tzinfo=CPH), date(2026, 4, 30)),
        (datetime(2026, 12, 31, 10, 0, tzinfo=CPH), date(2027, 1, 31)),
        # 23:30 UTC on 31 January is already 1 February in Denmark.
        (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), date(2026, 3, 1)),
    ],
)
def test_one_month_deadline(received, due):
    assert rights.due_date(received) == due
    end = rights.due_at(received)
    assert end.tzinfo == UTC
    assert end.astimezone(CPH).date() == due
    assert (end + timedelta(microseconds=1)).astimezone(CPH).date() == due + timedelta(days=1)


def test_deadline_needs_an_aware_time():
    with pytest.raises(ValueError):
        rights.due_date(datetime(2026, 1, 31))


def test_requests_are_listed_by_deadline(session, make_user):
    people = [make_user(Role.JOBSEEKER) for _ in range(3)]
    early, late, done = (
        rights.register_request(
            session,
            subject_id=people[0].id,
            kind="access",
            received_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
        ),
        rights.register_request(
            session,
            subject_id=people[1].id,
            kind="export",
            received_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
        ),
        rights.register_request(
            session,
            subject_id=people[2].id,
            kind="rectification",
            received_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
        ),
    )
    session.commit()
    stored = session.get(DataSubjectRequest, late.id)
    assert stored.due_at == rights.due_at(datetime(2026, 5, 1, 9, tzinfo=UTC))
    rights.complete_request(session, done.id, note="Rettet")
    session.commit()
    ours = {p.id for p in people}
    listed = [r.id for r in rights.open_requests(session) if r.subject_id in ours]
    assert listed == [early.id, late.id]
    with pytest.raises(ValueError):
        rights.register_request(session, subject_id=people[0].id, kind="complaint")


def test_extension_by_two_months(session, make_user):
    person = make_user(Role.JOBSEEKER)
    received = datetime(2026, 1, 31, 10, tzinfo=CPH)
    request = rights.register_request(
        session, subject_id=person.id, kind="access", received_at=received
    )
    with pytest.raises(ValueError, match="too late"):
        rights.extend_deadline(session, request.id, now=datetime(2026, 3, 1, 12, tzinfo=CPH))
    extended = rights.extend_deadline(session, request.id, now=datetime(2026, 2, 10, tzinfo=CPH))
    assert extended.due_at.astimezone(CPH).date() == date(2026, 4, 30)
    with pytest.raises(ValueError, match="already"):
        rights.extend_deadline(session, request.id, now=datetime(2026, 2, 11, tzinfo=CPH))
