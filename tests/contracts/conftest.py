"""Fixtures that build each adapter of a port, so one contract suite runs against all of them.

To add an adapter, add its name to the fixture's ``params`` and a branch that builds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.ports.repositories import UnitOfWorkFactory
from tests.conftest import require_service
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace, redis_available
from tests.sql_databases import (
    empty_tables,
    postgres_available,
    postgres_schema_url,
    sql_database,
    sqlite_url,
)

REPOSITORY_BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture
def redis_namespace() -> Iterator[tuple[redis.Redis, str]]:
    """A client of the shared Redis and a key namespace of this test's own, deleted after."""
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_URL)
    namespace = fresh_namespace()
    yield client, namespace
    client.close()
    delete_namespace(namespace)


@pytest.fixture(scope="session")
def postgres_repositories() -> Iterator[SqlDatabase]:
    """One migrated PostgreSQL schema for the session (emptied before each test), then dropped."""
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with postgres_schema_url() as url, sql_database(url) as db:
        yield db


@pytest.fixture(params=REPOSITORY_BACKENDS)
def uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A fresh, empty database of each kind, as a unit-of-work factory."""
    if request.param == "memory":
        yield InMemoryDatabase().unit_of_work
    elif request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path)) as db:
            yield db.unit_of_work
    elif request.param == "postgres":
        db = request.getfixturevalue("postgres_repositories")
        empty_tables(db)
        yield db.unit_of_work
    else:  # pragma: no cover - a backend listed without a builder is a bug in this file
        raise AssertionError(f"no builder for repository backend {request.param!r}")
