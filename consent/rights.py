"""Data-subject rights: export (Art. 15/20), erasure (Art. 17), request deadlines (Art. 12(3))
and the retention purge (``consent.purposes.RETENTION``).

Everything is table-driven so nothing is forgotten. ``PERSONAL_DATA`` lists every (table,
column) that holds a user id pointing at the person the row is about; the application registers
its own tables at import time with ``register_personal_table`` (tables are named, never imported,
so this module does not depend on the application). A test walks ``SQLModel.metadata`` and fails
when a column referencing ``user.id`` is not registered.

Erasure deletes or anonymises every registered row in one transaction. What stays is
non-identifying: the person's consent events as pseudonymous tombstones (user ids cleared; the
purpose, decision, time and hash chain kept, so the ledger still verifies and still proves what
was consented to), one ledger event saying that an erasure happened and an ``ErasureRecord``,
all carrying the keyed pseudonym of the user id, plus the access-log rows and requests
(anonymised to the pseudonym), which the municipality must keep as security logs and as evidence
that the request was answered in time.
"""

import base64
import enum
import math
import uuid
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from consent import integrity, ledger
from consent.models import (
    ERASURE_PURPOSE_ID,
    OPEN_REQUEST_STATUSES,
    Channel,
    ConsentAction,
    ConsentEvent,
    DataSubjectRequest,
    ErasureRecord,
    RequestKind,
    RequestStatus,
    utcnow,
)
from consent.pseudonym import Pseudonymiser
from consent.purposes import DATA_CATEGORIES, RETENTION, RetentionRule

EraseMode = Literal["delete", "anonymise"]
LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
EXPORT_FORMAT = "jobunivers-personal-data/1"
USER_TABLE = "user"


class RegistryError(RuntimeError):
    """The personal-data registry does not match the database schema."""


class ErasureIncompleteError(RuntimeError):
    """After erasing, some row still referenced the person; everything was rolled back."""


@dataclass(frozen=True)
class PersonalTable:
    """One (table, column) holding the user id of the person a row is about or acted on.

    ``erase``: ``delete`` removes the rows; ``anonymise`` sets the column to NULL, clears the
    ``scrub`` columns and writes the pseudonym into ``pseudonym_column`` when there is one.
    ``redact``: columns left out of exports (secrets such as password hashes, and other people's
    identifiers in rows where the person is only the actor).
    """

    table: str
    subject_column: str
    category: str
    erase: EraseMode
    redact: tuple[str, ...] = ()
    scrub: tuple[str, ...] = ()
    pseudonym_column: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.subject_column}"


PERSONAL_DATA: dict[tuple[str, str], PersonalTable] = {}


def register_personal_table(
    table: str,
    subject_column: str,
    category: str,
    erase: EraseMode = "delete",
    *,
    redact: Sequence[str] = (),
    scrub: Sequence[str] = (),
    pseudonym_column: str | None = None,
) -> PersonalTable:
    """Register a table column holding a person's user id (idempotent for identical calls).

    ``category`` is a key of ``consent.purposes.DATA_CATEGORIES``. The table need not exist yet;
    it is checked against ``SQLModel.metadata`` when exporting or erasing.
    """
    if category not in DATA_CATEGORIES:
        raise ValueError(f"unknown data category {category!r}")
    if erase not in ("delete", "anonymise"):
        raise ValueError("erase must be 'delete' or 'anonymise'")
    entry = PersonalTable(
        table=table,
        subject_column=subject_column,
        category=category,
        erase=erase,
        redact=tuple(redact),
        scrub=tuple(scrub),
        pseudonym_column=pseudonym_column,
    )
    existing = PERSONAL_DATA.get((table, subject_column))
    if existing is not None and existing != entry:
        raise ValueError(f"{entry.key} is already registered differently: {existing}")
    PERSONAL_DATA[(table, subject_column)] = entry
    return entry


# The application's first tables, by name, and this module's own.
register_personal_table("user", "id", "identity", redact=("password_hash",))
register_personal_table("authsession", "user_id", "account", redact=("token_hash",))
register_personal_table("jobseekerprofile", "user_id", "cv")
register_personal_table("caseworkerassignment", "jobseeker_id", "case")
register_personal_table("caseworkerassignment", "caseworker_id", "case", redact=("jobseeker_id",))
# Consent events become tombstones: the database allows erasure to clear the user ids only.
register_personal_table("consentevent", "subject_id", "consent", "anonymise")
register_personal_table(
    "consentevent", "actor_id", "consent", "anonymise", redact=("subject_id", "subject_pseudonym")
)
register_personal_table(
    "accesslogentry", "subject_id", "access_log", "anonymise", pseudonym_column="subject_pseudonym"
)
register_personal_table(
    "accesslogentry",
    "actor_id",
    "access_log",
    "anonymise",
    redact=("subject_id", "subject_pseudonym"),
)
register_personal_table(
    "datasubjectrequest",
    "subject_id",
    "requests",
    "anonymise",
    scrub=("note",),
    pseudonym_column="subject_pseudonym",
)


