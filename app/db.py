"""Database engine and the per-request SQLModel session (flaskr's ``get_db`` pattern)."""

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys on and its folder created.

    Erased data must leave no traces: bound values (names, e-mail addresses, free text) never
    appear in error messages or logs (``hide_parameters``, and PostgreSQL's error detail, which
    repeats them, is dropped), and SQLite overwrites deleted content with zeros instead of
    leaving it in free pages of the file (``secure_delete``).
    """
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(  # pragma: no cover - driver hook
            dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
        ) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    else:

        @event.listens_for(engine, "handle_error")
        def _primary_message_only(  # pragma: no cover - driver hook
            context: ExceptionContext,
        ) -> None:
            # PostgreSQL's DETAIL quotes the values ("Key (email)=(...) already exists", "Failing
            # row contains (...)"): the message keeps only the primary text, which names the
            # constraint. The whole diagnosis stays on ``error.orig.diag`` for code that needs it.
            error = context.original_exception
            primary = getattr(getattr(error, "diag", None), "message_primary", None)
            if not primary:
                return
            full = str(error)
            error.args = (primary,)
            wrapped = context.sqlalchemy_exception  # its message was built from the full text
            if wrapped is not None and wrapped.args:
                wrapped.args = (str(wrapped.args[0]).replace(full, primary), *wrapped.args[1:])

    return engine


def truncate_sqlite_wal(engine: Engine) -> None:
    """On SQLite, copy the write-ahead log into the database file and truncate the log.

    ``secure_delete`` keeps deleted content out of the database file, but the ``-wal`` file still
    holds the page versions written before a delete until a checkpoint resets it. Erasure is to
    call this after its commit, so that erased rows leave no copy there either. Best effort
    (readers still open hold part of the log back); a no-op on other databases.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def init_app(app: Flask) -> None:
    """Bind an engine to the app and close the request's session at teardown."""
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Roll back anything uncommitted and close the session."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
