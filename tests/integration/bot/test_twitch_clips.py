"""``!clip`` made by Twitch: Create Clip, Get Clips polled for up to 15 s, the clip's video
downloaded and queued through the pipeline, against a loopback Helix and real FFmpeg."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from dependency_injector import providers

from clipnet.adapters.chat_http import ChatHttp
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.adapters.twitch.clips import HelixClips
from clipnet.domain.clipbot.model import ChannelLink, PlatformClip, ReplyTarget
from clipnet.domain.clipbot.platform_clips import WAIT_LIMIT, PlatformClipJobs
from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.platform_clips import PlatformClipError
from clipnet.ports.repositories import ClipQuery
from tests.bot_world import CHANNEL, OWNER, SOURCE, BotWorld, bot_world
from tests.builders import T0
from tests.integration.bot.generated_media import generated_video
from tests.loopback.chat_platforms import (
    TWITCH_CLIENT_ID,
    TWITCH_TOKEN,
    ChatServerState,
    helix_server,
)

BOT = "bot-9"


@pytest.fixture(scope="module")
def clip_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("twitch-clip")
    return generated_video(folder / "clip.mp4", seconds=6.0).read_bytes()


@pytest.fixture
def helix(clip_video: bytes) -> Iterator[tuple[str, ChatServerState]]:
    with helix_server() as (url, state):
        state.clips.media = clip_video
        yield url, state


def helix_clips(url: str, token: str = TWITCH_TOKEN) -> HelixClips:
    return HelixClips(
        url, TWITCH_CLIENT_ID, token, BOT, ChatHttp("twitch", sleep=lambda _: None), max_bytes=10**8
    )


@attrs.define
class ClipWorld:
    """ClipBOT with Twitch clips on, the clip job, and a clock that the poll's sleeps move."""

    bot: BotWorld
    jobs: PlatformClipJobs
    storage: InMemoryStorage
    sleeps: list[float]

    def run(self, job: Job) -> None:
        self.jobs.handle(job)

    def clips(self) -> list[Clip]:
        with self.bot.db.unit_of_work() as uow:
            return uow.clips.search(ClipQuery())


def clip_world(url: str) -> ClipWorld:
    world = bot_world(clip_makers={Platform.TWITCH: helix_clips(url)})
    world.store.save_link(
        ChannelLink(Platform.TWITCH, CHANNEL, OWNER, SOURCE, live_since=T0 - timedelta(seconds=120))
    )
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the injected wait: time passes, nobody sleeps
        sleeps.append(seconds)
        world.clock.advance(seconds)

    # The container's clip job (real FFmpeg, in-memory storage), with the wait injected.
    world.container.sleep.override(providers.Object(sleep))
    storage = world.container.storage()
    return ClipWorld(world, world.container.platform_clip_jobs(), storage, sleeps)


def clip_command(world: ClipWorld, text: str = "!clip big play", delivery: str = "d-1") -> Job:
    """A viewer's ``!clip``; returns the ``clipbot:clip`` job it queued."""
    world.bot.say(text, delivery=delivery)
    (job,) = world.bot.jobs_of(JobType.CLIPBOT_CLIP)
    return job


# -- the Helix adapter ---------------------------------------------------------------------------


def test_helix_makes_a_clip_that_appears_after_a_while_and_downloads_its_video(
    helix: tuple[str, ChatServerState], tmp_path: Path, clip_video: bytes
) -> None:
    url, server = helix
    clips = helix_clips(url)
    clip_id = clips.create("broadcaster-1")
    assert server.clips.created == ["broadcaster-1"]
    assert [clips.find(clip_id) for _ in range(server.clips.looks_before_ready)] == [None, None]
    clip = clips.find(clip_id)
    assert clip == PlatformClip(
        clip_id,
        "broadcaster-1",
        f"https://clips.twitch.tv/{clip_id}",
        "Twitch clip title",
        30.0,
    )
    video = clips.download(clip, tmp_path / "clip.mp4")
    assert video.read_bytes() == clip_video and server.clips.downloads == [clip_id]


