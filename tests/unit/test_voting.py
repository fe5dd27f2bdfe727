"""ClipBOT voting: one vote per platform user per clip, tallies, auto-post eligibility once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.domain.clipbot.model import Direction, Tally
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import NotFound
from clipnet.domain.shared.platforms import Platform
from tests.builders import a_clip, a_source, a_user
from tests.strategies import platforms


def voting(threshold: int = 3) -> tuple[VotingService, RecordingJobQueue, InMemoryDatabase]:
    db, queue, clock = InMemoryDatabase(), RecordingJobQueue(), ManualClock()
    with db.unit_of_work() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.clips.add(a_clip())
        uow.commit()
    outbox = Outbox(queue, clock, SequentialIds("job"))
    return VotingService(db.unit_of_work, outbox, clock, lambda *_: threshold), queue, db


def test_a_changed_vote_counts_once() -> None:
    service, _, _ = voting()
    service.cast("clip-1", Platform.TWITCH, "alice", Direction.UP)
    tally = service.cast("clip-1", Platform.TWITCH, "alice", Direction.DOWN)
    assert tally == Tally(up=0, down=1)


def test_the_same_name_on_two_platforms_is_two_voters() -> None:
    service, _, _ = voting()
    service.cast("clip-1", Platform.TWITCH, "alice", Direction.UP)
    assert service.cast("clip-1", Platform.DISCORD, "alice", Direction.UP) == Tally(up=2)


def test_a_withdrawn_vote_stops_counting() -> None:
    service, _, _ = voting()
    service.cast("clip-1", Platform.TWITCH, "alice", Direction.UP)
    assert service.withdraw("clip-1", Platform.TWITCH, "alice") == Tally()
    assert service.withdraw("clip-1", Platform.TWITCH, "alice") == Tally()


def test_voting_on_an_unknown_clip_is_not_found() -> None:
    service, _, _ = voting()
    with pytest.raises(NotFound):
        service.cast("ghost", Platform.TWITCH, "alice", Direction.UP)
    with pytest.raises(NotFound):
        service.tally("ghost")


def test_passing_the_threshold_enqueues_auto_posting_once() -> None:
    service, queue, db = voting(threshold=2)
    service.cast("clip-1", Platform.TWITCH, "a", Direction.UP)
    assert queue.jobs == []
    service.cast("clip-1", Platform.TWITCH, "b", Direction.UP)
    service.cast("clip-1", Platform.TWITCH, "c", Direction.UP)
    service.withdraw("clip-1", Platform.TWITCH, "c")
    service.cast("clip-1", Platform.TWITCH, "d", Direction.UP)
    assert sorted(queue.types()) == ["post:tiktok", "post:youtube"]
    with db.unit_of_work() as uow:
        assert uow.clips.get("clip-1").auto_post_eligible
        assert len(uow.jobs.recent()) == 2


votes_actions = st.lists(
    st.tuples(
        platforms,
        st.sampled_from(["u1", "u2", "u3", "u4", "u5"]),
        st.sampled_from([Direction.UP, Direction.DOWN, None]),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(votes_actions, st.integers(min_value=1, max_value=4))
def test_any_interleaving_leaves_the_tally_equal_to_current_votes(
    actions: list[tuple[Platform, str, Direction | None]], threshold: int
) -> None:
    service, queue, _ = voting(threshold)
    current: dict[tuple[Platform, str], Direction] = {}
    ever_eligible = False
    for platform, user, direction in actions:
        if direction is None:
            tally = service.withdraw("clip-1", platform, user)
            current.pop((platform, user), None)
        else:
            tally = service.cast("clip-1", platform, user, direction)
            current[(platform, user)] = direction
        expected = Tally(
            up=sum(1 for d in current.values() if d is Direction.UP),
            down=sum(1 for d in current.values() if d is Direction.DOWN),
        )
        assert tally == expected
        ever_eligible = ever_eligible or expected.net >= threshold
    assert len(queue.jobs) == (2 if ever_eligible else 0)
    assert len({job.idempotency_key for job in queue.jobs}) == len(queue.jobs)


def _set_clip(db: InMemoryDatabase, **changes: object) -> None:
    with db.unit_of_work() as uow:
        clip = uow.clips.get("clip-1")
        for name, value in changes.items():
            setattr(clip, name, value)
        uow.clips.update(clip)
        uow.commit()


def test_a_rejected_clip_is_never_auto_posted_however_many_votes_it_gets() -> None:
    service, queue, db = voting(threshold=1)
    _set_clip(db, status=ClipStatus.REJECTED)
    service.cast("clip-1", Platform.TWITCH, "a", Direction.UP)
    service.cast("clip-1", Platform.TWITCH, "b", Direction.UP)
    assert service.post_eligible() == 0
    assert service.queue_auto_posts("clip-1") == []
    assert queue.jobs == []


def test_an_approved_ready_clip_is_auto_posted_without_votes_once() -> None:
    service, queue, db = voting(threshold=100)
    _set_clip(db, status=ClipStatus.READY, approved=True)
    assert service.post_eligible() == 2  # the worker's start-up catch-up takes it
    assert service.post_eligible() == 0
    assert service.queue_auto_posts("clip-1") == []
    assert sorted(queue.types()) == ["post:tiktok", "post:youtube"]


def test_a_clip_neither_approved_nor_voted_eligible_is_not_auto_posted() -> None:
    service, queue, db = voting(threshold=100)
    _set_clip(db, status=ClipStatus.READY)
    assert service.post_eligible() == 0 and service.queue_auto_posts("clip-1") == []
    assert queue.jobs == []
