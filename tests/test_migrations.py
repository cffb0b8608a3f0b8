"""Migrations on a fresh database: upgrade, downgrade to nothing, upgrade again, and the models
match the migrated schema (autogenerate finds no difference).

SQLite always runs; PostgreSQL runs in a throw-away database when the local server is reachable.
"""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401  - registers the portal's tables on SQLModel.metadata
from app.db import make_engine
from tests.conftest import alembic_config, pg_available

with contextlib.suppress(ImportError):  # the consent tables, once that package has models
    import consent.models  # noqa: F401

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path) -> Iterator[str]:
    """The URL of a brand-new, empty database, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not pg_available():
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
    name = f"jobunivers_mig_{uuid.uuid4().hex[:12]}"
    server = make_engine(f"{PG_SERVER}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def schema_differences(url: str) -> list:
    """What ``alembic revision --autogenerate`` would write, with the options of env.py."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_round_trip_and_no_autogenerate_difference(fresh_url):
    config = alembic_config(fresh_url)
    model_tables = set(SQLModel.metadata.tables)

    command.upgrade(config, "head")
    assert tables(fresh_url) == model_tables | {"alembic_version"}

    command.downgrade(config, "base")
    assert tables(fresh_url) <= {"alembic_version"}

    command.upgrade(config, "head")
    assert tables(fresh_url) == model_tables | {"alembic_version"}
    differences = schema_differences(fresh_url)
    assert differences == [], "models and migrations differ; write a migration:\n" + "\n".join(
        map(str, differences)
    )


def test_single_head():
    """Two heads mean two branches were merged without a merge migration."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, heads


def test_test_database_is_at_head(engine, database_url):
    """The suite's own database (SQLite or ``DATABASE_URL``) was built by the migrations."""
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
