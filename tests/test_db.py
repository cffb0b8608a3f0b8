"""The database engine leaves no traces of erased data: SQLite overwrites deleted content
(``secure_delete``) and bound values never reach error messages or logs (``hide_parameters``)."""

import sqlite3
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from app.db import get_engine, get_session, make_engine, truncate_sqlite_wal
from app.models import Role, User


@pytest.fixture
def sqlite_build_default_off(monkeypatch):
    """Connections as from an SQLite built without SQLITE_SECURE_DELETE (Debian's library has it
    on; many others, macOS's and python.org's among them, do not), so the tests show what the
    engine itself sets."""
    connect = sqlite3.dbapi2.connect

    def connect_default_off(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect_default_off)


def test_secure_delete_is_on_for_the_apps_sessions(app: Flask, sqlite_build_default_off):
    with app.app_context():
        if get_engine().dialect.name != "sqlite":
            pytest.skip("secure_delete is a SQLite setting")
        get_engine().dispose()  # later connections come from the build above
        assert get_session().exec(text("PRAGMA secure_delete")).scalar_one() == 1


def engine_with_two_people(path: Path) -> tuple[Engine, str]:
    """A fresh SQLite file through ``make_engine`` with a table of two people; returns the
    engine and the unique name of the one the tests erase."""
    engine = make_engine(f"sqlite:///{path}")
    marker = f"Erased Person {uuid.uuid4().hex}"
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)"))
        connection.execute(text("INSERT INTO person (name) VALUES ('kept'), (:n)"), {"n": marker})
    return engine, marker


def test_deleted_rows_are_overwritten_in_the_sqlite_file(tmp_path, sqlite_build_default_off):
    """The deleted value is gone from the file's bytes, not only unreachable through SQL."""
    path = tmp_path / "erase.db"
    engine, marker = engine_with_two_people(path)
    with engine.begin() as connection:
        # The WAL is copied into the database file and emptied, so the marker lies in the file.
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    assert marker.encode() in path.read_bytes()
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM person WHERE name = :name"), {"name": marker})
    with engine.begin() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        assert connection.execute(text("SELECT count(*) FROM person")).scalar_one() == 1
    engine.dispose()
    assert marker.encode() not in path.read_bytes()


def test_erased_rows_leave_the_write_ahead_log_too(tmp_path, sqlite_build_default_off):
    """Until a checkpoint, the -wal file keeps the page as it was written before the delete."""
    path = tmp_path / "wal.db"
    wal = tmp_path / "wal.db-wal"
    engine, marker = engine_with_two_people(path)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM person WHERE name = :name"), {"name": marker})
    assert marker.encode() in wal.read_bytes()

    truncate_sqlite_wal(engine)

    assert marker.encode() not in path.read_bytes() + wal.read_bytes()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM person")).scalars().all() == ["kept"]
    engine.dispose()


def test_truncate_sqlite_wal_is_safe_on_the_suites_database(engine):
    truncate_sqlite_wal(engine)  # the suite's database, SQLite or PostgreSQL: never an error


def test_integrity_errors_do_not_show_bound_values(app: Flask):
    """A failed insert's message (which ends up in logs and error reports) names the statement,
    never the personal data bound to it."""
    email = f"hemmelig-{uuid.uuid4().hex[:8]}@example.dk"
    with app.app_context():
        session = get_session()
        session.add(User(role=Role.JOBSEEKER, name="Første Person", email=email))
        session.commit()
        session.add(User(role=Role.JOBSEEKER, name="Anden Person", email=email))
        with pytest.raises(IntegrityError) as caught:
            session.commit()
        session.rollback()
    message = str(caught.value)
    assert "INSERT INTO" in message  # the statement is still there to debug with
    assert email not in message
    assert "Anden Person" not in message


def test_self_service_erasure_leaves_no_copy_in_the_files(app: Flask, make_user, session):
    """The erasure service itself checkpoints the log: the erased name is in neither file."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the -wal file is SQLite's")
    from app.services import privacy

    marker = f"Slettes-{uuid.uuid4().hex}"
    user = make_user(Role.JOBSEEKER, name=marker)
    session.close()  # an open reader would hold the log back
    path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    assert marker.encode() in path.read_bytes() + Path(f"{path}-wal").read_bytes()
    with app.app_context():
        privacy.erase_person(session=get_session(), user_id=user.id, actor_role="jobseeker")
    wal = Path(f"{path}-wal")
    assert marker.encode() not in path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
