"""ClipBOT answering chat: clips, votes, top, status, help, cooldowns and redeliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clipnet.adapters.crypto import FernetSecretBox
from clipnet.domain.clipbot.commands import NOT_LINKED
from clipnet.domain.clipbot.model import INTERACTION_PREFIX, ChannelLink, Direction, ReplyTarget
from clipnet.domain.clipbot.parser import HELP
from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.repositories import ClipQuery
from tests.bot_world import CHANNEL, OWNER, SOURCE, BotWorld, bot_world, share_url
from tests.builders import T0, a_clip, a_source


@pytest.fixture
def world() -> BotWorld:
    return bot_world()


def only_clip(world: BotWorld) -> Clip:
    with world.db.unit_of_work() as uow:
        clips = uow.clips.search(ClipQuery())
    assert len(clips) == 1
    return clips[0]


def test_clip_on_a_vod_cuts_its_last_seconds_and_queues_processing(world: BotWorld) -> None:
    answer = world.say("!clip what a play")
    clip = only_clip(world)
    assert (clip.span, clip.title, clip.origin) == (
        TimeSpan(570, 600),
        "what a play",
        ClipOrigin.BOT,
    )
    assert clip.status is ClipStatus.QUEUED
    assert [j.payload["clip_id"] for j in world.jobs_of(JobType.CLIP_PROCESS)] == [clip.id]
    assert clip.id in answer.text and world.replies() == [answer.text]
    assert world.store.request_for(clip.id) == ReplyTarget(
        Platform.TWITCH, CHANNEL, answer_reply_to(world), "viewer-1"
    )


def answer_reply_to(world: BotWorld) -> str:
    return str(world.jobs_of(JobType.CLIPBOT_POST)[0].payload["reply_to"])


def test_clip_on_a_live_stream_cuts_the_seconds_up_to_now(world: BotWorld) -> None:
    world.store.save_link(
        ChannelLink(Platform.TWITCH, CHANNEL, OWNER, SOURCE, live_since=T0 - timedelta(seconds=100))
    )
    world.say("!clip")
    assert only_clip(world).span == TimeSpan(70, 100)


def test_clip_just_after_going_live_is_as_long_as_the_stream(world: BotWorld) -> None:
    world.store.save_link(
        ChannelLink(Platform.TWITCH, CHANNEL, OWNER, SOURCE, live_since=T0 - timedelta(seconds=8))
    )
    world.say("!clip")
    assert only_clip(world).span == TimeSpan(0, 8)


def test_a_redelivered_message_has_its_effect_once(world: BotWorld) -> None:
    first = world.say("!clip", delivery="twitch-message-1")
    again = world.say("!clip", delivery="twitch-message-1")
    assert not first.duplicate and again.duplicate
    assert len(world.jobs_of(JobType.CLIP_PROCESS)) == 1
    assert len(world.jobs_of(JobType.CLIPBOT_POST)) == 1


def test_ordinary_chat_is_ignored_without_a_trace(world: BotWorld) -> None:
    answer = world.say("gg everyone", delivery="d-1")
    assert answer.ignored and world.queue.jobs == []
    assert world.store.claim(Platform.TWITCH, "d-1", T0)  # not claimed by the chatter


@pytest.mark.parametrize("text", ["!dance", "!vote", "!top 99"])
def test_a_bad_command_gets_a_short_help_reply(world: BotWorld, text: str) -> None:
    answer = world.say(text)
    assert answer.text.startswith(("Unknown command", "Usage"))
    assert world.replies() == [answer.text]


def test_help_lists_the_commands(world: BotWorld) -> None:
    assert world.say("!help").text == HELP


def test_an_unlinked_channel_is_told_so(world: BotWorld) -> None:
    answer = world.say("!clip", channel="somebody-else")
    assert answer.text == NOT_LINKED and world.jobs_of(JobType.CLIP_PROCESS) == []


def test_a_user_must_wait_out_the_clip_cooldown(world: BotWorld) -> None:
    world.say("!clip")
    world.clock.advance(15)
    assert world.say("!clip").ignored  # the user's 30 s are not over
    world.clock.advance(16)
    assert not world.say("!clip").ignored
    assert len(world.jobs_of(JobType.CLIP_PROCESS)) == 2


def test_a_channel_cooldown_holds_back_other_users_too(world: BotWorld) -> None:
    world.say("!clip", user="alice")
    world.clock.advance(5)
    assert world.say("!clip", user="bob").ignored
    world.clock.advance(5)
    assert not world.say("!clip", user="bob").ignored


def test_a_command_on_cooldown_is_not_claimed_as_handled_twice(world: BotWorld) -> None:
    world.say("!clip", delivery="d-1")
    assert world.say("!clip", delivery="d-2").ignored
    assert world.say("!clip", delivery="d-2").duplicate


TOKEN_A, TOKEN_B = "share-token-of-clip-a", "share-token-of-clip-b"


def add_clip(world: BotWorld, clip_id: str, owner: str = OWNER, **changes: object) -> None:
    with world.db.unit_of_work() as uow:
        if owner != OWNER:
            uow.sources.add(a_source(f"source-of-{owner}", owner))
        uow.clips.add(
            a_clip(
                clip_id,
                SOURCE if owner == OWNER else f"source-of-{owner}",
                owner_id=owner,
                **changes,
            )
        )
        uow.commit()


def test_votes_count_once_per_user_and_can_change_and_be_withdrawn(world: BotWorld) -> None:
    add_clip(world, "clip-a")
    assert "1 up, 0 down" in world.say("!vote clip-a up", user="alice").text
    assert "1 up, 1 down" in world.say("!vote clip-a down", user="bob").text
    world.clock.advance(2)
    assert "0 up, 2 down" in world.say("!vote clip-a down", user="alice").text
    world.clock.advance(2)
    assert "0 up, 1 down" in world.say("!unvote clip-a", user="alice").text
    assert world.voting.tally("clip-a").net == -1


def test_another_owners_clip_does_not_exist_for_this_chat(world: BotWorld) -> None:
    add_clip(world, "clip-x", owner="stranger")
    answer = world.say("!vote clip-x up")
    assert answer.text == "No clip clip-x here."
    assert world.voting.tally("clip-x").voters == 0


def test_votes_over_the_threshold_make_the_clip_eligible_once(world: BotWorld) -> None:
    add_clip(world, "clip-a")
    for voter in ["a", "b", "c", "d", "e"]:
        world.say("!vote clip-a up", user=voter)
    post_jobs = [
        j for j in world.queue.jobs if j.type in (JobType.POST_YOUTUBE, JobType.POST_TIKTOK)
    ]
    assert sorted(j.type.value for j in post_jobs) == ["post:tiktok", "post:youtube"]


def test_top_ranks_the_channels_clips_by_net_votes(world: BotWorld) -> None:
    add_clip(world, "clip-a", title="Alpha")
    add_clip(world, "clip-b", title="Beta", status=ClipStatus.READY, share_token=TOKEN_B)
    add_clip(world, "clip-c", title="Gamma")
    add_clip(world, "clip-z", owner="stranger", title="Not ours")
    world.voting.cast(
        "clip-b",
        Platform.TWITCH,
        "u1",
        Direction.UP,
    )
    answer = world.say("!top 2")
    assert answer.text == f"Top clips: 1. Beta (+1) {share_url(TOKEN_B)} | 2. Alpha (+0)"


def test_status_names_the_state_and_links_a_ready_clip(world: BotWorld) -> None:
    add_clip(world, "clip-a", title="Alpha", status=ClipStatus.READY, share_token=TOKEN_A)
    add_clip(world, "clip-b")
    assert world.say("!status clip-a", user="u1").text == (
        f"Clip clip-a 'Alpha': ready {share_url(TOKEN_A)}"
    )
    assert world.say("!status clip-b", user="u2").text == "Clip clip-b: requested"
    assert world.say("!status nope", user="u3").text == "No clip nope here."


def test_discord_quick_answers_come_inline_without_a_job(world: BotWorld) -> None:
    answer = world.say("!help", platform=Platform.DISCORD, inline=True)
    assert (answer.text, answer.deferred) == (HELP, False)
    assert world.queue.jobs == []


def test_discord_clip_answers_are_deferred_and_follow_up_as_a_job(world: BotWorld) -> None:
    answer = world.say("!clip", platform=Platform.DISCORD, inline=True)
    assert answer.deferred
    (reply,) = world.jobs_of(JobType.CLIPBOT_POST)
    assert reply.payload["platform"] == "discord" and reply.payload["text"] == answer.text


def test_a_failure_releases_the_claim_so_a_redelivery_is_handled(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(world.lifecycle, "request_recent", broken)
    with pytest.raises(RuntimeError):
        world.say("!clip", delivery="d-1")
    monkeypatch.undo()
    world.clock.advance(60)
    assert not world.say("!clip", delivery="d-1").duplicate
    assert len(world.jobs_of(JobType.CLIP_PROCESS)) == 1


def test_going_live_and_offline_moves_the_clip_clock(world: BotWorld) -> None:
    started = T0 - timedelta(minutes=5)
    assert world.presence.stream_started(Platform.TWITCH, CHANNEL, "ev-1", started)
    assert not world.presence.stream_started(Platform.TWITCH, CHANNEL, "ev-1", started)
    assert world.store.find_link(Platform.TWITCH, CHANNEL).live_since == started  # type: ignore[union-attr]
    world.presence.stream_ended(Platform.TWITCH, CHANNEL, "ev-2")
    assert world.store.find_link(Platform.TWITCH, CHANNEL).live_since is None  # type: ignore[union-attr]


def test_a_discord_target_loses_its_interaction_token_for_later_messages() -> None:
    target = ReplyTarget(Platform.DISCORD, "chan", INTERACTION_PREFIX + "tok", "u")
    assert target.in_channel() == ReplyTarget(Platform.DISCORD, "chan", "", "u")


def test_an_interaction_token_is_sealed_once_and_opens_to_itself() -> None:
    box = FernetSecretBox.ephemeral()
    target = ReplyTarget(Platform.DISCORD, "chan", INTERACTION_PREFIX + "tok-123", "u")
    sealed = target.sealed(box)
    assert sealed.is_interaction and sealed.is_sealed and "tok-123" not in sealed.reply_to
    assert sealed.sealed(box) == sealed  # sealing twice changes nothing
    assert sealed.opened(box) == target
    assert sealed.in_channel() == ReplyTarget(Platform.DISCORD, "chan", "", "u")
    with pytest.raises(ValueError):
        sealed.opened(FernetSecretBox.ephemeral())


def test_targets_without_an_interaction_token_are_never_sealed() -> None:
    box = FernetSecretBox.ephemeral()
    for target in (
        ReplyTarget(Platform.TWITCH, "chan", "msg-1", "u"),
        ReplyTarget(Platform.DISCORD, "chan", "", "u"),
    ):
        assert target.sealed(box) == target == target.opened(box)
