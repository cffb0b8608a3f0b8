"""Counts for the admin overview."""

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select


def table_counts(*, session: Session) -> dict[str, int]:
    """Number of rows in every table, by table name."""
    counts = {}
    for name, table in sorted(SQLModel.metadata.tables.items()):
        counts[name] = session.exec(select(func.count()).select_from(table)).one()
    return counts
