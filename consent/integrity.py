"""Tamper evidence for the consent ledger: a hash chain, append-only triggers, and a verifier.

Two independent defences, because each covers what the other cannot:

* **Triggers** (created by migration 0006, the same rule on SQLite and PostgreSQL) refuse every
  ``DELETE`` of a ledger event (and ``TRUNCATE`` on PostgreSQL), and every ``UPDATE`` unless the
  erasure window is open. Inside the window an update may only clear ``subject_id`` and/or
  ``actor_id``; any other column changing is refused. The window is the ``erasure_open`` flag of
  the single ``consentledgerhead`` row: ``erasure_window`` sets it and clears it again inside the
  erasure routine's own transaction, so no other transaction ever sees it set (PostgreSQL reads
  committed data; SQLite lets one writer at a time in). One flag row works on both databases,
  which a PostgreSQL-only session setting (``SET LOCAL``) would not. The head row itself may not
  be deleted and its length never shrinks. Triggers stop bugs and bulk statements that bypass
  the ORM; they do not stop someone who can drop them.
* **The hash chain** catches what the triggers cannot: a change made with the triggers dropped
  or disabled. Each event stores its position ``seq``, the previous event's hash and its own
  ``event_hash`` = SHA-256 over a canonical JSON serialisation of the fields that must never
  change (``HASHED_FIELDS``). People appear in the hash only as keyed pseudonyms (HMAC-SHA256
  of the user id, key outside the database), never as user ids, so erasure can clear the ids
  and the tombstone still verifies, while identifying no one once the account is gone.
  ``verify`` recomputes every hash, checks every link and the head, and, given the pseudonym
  key, that each remaining user id still matches the pseudonym hashed with it (so an event
  cannot be moved to another person). It names the first broken link.

Appends never fork the chain: ``link`` (run for every flush that adds events, see
``consent.models``) first updates the head row, which takes its row lock on PostgreSQL and the
write lock on SQLite, so concurrent appends queue; ``seq`` is unique as a last line of defence.

Limits: a plain hash chain can be rewritten from the first changed event onwards by someone who
knows this format and can write to the database; ``verify`` prints the head hash so that it can
be recorded outside the database (the scheduler logs it daily), which exposes such a rewrite.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from consent.models import ConsentEvent, ConsentLedgerHead
from consent.pseudonym import Pseudonymiser

FORMAT = "jobunivers-consent-ledger/1"
GENESIS = "0" * 64  # the "previous hash" of the first event
HEAD_ID = 1
# What an event proves, and therefore what may never change. User ids are deliberately absent.
HASHED_FIELDS = (
    "seq",
    "prev_hash",
    "subject_pseudonym",
    "actor_pseudonym",
    "purpose_id",
    "purpose_version",
    "action",
    "at",
    "channel",
    "actor_role",
)
# The triggers migration 0006 creates, by dialect (checked by ``verify``).
TRIGGERS: Mapping[str, frozenset[str]] = {
    "sqlite": frozenset(
        {
            "consentevent_no_delete",
            "consentevent_append_only",
            "consentevent_tombstone_only",
            "consentledgerhead_no_delete",
            "consentledgerhead_forward_only",
        }
    ),
    "postgresql": frozenset(
        {
            "consentevent_append_only",
            "consentevent_no_truncate",
            "consentledgerhead_forward_only",
        }
    ),
}

_EVENTS = ConsentEvent.__table__  # type: ignore[attr-defined]
_HEAD = ConsentLedgerHead.__table__  # type: ignore[attr-defined]


class LedgerIntegrityError(RuntimeError):
    """The ledger cannot be appended to safely (e.g. its head row is gone but events remain)."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        # Naive values only come from raw reads of SQLite, which stores UTC without an offset.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def canonical(values: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is computed over: ``HASHED_FIELDS`` as compact, sorted JSON."""
    material = {name: _plain(values[name]) for name in HASHED_FIELDS}
    material["format"] = FORMAT
    return json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical form of an event's hashed fields."""
    return hashlib.sha256(canonical(values)).hexdigest()


