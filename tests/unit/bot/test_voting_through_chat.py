"""Votes from many chat users at once: tallies match each user's last word, eligibility once."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.domain.clipbot.model import Tally
from clipnet.domain.jobs.model import JobType
from tests.bot_world import SOURCE, BotWorld, bot_world
from tests.builders import a_clip
from tests.strategies import CHAT_VOTE_LINES, chat_vote_scripts

ACTIONS = CHAT_VOTE_LINES
POST_JOBS = (JobType.POST_YOUTUBE, JobType.POST_TIKTOK)


def world_without_cooldowns(threshold: int) -> BotWorld:
    world = bot_world(threshold=threshold, cooldowns={})
    with world.db.unit_of_work() as uow:
        uow.clips.add(a_clip("clip-a", SOURCE))
        uow.commit()
    return world


def expected_tally(scripts: dict[str, list[str]]) -> Tally:
    last = [script[-1] for script in scripts.values()]
    return Tally(up=last.count(ACTIONS[0]), down=last.count(ACTIONS[1]))


@settings(max_examples=40, deadline=None)
@given(chat_vote_scripts(), st.integers(min_value=1, max_value=4))
def test_concurrent_votes_leave_each_users_last_vote_and_enqueue_posting_at_most_once(
    scripts: dict[str, list[str]], threshold: int
) -> None:
    world = world_without_cooldowns(threshold)
    errors: list[BaseException] = []

    def chat(user: str, lines: list[str]) -> None:
        try:
            for number, line in enumerate(lines):
                world.say(line, user=user, delivery=f"{user}-{number}")
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=chat, args=item) for item in scripts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert world.voting.tally("clip-a") == expected_tally(scripts)
    for job_type in POST_JOBS:
        assert len(world.jobs_of(job_type)) <= 1
    with world.db.unit_of_work() as uow:
        stored = [j for j in uow.jobs.recent(limit=1000) if j.type in POST_JOBS]
        eligible = uow.clips.get("clip-a").auto_post_eligible
    assert len(stored) == (2 if eligible else 0)
    if expected_tally(scripts).net >= threshold:
        assert eligible
