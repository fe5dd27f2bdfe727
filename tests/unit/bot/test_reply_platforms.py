"""ClipBOT queues answers only where it can send them: a chat platform without bot
credentials has no chat adapter, so no ``clipbot:post`` or ``clipbot:notify`` job is queued for
it (each would die "no chat adapter is configured"). ``clipnet config`` and ``/health/ready``
say which platforms can be answered on."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient
from typer.testing import CliRunner

from clipnet.adapters.memory.platforms import InMemoryChat
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.domain.clipbot.model import ChannelLink, ChatMessage, ReplyTarget
from clipnet.domain.clipbot.replies import reply_summary
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.cli import app as cli
from clipnet.entrypoints.http import create_app
from tests.bot_world import BotWorld, bot_world
from tests.builders import T0, a_source, a_user
from tests.containers import app_container, memory_settings

TWITCH_CREDENTIALS = {
    "CLIPNET_TWITCH_CLIENT_ID": "cid",
    "CLIPNET_TWITCH_BOT_TOKEN": "tok",
    "CLIPNET_TWITCH_BOT_USER_ID": "bot-9",
}
DISCORD_CREDENTIALS = {"CLIPNET_DISCORD_APPLICATION_ID": "app-1"}
X_CREDENTIALS = {"CLIPNET_X_BOT_TOKEN": "x-token"}


@pytest.fixture
def twitch_only() -> BotWorld:
    """Only Twitch has a chat adapter; Discord and X have no bot credentials."""
    return bot_world(chats={Platform.TWITCH: InMemoryChat(Platform.TWITCH)})


def posts_to(world: BotWorld) -> list[str]:
    return [str(job.payload["platform"]) for job in world.jobs_of(JobType.CLIPBOT_POST)]


@pytest.mark.parametrize("text", ["!help", "!clip", "!bogus", "!top", "!status nope"])
def test_no_reply_job_is_queued_for_a_platform_without_credentials(
    twitch_only: BotWorld, text: str
) -> None:
    answer = twitch_only.say(text, platform=Platform.X, delivery="on-x")
    assert answer.text and not answer.deferred  # what the answer would have been
    assert posts_to(twitch_only) == []
    twitch_only.say(text, platform=Platform.TWITCH, delivery="on-twitch")
    assert posts_to(twitch_only) == ["twitch"]


def test_a_clip_asked_for_where_nobody_can_be_answered_is_still_made(
    twitch_only: BotWorld,
) -> None:
    twitch_only.say("!clip", platform=Platform.X, delivery="on-x")
    (process,) = twitch_only.jobs_of(JobType.CLIP_PROCESS)
    assert posts_to(twitch_only) == []
    # and when it is ready, nobody is notified on X: no clipbot:notify job either
    clip_id = str(process.payload["clip_id"])
    for status in (ClipStatus.SCORING, ClipStatus.POLISHING, ClipStatus.UPLOADING):
        twitch_only.lifecycle.advance(clip_id, status)
    twitch_only.lifecycle.advance(clip_id, ClipStatus.READY)
    twitch_only.notifier.clip_changed(clip_id)
    assert twitch_only.jobs_of(JobType.CLIPBOT_NOTIFY) == []


def test_a_twitch_clip_is_still_announced_when_ready(twitch_only: BotWorld) -> None:
    twitch_only.say("!clip", platform=Platform.TWITCH, delivery="on-twitch")
    clip_id = str(twitch_only.jobs_of(JobType.CLIP_PROCESS)[0].payload["clip_id"])
    for status in (ClipStatus.SCORING, ClipStatus.POLISHING, ClipStatus.UPLOADING):
        twitch_only.lifecycle.advance(clip_id, status)
    twitch_only.lifecycle.advance(clip_id, ClipStatus.READY)
    twitch_only.notifier.clip_changed(clip_id)
    assert len(twitch_only.jobs_of(JobType.CLIPBOT_NOTIFY)) == 1


def test_discord_without_credentials_answers_in_the_webhook_response_instead_of_deferring(
    twitch_only: BotWorld,
) -> None:
    # a deferred answer (type 5) would need a follow-up that cannot be sent
    answer = twitch_only.say("!clip", platform=Platform.DISCORD, inline=True)
    assert answer.text.startswith("Clip ") and not answer.deferred
    assert posts_to(twitch_only) == []
    assert len(twitch_only.jobs_of(JobType.CLIP_PROCESS)) == 1


@pytest.mark.parametrize(
    "env, platforms",
    [
        ({}, []),
        (TWITCH_CREDENTIALS, [Platform.TWITCH]),
        ({"CLIPNET_TWITCH_CLIENT_ID": "cid", "CLIPNET_TWITCH_BOT_TOKEN": "tok"}, []),
        (DISCORD_CREDENTIALS, [Platform.DISCORD]),
        ({"CLIPNET_DISCORD_BOT_TOKEN": "bot"}, []),
        (X_CREDENTIALS, [Platform.X]),
        (
            {**TWITCH_CREDENTIALS, **DISCORD_CREDENTIALS, **X_CREDENTIALS},
            [Platform.DISCORD, Platform.TWITCH, Platform.X],
        ),
    ],
)
def test_the_platforms_that_can_reply_are_those_with_bot_credentials(
    tmp_path: Path, env: dict[str, str], platforms: list[Platform]
) -> None:
    settings = memory_settings(tmp_path, **env)
    container = app_container(settings)
    assert container.reply_platforms() == platforms
    assert sorted(settings.bot.reply_platforms) == platforms
    assert sorted(container.chats()) == platforms


def test_from_settings_a_platform_without_credentials_gets_no_reply_jobs(tmp_path: Path) -> None:
    queue = RecordingJobQueue()
    container = app_container(memory_settings(tmp_path, **TWITCH_CREDENTIALS), queue=queue)
    with container.uow_factory()() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.commit()
    for platform in (Platform.TWITCH, Platform.X):
        container.channel_admin().link_channel(ChannelLink(platform, "c-1", "user-1", "source-1"))
        target = ReplyTarget(platform, "c-1", "msg-1", "viewer-1")
        container.chat_commands().on_message(ChatMessage(target, "!help", platform.value, T0))
    assert [j.payload["platform"] for j in queue.jobs] == ["twitch"]


def test_reply_summary_names_who_can_and_cannot_be_answered() -> None:
    assert reply_summary([Platform.TWITCH]) == (
        "ClipBOT replies on: twitch; not on discord, x (no bot credentials: see docs/clipbot.md)"
    )
    assert reply_summary([]).startswith("ClipBOT replies on: none; not on twitch, discord, x")
    assert reply_summary([Platform.X, Platform.DISCORD, Platform.TWITCH]) == (
        "ClipBOT replies on: twitch, discord, x"
    )


def test_config_says_which_platforms_can_reply(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    for name, value in X_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "# ClipBOT replies on: x; not on twitch, discord (no bot credentials: see docs/clipbot.md)"
    )


def test_readiness_lists_the_platforms_that_can_reply_without_failing_for_the_others(
    tmp_path: Path,
) -> None:
    container = app_container(memory_settings(tmp_path, **DISCORD_CREDENTIALS))
    with TestClient(create_app(container)) as client:
        ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "chat_replies": ["discord"],
        "workers": {
            "alive": 0,
            "items": [],
            "note": "CLIPNET_QUEUE=memory runs each job inside its request",
        },
    }
