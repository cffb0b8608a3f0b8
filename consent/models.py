"""Tables of the consent module: the consent ledger, the access log, data-subject requests and
erasure records.

The consent ledger (``ConsentEvent``) is append-only: the state of a person's consents and
objections is derived from the events, never stored or updated in place. Every event is linked
into a hash chain when it is flushed (``consent.integrity``), and database triggers refuse to
update or delete a ledger row (migration 0006); the ORM refuses as well, with a clearer error.
The single exception is erasure (``consent.rights.erase``), which turns the person's events into
pseudonymous tombstones by clearing their user ids, and nothing else.

Foreign keys to ``user.id`` are ``ON DELETE RESTRICT``: a person can only disappear through
``consent.rights.erase``, which clears these rows first and leaves pseudonymised traces where the
law wants them kept. The user table is referred to by name, so this module does not import the
Flask application.
"""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Connection, Text, event
from sqlalchemy.orm import Mapper, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

# Imported before any table is defined: the shared naming convention must already be in place.
from consent.schema import utcnow


def _one_of(column: str, values: type[StrEnum]) -> str:
    """SQL for a CHECK constraint limiting ``column`` to the members of ``values``."""
    quoted = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({quoted})"


class ConsentAction(StrEnum):
    """What a ledger event says.

    ``grant``/``withdraw`` apply to consent purposes (Art. 6(1)(a)); ``object`` (Art. 21),
    ``opt_out`` (of algorithmic processing) and ``opt_in`` (lifting an objection or opt-out)
    apply to public-authority purposes (Art. 6(1)(e)). ``erased`` is written only by erasure.
    """

    GRANT = "grant"
    WITHDRAW = "withdraw"
    OBJECT = "object"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    ERASED = "erased"


class Channel(StrEnum):
    """How a consent decision reached us."""

    WEB = "web"
    API = "api"
    CASEWORKER = "caseworker"
    PAPER = "paper"
    SYSTEM = "system"


class AccessVia(StrEnum):
    """Through what personal data was read."""

    WEB = "web"
    API = "api"
    JOB = "job"


class AccessOutcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"


class RequestKind(StrEnum):
    """Data-subject requests (GDPR Art. 15, 20, 16, 17, 21)."""

    ACCESS = "access"
    EXPORT = "export"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    OBJECTION = "objection"


class RequestStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)
ERASURE_PURPOSE_ID = "*"  # purpose_id of the ledger event that records an erasure


class ConsentEvent(SQLModel, table=True):
    """One decision in the append-only consent ledger.

    ``subject_pseudonym`` and ``actor_pseudonym`` (keyed HMACs of the user ids) are written with
    every event and covered by its hash; the user ids are not, so erasure can clear them and the
    tombstone still proves that a decision on that purpose was made, when, and by which (now
    unknown) person. ``seq``, ``prev_hash`` and ``event_hash`` are filled in at flush time by
    ``consent.integrity``; callers never set them.
    """

    __table_args__ = (
        CheckConstraint(_one_of("action", ConsentAction), name="action"),
        CheckConstraint(_one_of("channel", Channel), name="channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="RESTRICT"
    )
    subject_pseudonym: str = Field(max_length=64, index=True)
    purpose_id: str = Field(max_length=40, index=True)
    purpose_version: int
    action: str = Field(max_length=10)
    at: datetime = Field(default_factory=utcnow)
    channel: str = Field(max_length=12)
    actor_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="RESTRICT"
    )
    actor_role: str = Field(max_length=20)
    # Empty for events recorded before the hash chain existed (migration 0006), and when no
    # person recorded the event.
    actor_pseudonym: str | None = Field(default=None, max_length=64)
    seq: int | None = Field(default=None, nullable=False, unique=True)
    prev_hash: str | None = Field(default=None, nullable=False, max_length=64)
    event_hash: str | None = Field(default=None, nullable=False, max_length=64)


class ConsentLedgerHead(SQLModel, table=True):
    """The end of the consent ledger's hash chain: a single row (id 1).

    Appends lock and update it, which serialises them on every database; ``length`` and
    ``last_hash`` let ``consent.integrity.verify`` notice events cut off the end of the chain.
    ``erasure_open`` is true only inside the erasure routine's own transaction: the ledger's
    triggers read it to allow the one kind of update erasure makes.
    """

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    length: int = Field(default=0)
    last_hash: str = Field(max_length=64)
    erasure_open: bool = Field(default=False)


class AccessLogEntry(SQLModel, table=True):
    """Who read whose personal data, why, and whether it was allowed (kept 183 days)."""

    __table_args__ = (
        CheckConstraint(_one_of("outcome", AccessOutcome), name="outcome"),
        CheckConstraint(_one_of("via", AccessVia), name="via"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    subject_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="RESTRICT"
    )
    # Filled in only when the subject is erased: the log is kept for its retention period.
    subject_pseudonym: str | None = Field(default=None, max_length=64)
    actor_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="RESTRICT"
    )
    actor_role: str = Field(max_length=20)
    actor_organisation: str | None = Field(default=None, max_length=160)
    data_categories: list[str] = Field(default_factory=list, sa_type=JSON)
    purpose_id: str = Field(max_length=40)
    outcome: str = Field(max_length=10)
    via: str = Field(max_length=10)
    reason: str | None = Field(default=None, max_length=40)


class DataSubjectRequest(SQLModel, table=True):
    """A request under GDPR Art. 15-21, answered within one month of receipt (Art. 12(3))."""

    __table_args__ = (
        CheckConstraint(_one_of("kind", RequestKind), name="kind"),
        CheckConstraint(_one_of("status", RequestStatus), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="RESTRICT"
    )
    subject_pseudonym: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=16)
    received_at: datetime = Field(default_factory=utcnow)
    due_at: datetime = Field(index=True)
    extended_at: datetime | None = None
    status: str = Field(default=RequestStatus.RECEIVED.value, max_length=12)
    completed_at: datetime | None = None
    note: str = Field(default="", sa_type=Text)


class ErasureRecord(SQLModel, table=True):
    """Proof that a person was erased: pseudonym, time and row counts, nothing identifying."""

    id: int | None = Field(default=None, primary_key=True)
    subject_pseudonym: str = Field(max_length=64, index=True)
    erased_at: datetime = Field(default_factory=utcnow)
    row_counts: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    actor_role: str = Field(max_length=20)
    request_id: int | None = Field(
        default=None, foreign_key="datasubjectrequest.id", ondelete="SET NULL"
    )


class LedgerImmutableError(RuntimeError):
    """Raised when code tries to change or delete a consent event through the ORM."""


@event.listens_for(OrmSession, "before_flush")
def _link_appended_events(
    session: OrmSession, _context: UOWTransaction, _instances: Sequence[Any] | None
) -> None:
    # Every session (SQLModel's included) links new events into the chain before they are
    # written, whoever created them; bulk inserts that bypass this fail on the NOT NULL columns.
    appended = [obj for obj in session.new if isinstance(obj, ConsentEvent)]
    if appended:
        from consent import integrity  # imported here: integrity imports this module

        integrity.link(session, appended)


@event.listens_for(ConsentEvent, "before_update")
def _refuse_update(_mapper: Mapper[Any], _connection: Connection, target: ConsentEvent) -> None:
    raise LedgerImmutableError(
        f"consent event {target.id} is append-only; record a new event instead"
    )


@event.listens_for(ConsentEvent, "before_delete")
def _refuse_delete(_mapper: Mapper[Any], _connection: Connection, target: ConsentEvent) -> None:
    raise LedgerImmutableError(
        f"consent event {target.id} is append-only; only consent.rights.erase removes events"
    )