# --- Resolving the registry against the schema ---------------------------------------------------


def _table(name: str) -> sa.Table:
    table = SQLModel.metadata.tables.get(name)
    if table is None:
        raise RegistryError(
            f"table {name!r} is registered as personal data but is not defined; "
            "import the application's models first"
        )
    return table


def _check_entry(entry: PersonalTable) -> sa.Table:
    table = _table(entry.table)
    names = set(table.columns.keys())
    wanted = {entry.subject_column, *entry.redact, *entry.scrub}
    if entry.pseudonym_column:
        wanted.add(entry.pseudonym_column)
    missing = wanted - names
    if missing:
        raise RegistryError(f"{entry.key}: no such columns {sorted(missing)}")
    if entry.erase == "anonymise":
        if not table.c[entry.subject_column].nullable:
            raise RegistryError(f"{entry.key}: cannot anonymise a NOT NULL column")
        for name in entry.scrub:
            column = table.c[name]
            if not column.nullable and not isinstance(column.type, sa.String):
                raise RegistryError(f"{entry.key}: cannot scrub {name!r} (NOT NULL, not text)")
    return table


def _ordered_entries() -> list[tuple[PersonalTable, sa.Table]]:
    """Registered entries, checked, in an order the foreign keys allow: dependent tables first,
    deletions before anonymisations within a table, the user table last."""
    position = {t.name: i for i, t in enumerate(SQLModel.metadata.sorted_tables)}
    checked = [(entry, _check_entry(entry)) for entry in PERSONAL_DATA.values()]
    checked.sort(key=lambda pair: (-position[pair[1].name], pair[0].erase != "delete", pair[0].key))
    return checked


def user_reference_columns() -> list[tuple[str, str]]:
    """Every (table, column) in the schema with a foreign key to ``user.id``."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == USER_TABLE for fk in column.foreign_keys):
                found.append((table.name, column.name))
    return found


def unregistered_user_references() -> list[str]:
    """Columns referencing ``user.id`` that are missing from ``PERSONAL_DATA`` (should be none)."""
    return [
        f"{table}.{column}"
        for table, column in user_reference_columns()
        if (table, column) not in PERSONAL_DATA
    ]


# --- Export ----------------------------------------------------------------------------------


def json_safe(value: Any) -> Any:
    """Convert a database value to plain JSON types (datetimes as ISO 8601 strings)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    return str(value)


def export(session: Session, subject_id: int, *, locale: str = "da") -> dict[str, Any]:
    """Everything stored about the person, as JSON-safe data (Art. 15 access, Art. 20 export).

    ``records`` has one entry per registered (table, column) with the rows in which the person
    is the subject or the actor; ledger, access log and requests are among them. Secrets and
    other people's identifiers (``redact``) are left out. ``consent_state`` is the state derived
    from the ledger.
    """
    session.flush()
    records = []
    for entry, table in sorted(_ordered_entries(), key=lambda pair: pair[0].key):
        hidden = set(entry.redact)
        shown = [c for c in table.columns if c.name not in hidden]
        statement = (
            sa.select(*shown)
            .where(table.c[entry.subject_column] == subject_id)
            .order_by(*table.primary_key.columns)
        )
        rows = [
            {name: json_safe(value) for name, value in row._mapping.items()}
            for row in session.connection().execute(statement)
        ]
        records.append(
            {
                "table": entry.table,
                "column": entry.subject_column,
                "category": entry.category,
                "category_label": DATA_CATEGORIES[entry.category].get(locale),
                "redacted_columns": sorted(hidden),
                "rows": rows,
            }
        )
    state = ledger.current_state(session, subject_id)
    return {
        "format": EXPORT_FORMAT,
        "subject_id": subject_id,
        "exported_at": utcnow().isoformat(),
        "records": records,
        "consent_state": {
            pid: {
                "status": s.status.value,
                "permitted": s.permitted,
                "legal_basis": s.legal_basis,
                "version": s.version,
                "current_version": s.current_version,
                "needs_renewal": s.needs_renewal,
                "since": json_safe(s.since),
            }
            for pid, s in state.items()
        },
    }


# --- Erasure ---------------------------------------------------------------------------------


