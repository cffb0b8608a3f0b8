"""Storing things once when the same request arrives twice at the same moment.

A double tap, a retried form or two browser tabs send identical requests that run side by side in
different workers. Reading "is it there already?" and then inserting is not enough: both readers
see nothing and both insert, and the loser's unique-constraint error would surface as a 500.
Two tools close that gap on SQLite and PostgreSQL alike:

- ``insert_once`` inserts with ``ON CONFLICT DO NOTHING``, so the database itself decides which
  request stores the row and the other simply learns that it was already there;
- ``lock_row`` serialises decisions that are not a single insert (a consent decision, an
  employer's answer, the last free seat) on one row until the transaction ends.
"""

from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, SQLModel, select


def dialect_insert(*, session: Session, table: Any) -> Any:
    """The database's own INSERT construct, which offers ``ON CONFLICT`` on both dialects."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"ON CONFLICT inserts are not supported on {dialect}")


def insert_once(
    *, session: Session, record: SQLModel, keys: tuple[str, ...], exclude: tuple[str, ...] = ("id",)
) -> bool:
    """Insert ``record`` unless a row with the same ``keys`` (a unique constraint) exists.

    Returns True when this call stored the row. Nothing is committed. On PostgreSQL a concurrent
    insert of the same key waits for the other transaction and then does nothing, so exactly one
    caller gets True. ``record`` itself is not added to the session; read the stored row back
    if you need it.
    """
    table = type(record).__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {
        column.name: getattr(record, column.name)
        for column in table.columns
        if column.name not in exclude
    }
    statement = dialect_insert(session=session, table=table)
    result = session.execute(
        statement.values(values).on_conflict_do_nothing(index_elements=list(keys))
    )
    return bool(cast(CursorResult, result).rowcount)


def lock_row(*, session: Session, model: type[SQLModel], row_id: int) -> Any | None:
    """Lock one row until the transaction ends and return it freshly read (None if it is gone).

    PostgreSQL takes a ``FOR NO KEY UPDATE`` row lock, which still lets other transactions insert
    rows that refer to this one. SQLite has no row locks; a write that changes nothing takes the
    database's write lock instead, and reads after it see every committed change. Either way a
    second request doing the same thing waits here and then sees what the first one stored.
    """
    if session.get_bind().dialect.name == "sqlite":
        table = model.__table__  # type: ignore[attr-defined]
        session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))
        statement = select(model).where(table.c.id == row_id)
    else:
        statement = (
            select(model)
            .where(model.__table__.c.id == row_id)  # type: ignore[attr-defined]
            .with_for_update(key_share=True)
        )
    return session.exec(statement.execution_options(populate_existing=True)).first()
