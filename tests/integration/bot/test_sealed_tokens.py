"""Discord interaction tokens are sealed at rest: a signed ``/clip`` leaves the token in no job
payload and no bot store row (a database dump), yet the follow-up reaches the interaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.sqlalchemy.bot_store import SqlBotStore
from clipnet.adapters.sqlalchemy.tables import metadata
from clipnet.domain.clipbot.model import SEALED_INTERACTION_PREFIX
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.platforms import Platform
from tests.bot_webhooks import bot_app, bot_settings, discord_command, discord_delivery
from tests.bot_world import BotWorld, bot_world
from tests.conftest import require_service
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database, sqlite_url

TOKEN = "aW50ZXJhY3Rpb24tdG9rZW4tb2YtMTUtbWludXRlcw"  # the shape of a Discord token


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BotWorld]:
    if request.param == "memory":
        yield bot_world()
        return
    if request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path)) as db:
            yield bot_world(database=db, store=SqlBotStore(db))
        return
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with postgres_schema_url() as url, sql_database(url) as db:
        yield bot_world(database=db, store=SqlBotStore(db))


def dump(world: BotWorld) -> str:
    """Every row of every table, as a database dump shows them (SQL worlds only)."""
    db = world.db
    assert isinstance(db, SqlDatabase)
    with db.engine.connect() as connection:
        rows = [
            tuple(row)
            for table in metadata.sorted_tables
            for row in connection.execute(table.select())
        ]
    return repr(rows)


def test_a_discord_clip_keeps_its_interaction_token_sealed_until_the_follow_up(
    world: BotWorld, tmp_path: Path
) -> None:
    interaction = {**discord_command("clip", "what a save"), "token": TOKEN}
    body, headers = discord_delivery(interaction)
    with TestClient(bot_app(world.container, bot_settings(tmp_path))) as client:
        assert client.post("/bot/discord", content=body, headers=headers).json() == {"type": 5}

    # the queued jobs and the remembered request hold the token sealed
    (follow_up,) = world.jobs_of(JobType.CLIPBOT_POST)
    (clip_job,) = world.jobs_of(JobType.CLIP_PROCESS)
    assert TOKEN not in json.dumps([job.payload for job in world.queue.jobs])
    assert str(follow_up.payload["reply_to"]).startswith(SEALED_INTERACTION_PREFIX)
    request = world.store.request_for(str(clip_job.payload["clip_id"]))
    assert request is not None and request.is_sealed and TOKEN not in request.reply_to
    if isinstance(world.db, SqlDatabase):
        stored = dump(world)
        assert "what a save" in stored, "the dump does show the clip"
        assert TOKEN not in stored

    # and the follow-up, when sent, goes to the interaction itself
    world.jobs.post(follow_up)
    (sent,) = world.chats[Platform.DISCORD].sent.values()
    assert sent.reply_to == f"interaction:{TOKEN}"


def test_a_token_sealed_under_a_key_since_removed_is_answered_in_the_channel(
    tmp_path: Path,
) -> None:
    sealing = bot_world()
    body, headers = discord_delivery({**discord_command("clip", "late"), "token": TOKEN})
    with TestClient(bot_app(sealing.container, bot_settings(tmp_path))) as client:
        client.post("/bot/discord", content=body, headers=headers)
    (follow_up,) = sealing.jobs_of(JobType.CLIPBOT_POST)

    other_keys = bot_world()  # a fresh key: the one that sealed the token is gone
    other_keys.jobs.post(follow_up)
    (sent,) = other_keys.chats[Platform.DISCORD].sent.values()
    assert sent.reply_to == "" and sent.channel == "broadcaster-1"
