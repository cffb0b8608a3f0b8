"""consent ledger: hash chain and append-only triggers

Adds the chain columns to ``consentevent`` (position, previous hash, own hash, and the actor's
pseudonym), links the existing events in id order, creates the ``consentledgerhead`` row and the
triggers that refuse UPDATE and DELETE outside erasure (see ``consent/integrity.py``).

Events recorded before this migration get no actor pseudonym (the key is not available here);
their hash covers that empty value, so they verify, but who recorded them is not provable.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 03:00:00

"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
# A frozen copy of format 1 of consent.integrity.canonical: migrations must not change meaning
# when the application code does (tests check that both give the same hashes).
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


def _hash(values: dict) -> str:
    material = {}
    for name in HASHED_FIELDS:
        value = values[name]
        if isinstance(value, datetime):
            value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        material[name] = value
    material["format"] = "jobunivers-consent-ledger/1"
    encoded = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


SQLITE_FROZEN = " OR ".join(
    f"NEW.{name} IS NOT OLD.{name}"
    for name in (
        "id",
        "seq",
        "prev_hash",
        "event_hash",
        "subject_pseudonym",
        "actor_pseudonym",
        "purpose_id",
        "purpose_version",
        "action",
        "at",
        "channel",
        "actor_role",
    )
)
WINDOW_OPEN_SQLITE = "COALESCE((SELECT erasure_open FROM consentledgerhead WHERE id = 1), 0)"

SQLITE_TRIGGERS = (
    """CREATE TRIGGER consentevent_no_delete BEFORE DELETE ON consentevent
BEGIN
    SELECT RAISE(ABORT, 'consentevent is append-only: events are never deleted');
END""",
    f"""CREATE TRIGGER consentevent_append_only BEFORE UPDATE ON consentevent
WHEN NOT {WINDOW_OPEN_SQLITE}
BEGIN
    SELECT RAISE(ABORT, 'consentevent is append-only: record a new event instead');
END""",
    f"""CREATE TRIGGER consentevent_tombstone_only BEFORE UPDATE ON consentevent
WHEN {WINDOW_OPEN_SQLITE} AND ({SQLITE_FROZEN}
    OR (NEW.subject_id IS NOT NULL AND NEW.subject_id IS NOT OLD.subject_id)
    OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id))
BEGIN
    SELECT RAISE(ABORT, 'erasure may only clear the user ids of consent events');
END""",
    """CREATE TRIGGER consentledgerhead_no_delete BEFORE DELETE ON consentledgerhead
BEGIN
    SELECT RAISE(ABORT, 'the consent ledger head is never deleted');
END""",
    """CREATE TRIGGER consentledgerhead_forward_only BEFORE UPDATE ON consentledgerhead
WHEN NEW.id IS NOT OLD.id OR NEW.length < OLD.length
    OR (NEW.length = OLD.length AND NEW.last_hash IS NOT OLD.last_hash)
BEGIN
    SELECT RAISE(ABORT, 'the consent ledger head only moves forward');
END""",
)

POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION consentevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'consentevent is append-only: events are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NOT COALESCE((SELECT erasure_open FROM consentledgerhead WHERE id = 1), false) THEN
        RAISE EXCEPTION 'consentevent is append-only: record a new event instead'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.subject_id IS NOT NULL AND NEW.subject_id IS DISTINCT FROM OLD.subject_id)
        OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
        OR (to_jsonb(NEW) - 'subject_id' - 'actor_id')
            IS DISTINCT FROM (to_jsonb(OLD) - 'subject_id' - 'actor_id') THEN
        RAISE EXCEPTION 'erasure may only clear the user ids of consent events'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$""",
    """CREATE TRIGGER consentevent_append_only BEFORE UPDATE OR DELETE ON consentevent
FOR EACH ROW EXECUTE FUNCTION consentevent_append_only()""",
    """CREATE TRIGGER consentevent_no_truncate BEFORE TRUNCATE ON consentevent
FOR EACH STATEMENT EXECUTE FUNCTION consentevent_append_only()""",
    """CREATE FUNCTION consentledgerhead_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the consent ledger head is never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.id <> OLD.id OR NEW.length < OLD.length
        OR (NEW.length = OLD.length AND NEW.last_hash IS DISTINCT FROM OLD.last_hash) THEN
        RAISE EXCEPTION 'the consent ledger head only moves forward'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$""",
    """CREATE TRIGGER consentledgerhead_forward_only BEFORE UPDATE OR DELETE ON consentledgerhead
FOR EACH ROW EXECUTE FUNCTION consentledgerhead_forward_only()""",
)

POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS consentledgerhead_forward_only ON consentledgerhead",
    "DROP FUNCTION IF EXISTS consentledgerhead_forward_only()",
    "DROP TRIGGER IF EXISTS consentevent_no_truncate ON consentevent",
    "DROP TRIGGER IF EXISTS consentevent_append_only ON consentevent",
    "DROP FUNCTION IF EXISTS consentevent_append_only()",
)
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "consentledgerhead_forward_only",
        "consentledgerhead_no_delete",
        "consentevent_tombstone_only",
        "consentevent_append_only",
        "consentevent_no_delete",
    )
)


def _backfill() -> tuple[int, str]:
    """Link the existing events in id order; returns the chain's length and last hash."""
    events = sa.table(
        "consentevent",
        sa.column("id", sa.Integer()),
        sa.column("subject_pseudonym", sa.String()),
        sa.column("actor_pseudonym", sa.String()),
        sa.column("purpose_id", sa.String()),
        sa.column("purpose_version", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("channel", sa.String()),
        sa.column("actor_role", sa.String()),
        sa.column("seq", sa.Integer()),
        sa.column("prev_hash", sa.String()),
        sa.column("event_hash", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    length, last_hash = 0, GENESIS
    for row in rows:
        length += 1
        values = dict(row) | {"seq": length, "prev_hash": last_hash}
        own = _hash(values)
        connection.execute(
            sa.update(events)
            .where(events.c.id == row["id"])
            .values(seq=length, prev_hash=last_hash, event_hash=own)
        )
        last_hash = own
    return length, last_hash


def upgrade() -> None:
    with op.batch_alter_table("consentevent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("actor_pseudonym", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("event_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    length, last_hash = _backfill()
    with op.batch_alter_table("consentevent", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "prev_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.alter_column(
            "event_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_consentevent_seq"), ["seq"])

    head = op.create_table(
        "consentledgerhead",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("erasure_open", sa.Boolean(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_consentledgerhead_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consentledgerhead")),
    )
    op.bulk_insert(
        head, [{"id": 1, "length": length, "last_hash": last_hash, "erasure_open": False}]
    )

    statements = (
        POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    drops = POSTGRESQL_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP
    for statement in drops:
        op.execute(statement)
    op.drop_table("consentledgerhead")
    with op.batch_alter_table("consentevent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_consentevent_seq"), type_="unique")
        batch_op.drop_column("event_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("actor_pseudonym")