def _fields_of(event: ConsentEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _lock_head(connection: Connection) -> tuple[int, str]:
    """Take the head row's lock (a write, so SQLite's writer lock too) and read it.

    A missing head row is recreated only for an empty ledger (a freshly emptied database);
    with events present that would restart the chain, so it is refused.
    """
    lock = sa.update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(length=_HEAD.c.length)
    if not connection.execute(lock).rowcount:
        # Concurrent first appends may race to create it: one insert wins, all then lock it.
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(
            insert(_HEAD)
            .values(id=HEAD_ID, length=0, last_hash=GENESIS, erasure_open=False)
            .on_conflict_do_nothing()
        )
        connection.execute(lock)
    length, last_hash = connection.execute(
        sa.select(_HEAD.c.length, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID)
    ).one()
    if not length and connection.execute(sa.select(sa.func.count()).select_from(_EVENTS)).scalar():
        raise LedgerIntegrityError(
            "the consent ledger's head row was lost while events remain; run `flask consent verify`"
        )
    return int(length), str(last_hash)


def link(session: Session, events: Iterable[ConsentEvent]) -> None:
    """Give new events their place in the chain (position, previous hash, own hash).

    Called from the ``before_flush`` hook in ``consent.models``; events are chained in the order
    they were added to the session, which is also the order the flush inserts them.
    """
    pending = sorted(events, key=lambda event: sa.inspect(event).insert_order)
    connection = session.connection()
    length, last_hash = _lock_head(connection)
    for event in pending:
        length += 1
        event.seq = length
        event.prev_hash = last_hash
        event.event_hash = last_hash = event_hash(_fields_of(event))
    connection.execute(
        sa.update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(length=length, last_hash=last_hash)
    )


@contextmanager
def erasure_window(session: Session) -> Iterator[None]:
    """Let the enclosed statements clear user ids in ledger events (and nothing else).

    Only ``consent.rights.erase`` uses this. The window opens and closes inside the caller's
    transaction; if the body raises, the caller rolls back and the flag with it.
    """
    connection = session.connection()
    _lock_head(connection)
    connection.execute(sa.update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(erasure_open=True))
    yield
    connection.execute(sa.update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(erasure_open=False))


# --- Verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the ledger; ``event_id`` is None for problems of the whole ledger."""

    message: str
    event_id: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        if self.event_id is None:
            return self.message
        return f"event {self.event_id} (position {self.seq}): {self.message}"


@dataclass(frozen=True)
class Report:
    """The outcome of ``verify``: how many events were checked and what is wrong, in order."""

    events: int
    head_hash: str
    problems: Sequence[Problem] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken(self) -> Problem | None:
        """The first broken link in chain order (chain problems come before ledger-wide ones)."""
        return self.problems[0] if self.problems else None


def installed_triggers(connection: Connection) -> set[str]:
    """Names of the enabled triggers on the ledger tables."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            sa.text(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN ('consentevent'::regclass, 'consentledgerhead'::regclass)"
            )
        )
    else:
        rows = connection.execute(
            sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('consentevent', 'consentledgerhead')"
            )
        )
    return {str(name) for (name,) in rows}


def verify(session: Session, pseudonymiser: Pseudonymiser | None = None) -> Report:
    """Check the whole chain in order; read-only.

    Reports, in this order: per event (first broken link first) a position out of sequence (an
    event missing or inserted before it), a previous-hash mismatch (the event before it changed
    or is gone), a content change (its own hash no longer matches), and with ``pseudonymiser`` a
    user id that does not belong to the pseudonym in the hash; then ledger-wide problems: the
    head row disagreeing with the last event (events cut off the end), an erasure window left
    open, and missing or disabled triggers.
    """
    connection = session.connection()
    problems: list[Problem] = []
    expected_seq, expected_prev, count = 1, GENESIS, 0
    rows = connection.execute(
        sa.select(_EVENTS).order_by(_EVENTS.c.seq, _EVENTS.c.id).execution_options(yield_per=1000)
    )
    for row in rows.mappings():
        count += 1
        where = {"event_id": row["id"], "seq": row["seq"]}
        if row["seq"] != expected_seq:
            why = (
                "an event before it is missing"
                if row["seq"] > expected_seq
                else "it repeats an earlier position"
            )
            problems.append(Problem(f"expected position {expected_seq}: {why}", **where))
        if row["prev_hash"] != expected_prev:
            problems.append(
                Problem("does not link to the event before it (changed or removed)", **where)
            )
        if event_hash(dict(row)) != row["event_hash"]:
            problems.append(Problem("its content changed after it was recorded", **where))
        if pseudonymiser is not None:
            for id_column, pseudonym_column in (
                ("subject_id", "subject_pseudonym"),
                ("actor_id", "actor_pseudonym"),
            ):
                user_id, pseudonym = row[id_column], row[pseudonym_column]
                # Events from before the chain carry no actor pseudonym: nothing to compare.
                if (
                    user_id is not None
                    and pseudonym is not None
                    and pseudonymiser.user(int(user_id)) != pseudonym
                ):
                    problems.append(
                        Problem(f"{id_column} does not match the hashed pseudonym", **where)
                    )
        expected_seq, expected_prev = row["seq"] + 1, row["event_hash"]
    head = connection.execute(sa.select(_HEAD).where(_HEAD.c.id == HEAD_ID)).mappings().first()
    if head is None:
        if count:
            problems.append(Problem("the ledger head row is missing"))
    else:
        if (head["length"], head["last_hash"]) != (expected_seq - 1, expected_prev):
            problems.append(
                Problem(
                    f"the ledger head records {head['length']} events ending in "
                    f"{head['last_hash'][:12]}…, the table ends at position {expected_seq - 1} "
                    f"({expected_prev[:12]}…): events were removed from the end or the head "
                    "was changed"
                )
            )
        if head["erasure_open"]:
            problems.append(Problem("the erasure window was left open"))
    missing = TRIGGERS.get(connection.dialect.name, frozenset()) - installed_triggers(connection)
    if missing:
        problems.append(Problem(f"append-only triggers missing or disabled: {sorted(missing)}"))
    return Report(events=count, head_hash=expected_prev, problems=tuple(problems))
