"""The SQL database as an operator meets it: URLs, first use, constraints, clear errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from clipnet.adapters.crypto import FernetSecretBox
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.sqlalchemy import DatabaseUnavailable, SqlDatabase
from clipnet.adapters.sqlalchemy.rows import clip_to_row, job_to_row, vote_to_row
from clipnet.adapters.sqlalchemy.tables import clips, jobs, votes
from clipnet.container import Container
from clipnet.domain.clipbot.model import Direction, Vote
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.cli import app
from clipnet.settings import load_settings
from tests.builders import T0, a_clip, a_job, a_source, a_user
from tests.conftest import require_service
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database, sqlite_url

UNREACHABLE = "postgresql+psycopg://clipnet:hunter2@127.0.0.1:1/clipnet"


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlDatabase]:
    if request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path)) as database:
            yield database
    else:
        require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
        with postgres_schema_url() as url, sql_database(url) as database:
            yield database


@pytest.fixture
def postgres_url() -> Iterator[str]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with postgres_schema_url() as url:
        yield url


# -- reaching the database -----------------------------------------------------------------------


def test_an_unreachable_server_is_one_line_naming_the_host_without_the_password() -> None:
    db = SqlDatabase(UNREACHABLE, FernetSecretBox.ephemeral(), connect_timeout=1)
    with pytest.raises(DatabaseUnavailable) as raised, db.unit_of_work() as uow:
        uow.clips.get("clip-1")
    message = str(raised.value)
    assert "127.0.0.1:1/clipnet" in message
    assert "hunter2" not in message
    assert "\n" not in message


def test_the_cli_reports_an_unreachable_database_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLIPNET_DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("CLIPNET_DATABASE_CONNECT_TIMEOUT", "1")
    result = CliRunner().invoke(app, ["db", "current"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()], (
        "exactly one line, no traceback"
    )
    assert "127.0.0.1:1/clipnet is unavailable" in result.output
    assert "hunter2" not in result.output


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("sqlite://", "in-memory SQLite"),
        ("sqlite:///:memory:", "in-memory SQLite"),
        ("mysql://db/clipnet", "unsupported database"),
        ("not a url", "not a database URL"),
    ],
)
def test_a_url_no_adapter_can_open_is_refused_with_a_reason(url: str, complaint: str) -> None:
    with pytest.raises(DatabaseUnavailable, match=complaint):
        SqlDatabase(url, FernetSecretBox.ephemeral())


def test_a_plain_postgres_url_means_psycopg_3() -> None:
    db = SqlDatabase("postgres://u@db.internal:6543/clips", FernetSecretBox.ephemeral())
    assert db.engine.url.drivername == "postgresql+psycopg"
    assert db.where == "db.internal:6543/clips"


def test_a_server_database_without_the_schema_asks_for_an_upgrade(postgres_url: str) -> None:
    with (
        sql_database(postgres_url, upgrade=False) as db,
        pytest.raises(DatabaseUnavailable, match="run `clipnet db upgrade`"),
        db.unit_of_work() as uow,
    ):
        uow.jobs.recent()


# -- the embedded default ------------------------------------------------------------------------


def test_the_embedded_profile_creates_and_migrates_its_file_on_first_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "fresh" / "clipnet"
    monkeypatch.delenv("CLIPNET_DATABASE_URL", raising=False)
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(data_dir))
    db = Container(settings=load_settings()).database()
    assert isinstance(db, SqlDatabase)
    with db.unit_of_work() as uow:
        assert uow.jobs.recent() == []
    assert (data_dir / "clipnet.db").is_file()
    assert db.current_revision() == SqlDatabase.head_revision()
    db.dispose()


def test_a_memory_url_still_selects_the_in_memory_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLIPNET_DATABASE_URL", "memory://")
    assert isinstance(Container(settings=load_settings()).database(), InMemoryDatabase)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with sql_database(sqlite_url(tmp_path)) as db, db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_the_cli_upgrade_is_idempotent_and_current_names_the_revision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CLIPNET_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert "is empty" in runner.invoke(app, ["db", "current"]).output
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
    current = runner.invoke(app, ["db", "current"])
    assert f"at revision {SqlDatabase.head_revision()}, the newest" in current.output


# -- what the database itself guarantees ---------------------------------------------------------


def seed(db: SqlDatabase) -> None:
    with db.unit_of_work() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.clips.add(a_clip())
        uow.commit()


def raw_insert(db: SqlDatabase, table: sa.Table, **row: object) -> None:
    with db.engine.begin() as connection:
        connection.execute(table.insert().values(row))


@pytest.mark.parametrize(("start", "end"), [(-1.0, 5.0), (5.0, 5.0), (9.0, 3.0)])
def test_the_database_refuses_an_invalid_span_written_behind_the_domain(
    db: SqlDatabase, start: float, end: float
) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        raw_insert(db, clips, **{**clip_to_row(a_clip()), "span_start": start, "span_end": end})


def test_the_database_refuses_a_second_vote_by_the_same_voter(db: SqlDatabase) -> None:
    seed(db)
    vote = Vote("clip-1", Platform.TWITCH, "alice", Direction.UP, T0)
    raw_insert(db, votes, **vote_to_row(vote))
    with pytest.raises(sa.exc.IntegrityError):
        raw_insert(db, votes, **vote_to_row(attrs.evolve(vote, direction=Direction.DOWN)))


def test_the_database_refuses_a_second_job_with_the_same_key(db: SqlDatabase) -> None:
    raw_insert(db, jobs, **job_to_row(a_job("job-1", key="k")))
    with pytest.raises(sa.exc.IntegrityError):
        raw_insert(db, jobs, **job_to_row(a_job("job-2", key="k")))


def test_two_racing_enqueues_with_one_key_both_get_the_first_job(db: SqlDatabase) -> None:
    ready = threading.Barrier(2, timeout=30)

    def enqueue(n: int) -> str:
        with db.unit_of_work() as uow:
            ready.wait()
            job = uow.jobs.add(a_job(f"job-{n}", key="clip:process:clip-1:1"))
            uow.commit()
            return job.id

    with ThreadPoolExecutor(2) as pool:
        ids = list(pool.map(enqueue, range(2)))
    assert ids[0] == ids[1]
    with db.unit_of_work() as uow:
        assert [j.id for j in uow.jobs.recent()] == [ids[0]]


def test_text_postgresql_cannot_store_is_invalid_input_and_the_unit_stays_usable(
    postgres_url: str,
) -> None:
    with sql_database(postgres_url) as db, db.unit_of_work() as uow:
        with pytest.raises(InvalidInput):
            uow.users.add(a_user(display_name="nul\x00byte"))
        uow.users.add(a_user("user-2"))
        uow.commit()
        assert uow.users.get("user-2").id == "user-2"
