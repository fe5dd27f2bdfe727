"""Each clip becomes eligible for auto-posting by its own channel's vote threshold, and an
eligible clip is posted once, even when auto-posting was turned on after it became eligible."""

from __future__ import annotations

from clipnet.domain.clipbot.model import ChannelLink
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.platforms import Platform
from clipnet.settings import load_settings
from tests.bot_world import CHANNEL, OWNER, SOURCE, BotWorld, bot_settings_env, bot_world
from tests.builders import a_clip

POST_JOBS = (JobType.POST_YOUTUBE, JobType.POST_TIKTOK)
TWITCH_THRESHOLD, DISCORD_THRESHOLD = 4, 2


def two_channels_one_source() -> BotWorld:
    """Twitch and Discord linked to one source, each with its own threshold (global: 5)."""
    world = bot_world(threshold=5, cooldowns={})
    for platform, threshold in (
        (Platform.TWITCH, TWITCH_THRESHOLD),
        (Platform.DISCORD, DISCORD_THRESHOLD),
    ):
        world.store.save_link(ChannelLink(platform, CHANNEL, OWNER, SOURCE, None, threshold))
    return world


def clip_from_chat(world: BotWorld, platform: Platform) -> str:
    world.say("!clip", platform=platform, user=f"asker-on-{platform.value}")
    return str(world.jobs_of(JobType.CLIP_PROCESS)[-1].payload["clip_id"])


def up_votes(world: BotWorld, clip_id: str, platform: Platform, voters: range) -> None:
    for n in voters:
        voter = f"{platform.value}-voter-{n}"
        answer = world.say(
            f"!vote {clip_id} up", platform=platform, user=voter, delivery=f"{clip_id}-{voter}"
        )
        assert answer.text.startswith(f"Clip {clip_id}: ")  # counted, not a redelivery


def eligible(world: BotWorld, clip_id: str) -> bool:
    with world.db.unit_of_work() as uow:
        return uow.clips.get(clip_id).auto_post_eligible


def posted_clips(world: BotWorld) -> list[tuple[str, str]]:
    """(job type, clip id) of every post job recorded, in order."""
    with world.db.unit_of_work() as uow:
        jobs = uow.jobs.recent(limit=1000)
    return sorted((j.type.value, str(j.payload["clip_id"])) for j in jobs if j.type in POST_JOBS)


def post_jobs_for(clip_id: str) -> list[tuple[str, str]]:
    return sorted((job_type.value, clip_id) for job_type in POST_JOBS)


def test_each_chat_clip_becomes_eligible_by_its_own_channels_threshold_only() -> None:
    world = two_channels_one_source()
    on_twitch = clip_from_chat(world, Platform.TWITCH)
    on_discord = clip_from_chat(world, Platform.DISCORD)
    # two up votes each, all cast in Discord chat: the Discord channel's 2 is not the Twitch
    # clip's threshold, wherever its votes come from
    up_votes(world, on_twitch, Platform.DISCORD, range(DISCORD_THRESHOLD))
    up_votes(world, on_discord, Platform.DISCORD, range(DISCORD_THRESHOLD))
    assert eligible(world, on_discord) and not eligible(world, on_twitch)
    assert posted_clips(world) == post_jobs_for(on_discord)
    # the Twitch clip needs the Twitch channel's own 4
    up_votes(world, on_twitch, Platform.TWITCH, range(TWITCH_THRESHOLD - DISCORD_THRESHOLD - 1))
    assert not eligible(world, on_twitch)
    up_votes(world, on_twitch, Platform.TWITCH, range(10, 11))
    assert eligible(world, on_twitch)
    assert posted_clips(world) == sorted(post_jobs_for(on_discord) + post_jobs_for(on_twitch))


def test_a_clip_made_outside_chat_goes_by_the_channel_its_votes_are_cast_in() -> None:
    world = two_channels_one_source()
    with world.db.unit_of_work() as uow:
        uow.clips.add(a_clip("clip-a", SOURCE, owner_id=OWNER))
        uow.commit()
    up_votes(world, "clip-a", Platform.TWITCH, range(DISCORD_THRESHOLD))
    assert not eligible(world, "clip-a")  # Twitch's 4 not reached
    up_votes(world, "clip-a", Platform.DISCORD, range(1))  # net 3: Discord's 2 is passed
    assert eligible(world, "clip-a")


