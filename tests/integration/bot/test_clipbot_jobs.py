"""The clipbot:post and clipbot:notify jobs, sending through the real chat adapters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clipnet.adapters.chat_http import ChatHttp
from clipnet.adapters.twitch.helix import TwitchChat
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import JobStatus, JobType
from clipnet.domain.jobs.runner import JobRunner
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import PermanentJobError
from clipnet.domain.shared.platforms import Platform
from tests.bot_world import BotWorld, bot_world, share_url
from tests.loopback.chat_platforms import (
    TWITCH_CLIENT_ID,
    TWITCH_TOKEN,
    ChatServerState,
    Throttle,
    helix_server,
)


def helix_chat(url: str) -> TwitchChat:
    """A fresh adapter, as a new worker process would have (no memory of earlier sends)."""
    return TwitchChat(
        url, TWITCH_CLIENT_ID, TWITCH_TOKEN, "bot-9", ChatHttp("twitch", sleep=lambda _: None)
    )


@pytest.fixture
def helix() -> Iterator[tuple[str, ChatServerState]]:
    with helix_server() as served:
        yield served


def world_on(url: str) -> BotWorld:
    return bot_world(chats={Platform.TWITCH: helix_chat(url)})


def test_a_chat_answer_reaches_twitch_as_a_reply(helix: tuple[str, ChatServerState]) -> None:
    url, server = helix
    world = world_on(url)
    world.say("!help", delivery="d-1")
    (job,) = world.jobs_of(JobType.CLIPBOT_POST)
    world.jobs.post(job)
    ((_, body),) = server.received
    assert body["reply_parent_message_id"] == "msg-of-d-1"
    assert body["message"].startswith("ClipBOT commands")


def test_a_redelivered_clipbot_post_posts_once(helix: tuple[str, ChatServerState]) -> None:
    url, server = helix
    world = world_on(url)
    world.say("!help", delivery="d-1")
    (job,) = world.jobs_of(JobType.CLIPBOT_POST)
    world.jobs.post(job)
    # The worker died before recording success; another worker, another adapter, runs it again.
    world.jobs._chats[Platform.TWITCH] = helix_chat(url)
    world.jobs.post(job)
    assert len(server.received) == 1


def test_a_redelivered_job_run_through_the_runner_posts_once(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    world = world_on(url)
    runner = JobRunner(world.db.unit_of_work, world.clock, {JobType.CLIPBOT_POST: world.jobs.post})
    world.say("!help", delivery="d-1")
    (job,) = world.jobs_of(JobType.CLIPBOT_POST)
    assert runner.run(job.id).status is JobStatus.SUCCEEDED
    assert runner.run(job.id).status is JobStatus.SUCCEEDED
    assert len(server.received) == 1


def test_a_rate_limited_post_waits_and_goes_out(helix: tuple[str, ChatServerState]) -> None:
    url, server = helix
    server.throttle = Throttle(count=1, headers={"Retry-After": "1"})
    world = world_on(url)
    world.say("!help", delivery="d-1")
    world.jobs.post(world.jobs_of(JobType.CLIPBOT_POST)[0])
    assert server.attempts == 2 and len(server.received) == 1


def test_a_post_queued_before_its_platforms_credentials_were_removed_fails_permanently() -> None:
    world = bot_world()  # every platform can reply: the answer is queued
    world.say("!help", delivery="d-1")
    restarted = bot_world(chats={}, restart_of=world)  # started again without credentials
    with pytest.raises(PermanentJobError, match="no chat adapter"):
        restarted.jobs.post(world.jobs_of(JobType.CLIPBOT_POST)[0])


def finish(world: BotWorld, clip_id: str, *path: ClipStatus) -> None:
    for status in path:
        world.lifecycle.advance(clip_id, status)


def test_a_ready_clip_asked_for_in_chat_is_announced_with_its_link(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    world = world_on(url)
    notifier = world.notifier
    world.say("!clip Epic", delivery="d-1")
    clip_id = str(world.jobs_of(JobType.CLIP_PROCESS)[0].payload["clip_id"])
    finish(world, clip_id, ClipStatus.SCORING, ClipStatus.POLISHING, ClipStatus.UPLOADING)
    notifier.clip_changed(clip_id)
    assert world.jobs_of(JobType.CLIPBOT_NOTIFY) == []  # not ready yet: nothing to say
    finish(world, clip_id, ClipStatus.READY)
    notifier.clip_changed(clip_id)
    notifier.clip_changed(clip_id)  # a second look queues nothing new
    (notify,) = world.jobs_of(JobType.CLIPBOT_NOTIFY)
    world.jobs.notify(notify)
    world.jobs.notify(notify)
    ((_, body),) = server.received
    with world.db.unit_of_work() as uow:
        token = uow.clips.get(clip_id).share_token
    assert len(token) >= 24  # asked for in chat: shared when made, so the link opens for viewers
    assert body["message"] == f"Your clip 'Epic' is ready: {share_url(token)}"
    assert body["reply_parent_message_id"] == "msg-of-d-1"


def test_a_clip_its_owner_stopped_sharing_is_announced_without_a_link(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    world = world_on(url)
    world.say("!clip Epic", delivery="d-1")
    clip_id = str(world.jobs_of(JobType.CLIP_PROCESS)[0].payload["clip_id"])
    with world.db.unit_of_work() as uow:
        owner = uow.clips.get(clip_id).owner_id
    world.container.clip_sharing().unshare(Actor(owner), clip_id)
    path = (ClipStatus.SCORING, ClipStatus.POLISHING, ClipStatus.UPLOADING, ClipStatus.READY)
    finish(world, clip_id, *path)
    world.notifier.clip_changed(clip_id)
    (notify,) = world.jobs_of(JobType.CLIPBOT_NOTIFY)
    world.jobs.notify(notify)
    ((_, body),) = server.received
    assert body["message"] == "Your clip 'Epic' is ready."


def test_a_failed_clip_is_announced_with_the_reason() -> None:
    world = bot_world()
    world.say("!clip", delivery="d-1")
    clip_id = str(world.jobs_of(JobType.CLIP_PROCESS)[0].payload["clip_id"])

    def broken_handler(_job: object) -> None:
        world.lifecycle.fail(clip_id, "the source is unreadable")
        raise RuntimeError("boom")

    # The notifier is middleware around every job: it looks even when the handler raised.
    runner = world.container.job_runner()
    runner.register(JobType.CLIP_PROCESS, broken_handler)
    failed = runner.run(world.jobs_of(JobType.CLIP_PROCESS)[0].id)
    assert "boom" in failed.last_error
    (notify,) = world.jobs_of(JobType.CLIPBOT_NOTIFY)
    world.jobs.notify(notify)
    (sent,) = world.chats[Platform.TWITCH].messages()
    assert sent.text == f"Sorry, your clip {clip_id} failed (the source is unreadable)."


def test_clips_not_asked_for_in_chat_are_not_announced() -> None:
    world = bot_world()
    notifier = world.notifier
    clip = world.lifecycle.request_recent("source-1", "user-1", 100, 30)
    finish(
        world,
        clip.id,
        ClipStatus.SCORING,
        ClipStatus.POLISHING,
        ClipStatus.UPLOADING,
        ClipStatus.READY,
    )
    notifier.clip_changed(clip.id)
    assert world.jobs_of(JobType.CLIPBOT_NOTIFY) == []


def test_a_discord_notification_goes_to_the_channel_not_the_expired_interaction() -> None:
    world = bot_world()
    notifier = world.notifier
    world.say("!clip", delivery="d-1", platform=Platform.DISCORD, inline=True)
    clip_id = str(world.jobs_of(JobType.CLIP_PROCESS)[0].payload["clip_id"])
    finish(
        world,
        clip_id,
        ClipStatus.SCORING,
        ClipStatus.POLISHING,
        ClipStatus.UPLOADING,
        ClipStatus.READY,
    )
    notifier.clip_changed(clip_id)
    world.jobs.notify(world.jobs_of(JobType.CLIPBOT_NOTIFY)[0])
    (sent,) = world.chats[Platform.DISCORD].messages()
    assert (sent.channel, sent.reply_to) == ("broadcaster-1", "")
