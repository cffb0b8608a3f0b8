"""What every table module shares: the constraint naming convention and the clock for timestamps.

Both table modules (``consent.models`` and ``app.models``) import this module before they define
a table. SQLAlchemy names a constraint when it is attached to its table, from the convention the
metadata holds at that moment, so the convention must be in place before the first table class
exists, whichever table module is imported first (Alembic compares these names with the
migrated schema).

It lives in ``consent`` because imports go one way, ``app`` → ``consent``: this is the lowest
place both table modules may import, and it needs no package of its own.
"""

from datetime import UTC, datetime

from sqlmodel import SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    """Current time, timezone-aware UTC (SQLModel stores and returns aware UTC)."""
    return datetime.now(UTC)
