"""Every bad command gets a one-line usage reply, limited per user: typos in a busy chat are
all answered, and neither !help's cooldown nor another user's typo silences them."""

from __future__ import annotations

import pytest

from clipnet.domain.clipbot.cooldowns import USAGE_RULE
from clipnet.domain.clipbot.model import CommandName
from clipnet.domain.clipbot.parser import HELP, USAGE
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.platforms import Platform
from tests.bot_world import BotWorld, bot_world

#: Each shape of bad command, and the start of the reply it gets.
BAD_COMMANDS = [
    ("!bogus", f"Unknown command !bogus. {HELP}"),
    ("!BOGUS now", f"Unknown command !bogus. {HELP}"),
    ("@clipbot !dance", f"Unknown command !dance. {HELP}"),
    ("!top abc", f"Usage: {USAGE[CommandName.TOP]}"),
    ("!top 0", f"Usage: {USAGE[CommandName.TOP]}"),
    ("!top 11", f"Usage: {USAGE[CommandName.TOP]}"),
    ("!top 1 2", f"Usage: {USAGE[CommandName.TOP]}"),
    ("!status", f"Usage: {USAGE[CommandName.STATUS]}"),
    ("!status a b", f"Usage: {USAGE[CommandName.STATUS]}"),
    ("!status ../x", f"Usage: {USAGE[CommandName.STATUS]}"),
    ("!vote", f"Usage: {USAGE[CommandName.VOTE]}"),
    ("!vote clip-a", f"Usage: {USAGE[CommandName.VOTE]}"),
    ("!vote clip-a sideways", f"Usage: {USAGE[CommandName.VOTE]}"),
    ("!vote clip-a up extra", f"Usage: {USAGE[CommandName.VOTE]}"),
    ("!unvote", f"Usage: {USAGE[CommandName.UNVOTE]}"),
    ("!unvote a b", f"Usage: {USAGE[CommandName.UNVOTE]}"),
    ("!clip " + "x" * 201, "A clip title can be at most 200 characters."),
]


@pytest.fixture
def world() -> BotWorld:
    return bot_world()


@pytest.mark.parametrize("platform", [Platform.TWITCH, Platform.DISCORD, Platform.X])
@pytest.mark.parametrize("text, reply", BAD_COMMANDS)
def test_every_bad_command_gets_a_one_line_usage_reply(
    world: BotWorld, platform: Platform, text: str, reply: str
) -> None:
    answer = world.say(text, platform=platform)
    assert answer.text == reply and not answer.ignored
    assert "\n" not in answer.text and len(answer.text) < 200
    assert world.replies() == [reply]


def test_a_bad_command_right_after_help_is_still_answered(world: BotWorld) -> None:
    # !help cools down 30 s per user and 10 s per channel; a typo is not held back by it
    assert world.say("!help").text == HELP
    assert world.say("!top abc").text == f"Usage: {USAGE[CommandName.TOP]}"
    assert world.say("!status", user="viewer-2").text == f"Usage: {USAGE[CommandName.STATUS]}"


def test_typos_in_a_busy_chat_each_get_their_usage_reply(world: BotWorld) -> None:
    users = [f"viewer-{n}" for n in range(len(BAD_COMMANDS))]
    answers = [
        world.say(text, user=user) for user, (text, _) in zip(users, BAD_COMMANDS, strict=True)
    ]
    assert [a.text for a in answers] == [reply for _, reply in BAD_COMMANDS]
    assert len(world.jobs_of(JobType.CLIPBOT_POST)) == len(BAD_COMMANDS)


def test_one_user_gets_one_usage_reply_per_window(world: BotWorld) -> None:
    assert world.say("!bogus", delivery="d-1").text
    world.clock.advance(USAGE_RULE.user_seconds - 1)
    assert world.say("!top abc", delivery="d-2").ignored  # the same user, inside the window
    assert world.say("!top abc", user="viewer-2", delivery="d-3").text  # not held back
    world.clock.advance(1)
    assert world.say("!top abc", delivery="d-4").text == f"Usage: {USAGE[CommandName.TOP]}"


def test_a_typo_does_not_use_up_the_commands_own_cooldown(world: BotWorld) -> None:
    world.say("!bogus")
    assert world.say("!help").text == HELP
    assert not world.say("!clip").ignored
