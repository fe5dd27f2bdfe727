"""The Alembic migrations: empty -> newest, down to nothing and up again, and in step with the
tables the adapter uses (autogenerate finds no difference)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.sqlalchemy.database import alembic_config
from clipnet.adapters.sqlalchemy.tables import metadata
from tests.builders import a_user
from tests.conftest import require_service
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database, sqlite_url

ALL_TABLES = {*metadata.tables, "alembic_version"}


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlDatabase]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path), upgrade=False) as db:
            yield db
    else:
        require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
        with postgres_schema_url() as url, sql_database(url, upgrade=False) as db:
            yield db


def table_names(db: SqlDatabase) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def differences(db: SqlDatabase) -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_an_empty_database_upgrades_to_the_newest_revision(empty_db: SqlDatabase) -> None:
    assert empty_db.current_revision() is None
    empty_db.upgrade()
    assert empty_db.current_revision() == SqlDatabase.head_revision()
    assert table_names(empty_db) == ALL_TABLES


def test_upgrading_an_upgraded_database_changes_nothing(empty_db: SqlDatabase) -> None:
    empty_db.upgrade()
    with empty_db.unit_of_work() as uow:
        uow.users.add(a_user())
        uow.commit()
    empty_db.upgrade()
    assert empty_db.current_revision() == SqlDatabase.head_revision()
    with empty_db.unit_of_work() as uow:
        assert uow.users.get("user-1").email == "user-1@example.com"


def test_downgrading_to_base_and_upgrading_again_restores_the_schema(
    empty_db: SqlDatabase,
) -> None:
    empty_db.upgrade()
    empty_db.downgrade("base")
    assert empty_db.current_revision() is None
    assert table_names(empty_db) == {"alembic_version"}
    empty_db.upgrade()
    assert table_names(empty_db) == ALL_TABLES
    assert differences(empty_db) == []


def test_every_revision_can_be_undone_and_redone_in_turn(empty_db: SqlDatabase) -> None:
    """The "stairway": each migration's downgrade really undoes its upgrade."""
    for revision in revisions_oldest_first():
        empty_db.upgrade(revision)
        empty_db.downgrade("-1")
        empty_db.upgrade(revision)
        assert empty_db.current_revision() == revision


def test_the_tables_and_the_migrations_agree(empty_db: SqlDatabase) -> None:
    empty_db.upgrade()
    assert differences(empty_db) == []


def test_the_migrations_ship_with_the_package() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [SqlDatabase.head_revision()], "one head: no branches"
    assert revisions_oldest_first()[0] == "0001"
