"""Many threads, one clip: the database's constraints and version checks keep the data right.

Runs on real PostgreSQL (the production database) and on SQLite (the embedded default).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from clipnet.adapters.memory.queue import SynchronousJobQueue
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.domain.clipbot.model import Direction, Tally
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import ConcurrencyConflict
from clipnet.domain.shared.platforms import Platform
from tests.builders import a_clip, a_job, a_source, a_user, at
from tests.conftest import require_service
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database, sqlite_url

T = TypeVar("T")
THREADS = 8


@pytest.fixture(params=["postgres", "sqlite"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlDatabase]:
    if request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path), pool_size=THREADS) as database:
            yield database
    else:
        require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
        with postgres_schema_url() as url, sql_database(url, pool_size=THREADS) as database:
            yield database


def seed_clip(db: SqlDatabase, clip_id: str = "clip-1") -> str:
    with db.unit_of_work() as uow:
        if uow.users.find_by_email("user-1@example.com") is None:
            uow.users.add(a_user())
            uow.sources.add(a_source())
        uow.clips.add(a_clip(clip_id))
        uow.commit()
    return clip_id


def voting(db: SqlDatabase, threshold: int) -> VotingService:
    clock = SystemClock()
    outbox = Outbox(SynchronousJobQueue(), clock, TimeOrderedIds())
    return VotingService(db.unit_of_work, outbox, clock, lambda *_: threshold)


def retrying(action: Callable[[], T], tries: int = 100) -> T:
    """What a request handler does with a lost race: try again on fresh data."""
    for _ in range(tries - 1):
        try:
            return action()
        except ConcurrencyConflict:
            continue
    return action()


def in_threads(work: Callable[[int], T], count: int = THREADS) -> list[T]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(work, range(count)))


def test_many_threads_changing_votes_leave_one_vote_per_voter(db: SqlDatabase) -> None:
    # given one clip and 40 viewers
    clip_id = seed_clip(db)
    service = voting(db, threshold=10**6)
    voters = [f"viewer-{i}" for i in range(40)]

    # when 8 threads each make every viewer vote once more, in their own order and direction
    def vote_as_everyone(seed: int) -> None:
        rng = random.Random(seed)
        for voter in rng.sample(voters, len(voters)):
            direction = rng.choice([Direction.UP, Direction.DOWN])
            retrying(lambda: service.cast(clip_id, Platform.TWITCH, voter, direction))  # noqa: B023

    in_threads(vote_as_everyone)

    # then each viewer has exactly one current vote, and the tally counts exactly those
    tally = service.tally(clip_id)
    with db.unit_of_work() as uow:
        votes = uow.votes.for_clip(clip_id)
    assert tally.voters == len(voters)
    assert sorted(v.platform_user for v in votes) == sorted(voters)
    assert tally == Tally.of(votes)


def test_votes_crossing_the_threshold_together_enqueue_the_post_jobs_once(
    db: SqlDatabase,
) -> None:
    clip_id = seed_clip(db)
    service = voting(db, threshold=5)

    def upvote(thread: int) -> None:
        for i in range(3):
            voter = f"viewer-{thread}-{i}"
            retrying(lambda: service.cast(clip_id, Platform.DISCORD, voter, Direction.UP))  # noqa: B023

    in_threads(upvote)

    with db.unit_of_work() as uow:
        assert uow.votes.tally(clip_id) == Tally(up=3 * THREADS)
        assert uow.clips.get(clip_id).auto_post_eligible
        assert uow.clips.get(clip_id).version == 1, "the eligibility was saved exactly once"
        keys = sorted(j.idempotency_key for j in uow.jobs.recent())
    assert keys == [f"post:tiktok:{clip_id}", f"post:youtube:{clip_id}"]


@pytest.mark.parametrize("round_", range(5))
def test_two_concurrent_transitions_of_one_clip_have_exactly_one_winner(
    db: SqlDatabase, round_: int
) -> None:
    clip_id = seed_clip(db)
    both_loaded = threading.Barrier(2, timeout=30)
    targets = [ClipStatus.QUEUED, ClipStatus.CANCELLED]

    def advance(index: int) -> str:
        with db.unit_of_work() as uow:
            clip = uow.clips.get(clip_id)
            both_loaded.wait()  # both hold version 0 before either saves
            clip.move_to(targets[index], at(round_))
            try:
                uow.clips.update(clip)
                uow.commit()
            except ConcurrencyConflict:
                return "lost"
            return "won"

    outcomes = in_threads(advance, count=2)

    assert sorted(outcomes) == ["lost", "won"]
    winner = targets[outcomes.index("won")]
    with db.unit_of_work() as uow:
        clip = uow.clips.get(clip_id)
    assert (clip.status, clip.version) == (winner, 1)
    assert [t.target for t in clip.history] == [winner], "nothing of the loser was written"


def test_concurrent_claims_of_due_jobs_never_share_a_job(db: SqlDatabase) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no row locks; there the version check stops a second claimer")
    with db.unit_of_work() as uow:
        for i in range(10):
            uow.jobs.add(a_job(f"job-{i}", created_at=at(i)))
        uow.commit()

    with db.unit_of_work() as first, db.unit_of_work() as second:
        mine = first.jobs.claim_due(at(100), limit=6)
        theirs = second.jobs.claim_due(at(100), limit=6)

    assert [j.id for j in mine] == [f"job-{i}" for i in range(6)]
    assert [j.id for j in theirs] == [f"job-{i}" for i in range(6, 10)]
