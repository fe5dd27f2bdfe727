"""ClipBOT as the container builds it from settings (in-memory profile)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers

from clipnet.adapters.memory.platforms import InMemoryChat
from clipnet.adapters.twitch.clips import HelixClips
from clipnet.container import Container
from clipnet.domain.clipbot.model import ChannelLink, ChatMessage, Direction, ReplyTarget
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.repositories import ClipQuery
from tests.builders import T0, a_clip, a_source, a_user
from tests.containers import app_container, memory_settings


def container_for(tmp_path: Path, **env: str) -> Container:
    container = app_container(memory_settings(tmp_path, **{"CLIPNET_VOTE_THRESHOLD": "2", **env}))
    with container.uow_factory()() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.clips.add(a_clip())
        uow.commit()
    return container


def post_jobs_after_two_up_votes(container: Container) -> list[JobType]:
    voting = container.voting()
    for user in ("alice", "bob"):
        voting.cast("clip-1", Platform.TWITCH, user, Direction.UP)
    with container.uow_factory()() as uow:
        assert uow.clips.get("clip-1").auto_post_eligible
        return sorted(j.type for j in uow.jobs.recent() if j.type.value.startswith("post:"))


def test_a_clip_past_the_threshold_is_eligible_but_not_posted_unless_auto_post_is_on(
    tmp_path: Path,
) -> None:
    assert post_jobs_after_two_up_votes(container_for(tmp_path)) == []


def test_with_auto_post_on_a_clip_past_the_threshold_is_queued_for_posting_once(
    tmp_path: Path,
) -> None:
    container = container_for(tmp_path, CLIPNET_AUTO_POST="true")
    assert post_jobs_after_two_up_votes(container) == [JobType.POST_TIKTOK, JobType.POST_YOUTUBE]


@pytest.mark.parametrize(
    "env, makes_clips",
    [
        ({}, False),
        ({"CLIPNET_TWITCH_CLIPS": "true"}, False),  # no bot credentials: Helix unreachable
        (
            {
                "CLIPNET_TWITCH_CLIPS": "true",
                "CLIPNET_TWITCH_CLIENT_ID": "cid",
                "CLIPNET_TWITCH_BOT_TOKEN": "tok",
                "CLIPNET_TWITCH_BOT_USER_ID": "bot-9",
            },
            True,
        ),
    ],
)
def test_twitch_makes_clips_only_when_asked_and_able(
    tmp_path: Path, env: dict[str, str], makes_clips: bool
) -> None:
    container = container_for(tmp_path, **env)
    makers = container.clip_makers()
    assert (Platform.TWITCH in makers) is makes_clips
    if makes_clips:
        assert isinstance(makers[Platform.TWITCH], HelixClips)
    assert container.job_runner().handles(JobType.CLIPBOT_CLIP)


def test_a_clip_that_fails_before_its_requester_is_remembered_is_still_announced(
    tmp_path: Path,
) -> None:
    # given the synchronous queue (a job runs inside enqueue) and a source whose media is gone
    container = container_for(tmp_path, CLIPNET_JOB_MAX_ATTEMPTS="1")
    chat = InMemoryChat(Platform.TWITCH)
    container.chats.override(providers.Object({Platform.TWITCH: chat}))
    container.channel_admin().link_channel(
        ChannelLink(Platform.TWITCH, "b-1", "user-1", "source-1")
    )
    # when !clip's processing fails before ClipBOT has even recorded who asked
    target = ReplyTarget(Platform.TWITCH, "b-1", "msg-1", "viewer-1")
    container.chat_commands().on_message(ChatMessage(target, "!clip", "d-1", T0))
    # then the requester still hears about it
    with container.uow_factory()() as uow:
        (clip,) = [c for c in uow.clips.search(ClipQuery()) if c.id != "clip-1"]
    assert clip.status is ClipStatus.FAILED
    notices = [m.text for m in chat.messages() if m.text.startswith("Sorry")]
    (notice,) = notices
    assert notice.startswith(f"Sorry, your clip {clip.id} failed (NotFound: object 'sources/")


def test_a_linked_channels_own_vote_threshold_wins_over_the_global_one(tmp_path: Path) -> None:
    container = container_for(tmp_path, CLIPNET_AUTO_POST="true")  # global threshold: 2
    container.channel_admin().link_source(Platform.TWITCH, "b-1", "source-1", vote_threshold=1)
    container.voting().cast("clip-1", Platform.TWITCH, "alice", Direction.UP, channel="b-1")
    with container.uow_factory()() as uow:
        assert uow.clips.get("clip-1").auto_post_eligible
        posts = [j for j in uow.jobs.recent() if j.type.value.startswith("post:")]
    assert len(posts) == 2