def test_a_channel_without_its_own_threshold_uses_the_global_one() -> None:
    world = bot_world(threshold=3, cooldowns={})  # every channel linked with no threshold
    clip_id = clip_from_chat(world, Platform.X)
    up_votes(world, clip_id, Platform.X, range(2))
    assert not eligible(world, clip_id)
    up_votes(world, clip_id, Platform.TWITCH, range(1))
    assert eligible(world, clip_id)


# -- auto-post turned on after a clip became eligible -------------------------------------------


def eligible_while_auto_post_was_off() -> BotWorld:
    env = bot_settings_env(CLIPNET_VOTE_THRESHOLD="2", CLIPNET_AUTO_POST="false")
    world = bot_world(settings=load_settings(env), cooldowns={})
    with world.db.unit_of_work() as uow:
        uow.clips.add(a_clip("clip-a", SOURCE, owner_id=OWNER, status=ClipStatus.READY))
        uow.commit()
    up_votes(world, "clip-a", Platform.TWITCH, range(3))
    assert eligible(world, "clip-a") and posted_clips(world) == []
    return world


def with_auto_post_on(world: BotWorld) -> BotWorld:
    env = bot_settings_env(CLIPNET_VOTE_THRESHOLD="2", CLIPNET_AUTO_POST="true")
    return bot_world(settings=load_settings(env), cooldowns={}, restart_of=world)


def test_turning_auto_post_on_posts_a_clip_eligible_before_once_at_start() -> None:
    restarted = with_auto_post_on(eligible_while_auto_post_was_off())
    assert restarted.voting.post_eligible() == 2  # what a starting worker does
    assert posted_clips(restarted) == post_jobs_for("clip-a")
    assert sorted(j.type for j in restarted.queue.jobs) == sorted(POST_JOBS)
    # started again, and voted on again: nothing more is queued
    assert restarted.voting.post_eligible() == 0
    up_votes(restarted, "clip-a", Platform.TWITCH, range(10, 14))
    assert posted_clips(restarted) == post_jobs_for("clip-a")
    assert len(restarted.queue.jobs) == 2 + 4  # the two post jobs and four vote replies


def test_turning_auto_post_on_posts_a_clip_eligible_before_on_its_next_vote_once() -> None:
    restarted = with_auto_post_on(eligible_while_auto_post_was_off())
    up_votes(restarted, "clip-a", Platform.DISCORD, range(1))
    assert posted_clips(restarted) == post_jobs_for("clip-a")
    up_votes(restarted, "clip-a", Platform.DISCORD, range(1, 5))
    restarted.say("!unvote clip-a", platform=Platform.DISCORD, user="discord-voter-1", delivery="u")
    assert restarted.voting.post_eligible() == 0
    assert posted_clips(restarted) == post_jobs_for("clip-a")
    assert [len(restarted.jobs_of(j)) for j in POST_JOBS] == [1, 1]


def test_the_start_up_catch_up_leaves_clips_that_are_not_eligible_or_not_postable() -> None:
    world = eligible_while_auto_post_was_off()
    with world.db.unit_of_work() as uow:
        uow.clips.add(a_clip("clip-b", SOURCE, owner_id=OWNER, status=ClipStatus.READY))
        uow.clips.add(
            a_clip(
                "clip-c", SOURCE, owner_id=OWNER, status=ClipStatus.FAILED, auto_post_eligible=True
            )
        )
        uow.commit()
    restarted = with_auto_post_on(world)
    assert restarted.voting.post_eligible() == 2
    assert posted_clips(restarted) == post_jobs_for("clip-a")


def test_with_auto_post_off_the_start_up_catch_up_queues_nothing() -> None:
    world = eligible_while_auto_post_was_off()
    assert world.voting.post_eligible() == 0 and posted_clips(world) == []