def _apply(
    session: Session, entry: PersonalTable, table: sa.Table, subject_id: int, pseudonym: str
) -> int:
    """Erase one registered (table, column) for the person; returns the number of rows."""
    where = table.c[entry.subject_column] == subject_id
    statement: sa.Delete | sa.Update
    if entry.erase == "delete":
        statement = sa.delete(table).where(where)
    else:
        values: dict[str, Any] = {entry.subject_column: None}
        for name in entry.scrub:
            values[name] = None if table.c[name].nullable else ""
        if entry.pseudonym_column:
            values[entry.pseudonym_column] = pseudonym
        statement = sa.update(table).where(where).values(values)
    # Plain SQL on purpose: the ORM refuses to touch the ledger, and erasure is the one exception.
    result = session.exec(statement)
    return int(result.rowcount or 0)


def _remaining_references(session: Session, subject_id: int) -> list[str]:
    left = []
    for table_name, column_name in user_reference_columns():
        table = _table(table_name)
        count = (
            session.connection()
            .execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c[column_name] == subject_id)
            )
            .scalar_one()
        )
        if count:
            left.append(f"{table_name}.{column_name}")
    return left


def erase(
    session: Session,
    subject_id: int,
    pseudonymiser: Pseudonymiser,
    *,
    actor_id: int | None = None,
    actor_role: str = "system",
    channel: Channel | str = Channel.SYSTEM,
) -> ErasureRecord:
    """Erase the person everywhere in one transaction and return the ``ErasureRecord``.

    Commits on success. On any failure the whole transaction, including anything the caller
    had pending in ``session``, is rolled back and the error re-raised: a half-erased person is
    never committed. Open erasure requests of the person are marked completed.
    """
    pseudonym = pseudonymiser.user(subject_id)
    try:
        session.flush()
        entries = _ordered_entries()  # checks the whole registry before anything is touched
        open_erasures = list(
            session.exec(
                select(DataSubjectRequest.id).where(
                    DataSubjectRequest.subject_id == subject_id,
                    DataSubjectRequest.kind == RequestKind.ERASURE.value,
                    col(DataSubjectRequest.status).in_([s.value for s in OPEN_REQUEST_STATUSES]),
                )
            ).all()
        )
        counts: dict[str, int] = {}
        with integrity.erasure_window(session):
            for entry, table in entries:
                counts[entry.key] = _apply(session, entry, table, subject_id, pseudonym)
        left = _remaining_references(session, subject_id)
        if left:
            raise ErasureIncompleteError(f"rows still reference the person: {left}")
        now = utcnow()
        if open_erasures:
            requests = _table("datasubjectrequest")
            session.exec(
                sa.update(requests)
                .where(requests.c.id.in_(open_erasures))
                .values(status=RequestStatus.COMPLETED.value, completed_at=now)
            )
        session.add(
            ConsentEvent(
                subject_id=None,
                subject_pseudonym=pseudonym,
                purpose_id=ERASURE_PURPOSE_ID,
                purpose_version=0,
                action=ConsentAction.ERASED.value,
                at=now,
                channel=Channel(channel).value,
                actor_id=None if actor_id == subject_id else actor_id,
                actor_role=actor_role,
                actor_pseudonym=(
                    None
                    if actor_id is None or actor_id == subject_id
                    else pseudonymiser.user(actor_id)
                ),
            )
        )
        record = ErasureRecord(
            subject_pseudonym=pseudonym,
            erased_at=now,
            row_counts=counts,
            actor_role=actor_role,
            request_id=open_erasures[0] if open_erasures else None,
        )
        session.add(record)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    # Objects loaded before the erasure (the user, their profile) must not look alive.
    session.expire_all()
    return record


