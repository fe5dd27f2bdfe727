"""Chat votes racing on a real database (PostgreSQL, and the embedded SQLite file): whatever
the interleaving, the tally is each distinct user's last word and auto-posting is enqueued at
most once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.sqlalchemy.bot_store import SqlBotStore
from clipnet.domain.clipbot.model import Tally
from clipnet.domain.jobs.model import JobType
from tests.bot_world import SOURCE, BotWorld, bot_world
from tests.builders import a_clip
from tests.conftest import require_service
from tests.sql_databases import (
    empty_tables,
    postgres_available,
    postgres_schema_url,
    sql_database,
    sqlite_url,
)
from tests.strategies import CHAT_VOTE_LINES, chat_vote_scripts

POST_JOBS = (JobType.POST_YOUTUBE, JobType.POST_TIKTOK)


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlDatabase]:
    if request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path_factory.mktemp("votes"))) as database:
            yield database
        return
    require_service(postgres_available(), "PostgreSQL")
    with postgres_schema_url() as url, sql_database(url, pool_size=10) as database:
        yield database


def fresh_world(db: SqlDatabase, threshold: int) -> BotWorld:
    empty_tables(db)
    world = bot_world(threshold=threshold, cooldowns={}, database=db, store=SqlBotStore(db))
    with db.unit_of_work() as uow:
        uow.clips.add(a_clip("clip-a", SOURCE))
        uow.commit()
    return world


def expected_tally(scripts: dict[str, list[str]]) -> Tally:
    last = [script[-1] for script in scripts.values()]
    return Tally(up=last.count(CHAT_VOTE_LINES[0]), down=last.count(CHAT_VOTE_LINES[1]))


def chat_at_once(world: BotWorld, scripts: dict[str, list[str]]) -> list[BaseException]:
    """Every user's lines in their own thread, all at the same time."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(scripts))

    def chat(user: str, lines: list[str]) -> None:
        try:
            start.wait()
            for number, line in enumerate(lines):
                world.say(line, user=user, delivery=f"{user}-{number}")
        except BaseException as error:  # surfaced by the caller's assertion
            errors.append(error)

    threads = [threading.Thread(target=chat, args=item) for item in scripts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chat_vote_scripts(users=6, max_lines=4), st.integers(min_value=1, max_value=4))
def test_racing_chat_votes_on_sql_leave_each_users_last_vote_and_post_at_most_once(
    db: SqlDatabase, scripts: dict[str, list[str]], threshold: int
) -> None:
    # given a clip and a threshold; when every user chats at once
    world = fresh_world(db, threshold)
    errors = chat_at_once(world, scripts)
    # then nothing failed and the tally is the distinct users' current votes
    assert errors == []
    assert world.voting.tally("clip-a") == expected_tally(scripts)
    # and auto-posting was enqueued at most once per platform, only if the clip became eligible
    with db.unit_of_work() as uow:
        stored = [j for j in uow.jobs.recent(limit=1000) if j.type in POST_JOBS]
        eligible = uow.clips.get("clip-a").auto_post_eligible
    assert sorted(j.type for j in stored) == (sorted(POST_JOBS) if eligible else [])
    for job_type in POST_JOBS:
        assert len(world.jobs_of(job_type)) <= 1
    if expected_tally(scripts).net >= threshold:
        assert eligible
    # and every chat line was answered exactly once
    lines = sum(len(script) for script in scripts.values())
    assert len(world.jobs_of(JobType.CLIPBOT_POST)) == lines