def test_helix_refuses_a_clip_of_an_offline_channel_for_good(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    server.clips.live = False
    with pytest.raises(PlatformClipError) as refused:
        helix_clips(url).create("broadcaster-1")
    assert refused.value.permanent and "404" in str(refused.value)


def test_helix_clips_with_a_bad_token_are_refused(helix: tuple[str, ChatServerState]) -> None:
    url, server = helix
    with pytest.raises(PlatformClipError, match="401"):
        helix_clips(url, token="wrong").create("broadcaster-1")
    assert server.clips.created == []


def test_a_download_bigger_than_the_limit_is_refused(
    helix: tuple[str, ChatServerState], tmp_path: Path
) -> None:
    url, _ = helix
    clips = HelixClips(url, TWITCH_CLIENT_ID, TWITCH_TOKEN, BOT, ChatHttp("twitch"), max_bytes=100)
    clip = PlatformClip("broadcaster-1-Clip1", "broadcaster-1")
    clips.create("broadcaster-1")
    with pytest.raises(PlatformClipError, match="over 100 bytes") as refused:
        clips.download(clip, tmp_path / "clip.mp4")
    assert refused.value.permanent


# -- ClipBOT's !clip through Twitch --------------------------------------------------------------


def test_clip_on_a_live_twitch_channel_queues_a_twitch_clip_and_says_so(
    helix: tuple[str, ChatServerState],
) -> None:
    world = clip_world(helix[0])
    job = clip_command(world)
    assert job.payload == {
        "platform": "twitch",
        "channel": CHANNEL,
        "reply_to": "msg-of-d-1",
        "user": "viewer-1",
        "delivery": "d-1",
        "title": "big play",
    }
    assert world.bot.replies() == ["Asking Twitch to clip that..."]
    assert world.bot.jobs_of(JobType.CLIP_PROCESS) == []  # nothing cut from the stream


def test_clip_on_a_vod_still_cuts_the_linked_source(helix: tuple[str, ChatServerState]) -> None:
    world = clip_world(helix[0])
    world.bot.store.save_link(ChannelLink(Platform.TWITCH, CHANNEL, OWNER, SOURCE))
    world.bot.say("!clip")
    assert world.bot.jobs_of(JobType.CLIPBOT_CLIP) == []
    assert len(world.bot.jobs_of(JobType.CLIP_PROCESS)) == 1


def test_clip_on_a_live_discord_channel_still_cuts_the_linked_stream(
    helix: tuple[str, ChatServerState],
) -> None:
    world = clip_world(helix[0])
    live = ChannelLink(
        Platform.DISCORD, CHANNEL, OWNER, SOURCE, live_since=T0 - timedelta(seconds=120)
    )
    world.bot.store.save_link(live)
    answer = world.bot.say("!clip", platform=Platform.DISCORD, inline=True)
    assert answer.deferred
    assert world.bot.jobs_of(JobType.CLIPBOT_CLIP) == []
    (clip,) = world.clips()
    assert clip.span == TimeSpan(90, 120)


def test_the_twitch_clip_is_polled_for_then_its_video_is_queued_for_processing(
    helix: tuple[str, ChatServerState],
) -> None:
    # given Twitch shows the clip on the third look
    url, server = helix
    world = clip_world(url)
    # when the clipbot:clip job runs
    world.run(clip_command(world))
    # then it looked three times, a second apart, without sleeping for real
    (made,) = server.clips.looks
    assert server.clips.looks[made] == 3 and world.sleeps == [1.0, 1.0]
    # and the clip's video became the owner's source, with one bot clip of all of it queued
    (clip,) = world.clips()
    assert (clip.owner_id, clip.origin, clip.title) == (OWNER, ClipOrigin.BOT, "big play")
    assert clip.status is ClipStatus.QUEUED
    with world.bot.db.unit_of_work() as uow:
        source = uow.sources.get(clip.source_id)
    assert source.duration == pytest.approx(6.0, abs=0.2)
    assert clip.span == TimeSpan(0.0, source.duration)
    assert world.storage.exists(source.location)
    assert [j.payload["clip_id"] for j in world.bot.jobs_of(JobType.CLIP_PROCESS)] == [clip.id]
    # and the requester is told, and will hear when it is ready
    assert world.bot.replies()[-1] == (
        f"Clip {clip.id} made by Twitch (https://clips.twitch.tv/{made}), 30 s. "
        "I will post the link when it is ready."
    )
    assert world.bot.store.request_for(clip.id) == ReplyTarget(
        Platform.TWITCH, CHANNEL, "msg-of-d-1", "viewer-1"
    )


def test_a_clip_twitch_never_shows_is_given_up_after_15_seconds(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    server.clips.never_ready = True
    world = clip_world(url)
    world.run(clip_command(world))
    assert sum(world.sleeps) == WAIT_LIMIT == 15.0
    assert list(server.clips.looks.values()) == [16]  # at 0, 1, ..., 15 s
    assert world.clips() == [] and server.clips.downloads == []
    assert world.bot.replies()[-1] == "Twitch did not make the clip in time. Try again."


def test_a_redelivered_clip_job_asks_twitch_once_and_makes_one_clip(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    world = clip_world(url)
    job = clip_command(world)
    world.run(job)
    world.run(job)
    assert server.clips.created == [CHANNEL]
    assert len(world.clips()) == 1
    assert len(world.bot.jobs_of(JobType.CLIP_PROCESS)) == 1


class HelixDownOnce(HelixClips):
    """Helix fails the first look after Create Clip (a 5xx that outlasted the retries)."""

    failed = False

    def find(self, clip_id: str) -> PlatformClip | None:
        if not self.failed:
            self.failed = True
            raise PlatformClipError("twitch: server error 503")
        return super().find(clip_id)


def test_a_job_retried_after_helix_failed_midway_does_not_ask_for_a_second_clip(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    world = clip_world(url)
    world.jobs._makers[Platform.TWITCH] = HelixDownOnce(
        url, TWITCH_CLIENT_ID, TWITCH_TOKEN, BOT, ChatHttp("twitch")
    )
    job = clip_command(world)
    with pytest.raises(PlatformClipError):
        world.run(job)  # the job runner retries it later
    world.run(job)
    assert server.clips.created == [CHANNEL]
    assert len(world.clips()) == 1


def test_an_offline_channel_gets_twitchs_refusal_in_chat(
    helix: tuple[str, ChatServerState],
) -> None:
    url, server = helix
    server.clips.live = False
    world = clip_world(url)
    world.run(clip_command(world))
    assert world.clips() == []
    assert world.bot.replies()[-1].startswith("Twitch could not make a clip: twitch refused")