# --- Requests and deadlines ------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month if it is shorter.

    This is the rule for periods in months in Regulation (EEC, Euratom) No 1182/71, Art. 3(2)(c),
    which the EDPB applies to Art. 12(3): 31 January + 1 month = 28 February (29 in leap years).
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def due_date(received_at: datetime, months: int = 1) -> date:
    """The last day for answering a request received at ``received_at`` (Danish calendar day).

    Conservative on purpose: Regulation 1182/71 would move a deadline falling on a weekend or
    public holiday to the next working day; we do not, so the date shown is never too late.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    return add_months(received_at.astimezone(LOCAL_TZ).date(), months)


def due_at(received_at: datetime, months: int = 1) -> datetime:
    """The end (23:59:59.999999 Danish time) of ``due_date``, as aware UTC."""
    end = datetime.combine(due_date(received_at, months), time.max, tzinfo=LOCAL_TZ)
    return end.astimezone(UTC)


def register_request(
    session: Session,
    *,
    subject_id: int,
    kind: RequestKind | str,
    received_at: datetime | None = None,
    note: str = "",
) -> DataSubjectRequest:
    """Register a data-subject request with its one-month deadline (flushed, not committed)."""
    received = received_at or utcnow()
    request = DataSubjectRequest(
        subject_id=subject_id,
        kind=RequestKind(kind).value,
        received_at=received,
        due_at=due_at(received),
        note=note,
    )
    session.add(request)
    session.flush()
    return request


def extend_deadline(
    session: Session, request_id: int, *, now: datetime | None = None, note: str = ""
) -> DataSubjectRequest:
    """Extend by two further months (Art. 12(3)); only once, and only before the first deadline,
    because the person must be told about the extension within the first month."""
    request = session.get(DataSubjectRequest, request_id)
    if request is None:
        raise LookupError(f"no request {request_id}")
    now = now or utcnow()
    if request.extended_at is not None:
        raise ValueError("the deadline has already been extended")
    if request.status not in OPEN_REQUEST_STATUSES:
        raise ValueError("the request is closed")
    if now > request.due_at:
        raise ValueError("too late: an extension must be notified within the first month")
    request.due_at = due_at(request.received_at, 3)
    request.extended_at = now
    if note:
        request.note = f"{request.note}\n{note}".strip()
    session.add(request)
    session.flush()
    return request


def complete_request(
    session: Session,
    request_id: int,
    *,
    status: RequestStatus | str = RequestStatus.COMPLETED,
    note: str = "",
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Close a request as completed or rejected (flushed, not committed)."""
    final = RequestStatus(status)
    if final in OPEN_REQUEST_STATUSES:
        raise ValueError("a request is closed as completed or rejected")
    request = session.get(DataSubjectRequest, request_id)
    if request is None:
        raise LookupError(f"no request {request_id}")
    request.status = final.value
    request.completed_at = now or utcnow()
    if note:
        request.note = f"{request.note}\n{note}".strip()
    session.add(request)
    session.flush()
    return request


def open_requests(session: Session) -> list[DataSubjectRequest]:
    """Requests not yet answered, the most urgent first."""
    statement = (
        select(DataSubjectRequest)
        .where(col(DataSubjectRequest.status).in_([s.value for s in OPEN_REQUEST_STATUSES]))
        .order_by(col(DataSubjectRequest.due_at), col(DataSubjectRequest.id))
    )
    return list(session.exec(statement).all())


# --- Retention ---------------------------------------------------------------------------------


def _due_rows(rule: RetentionRule, table: sa.Table, now: datetime) -> sa.ColumnElement[bool]:
    """The condition selecting the rows of ``table`` that ``rule`` says are past retention."""
    cutoff = rule.period.cutoff(now)
    column = table.c[rule.column]
    if rule.anchor == "row":
        return column < cutoff
    if rule.anchor == "parent":
        assert rule.parent is not None, f"{rule.table}: a parent rule names its parent"
        parent_name, parent_column = rule.parent
        parent = _table(parent_name)
        return column.in_(sa.select(parent.c.id).where(parent.c[parent_column] < cutoff))
    return column.in_(_cases_closed_before(cutoff))


def _cases_closed_before(cutoff: datetime) -> sa.Select:
    """Jobseekers whose case closed before ``cutoff``: they had caseworker assignments and all of
    them ended, the last before ``cutoff``."""
    assignments = _table("caseworkerassignment")
    return (
        sa.select(assignments.c.jobseeker_id)
        .group_by(assignments.c.jobseeker_id)
        .having(sa.func.count() == sa.func.count(assignments.c.ended_at))
        .having(sa.func.max(assignments.c.ended_at) < cutoff)
    )


def due_for_erasure(session: Session, now: datetime) -> list[int]:
    """Ids of the people a ``by_erasure`` retention rule says must now be erased by ``erase``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    due: set[int] = set()
    for rule in RETENTION:
        if rule.by_erasure and rule.table in SQLModel.metadata.tables:
            table = SQLModel.metadata.tables[rule.table]
            due_rows = sa.select(table.c.id).where(_due_rows(rule, table, now))
            due.update(session.execute(due_rows).scalars())
    return sorted(due)


def retention_purge(session: Session, now: datetime) -> dict[str, int]:
    """Delete every row past its retention period (``consent.purposes.RETENTION``); rules that
    erase whole people are left to ``due_for_erasure`` and ``erase``.

    Returns the number of rows deleted per table; tables the schema does not define are
    skipped. Run from the scheduler; the caller commits.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    deleted: dict[str, int] = {}
    for rule in RETENTION:
        table = SQLModel.metadata.tables.get(rule.table)
        if table is None or rule.by_erasure:
            continue
        result = session.exec(sa.delete(table).where(_due_rows(rule, table, now)))
        deleted[rule.table] = deleted.get(rule.table, 0) + int(result.rowcount or 0)
    return deleted
