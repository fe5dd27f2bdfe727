"""The upload-session ledger's contract, on memory, SQLite and PostgreSQL: what one worker keeps
under a post's key, another worker finds, and a new session replaces the expired one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clipnet.adapters.memory.platforms import InMemoryUploadSessions
from clipnet.adapters.sqlalchemy.upload_sessions import SqlUploadSessions
from clipnet.ports.publisher import UploadSessions
from tests.sql_databases import empty_tables, sql_database, sqlite_url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UploadSessions]:
    if request.param == "memory":
        yield InMemoryUploadSessions()
    elif request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path)) as db:
            yield SqlUploadSessions(db)
    else:
        db = request.getfixturevalue("postgres_repositories")
        empty_tables(db)
        yield SqlUploadSessions(db)


def test_a_kept_session_is_found_under_its_key_only(sessions: UploadSessions) -> None:
    assert sessions.session_for("post:youtube:clip-1") is None
    sessions.remember_session("post:youtube:clip-1", "https://upload.example/?upload_id=s1")
    assert sessions.session_for("post:youtube:clip-1") == "https://upload.example/?upload_id=s1"
    assert sessions.session_for("post:youtube:clip-2") is None


def test_a_new_session_replaces_the_one_before(sessions: UploadSessions) -> None:
    sessions.remember_session("k", "https://upload.example/?upload_id=s1")
    sessions.remember_session("k", "https://upload.example/?upload_id=s2")
    assert sessions.session_for("k") == "https://upload.example/?upload_id=s2"
