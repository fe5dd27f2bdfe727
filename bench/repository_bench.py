"""Repository throughput on SQLite and PostgreSQL: clips saved and loaded, votes under 8 threads.

Run by hand (PostgreSQL at 127.0.0.1:5432 for the second column; it uses a throwaway schema):

    .venv/bin/python -m bench.repository_bench [--clips 2000] [--votes 4000] [--threads 8]

Every operation is one unit of work (one transaction, committed), as a request would do it.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from tests.builders import a_clip, a_source, a_user, at
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database, sqlite_url

from clipnet.adapters.memory.queue import SynchronousJobQueue
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.domain.clipbot.model import Direction
from clipnet.domain.clipbot.voting import VotingService
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.highlights.scoring import Score
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import ConcurrencyConflict
from clipnet.domain.shared.platforms import Platform


def a_scored_clip(clip_id: str) -> Clip:
    """A clip as it looks when ready: score, transcript, history and assets filled in."""
    clip = a_clip(clip_id, title="Clutch play", hashtags=("#gg", "#clip"))
    clip.move_to(ClipStatus.QUEUED, at(1))
    clip.move_to(ClipStatus.SCORING, at(2))
    clip.score = Score({"loudness": 0.9, "motion": 0.4}, {"loudness": 1, "motion": 1}, 65, "loud")
    words = [Word(f"word{i}", i * 0.4, i * 0.4 + 0.3, 0.9) for i in range(60)]
    clip.transcript = Transcript(words, "en")
    clip.assets = {"video": f"clips/{clip_id}/video.mp4", "thumbnail": f"clips/{clip_id}/t.jpg"}
    return clip


def rate(count: int, action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return count / (time.perf_counter() - started)


def save_clips(db: SqlDatabase, ids: list[str]) -> None:
    for clip_id in ids:
        with db.unit_of_work() as uow:
            uow.clips.add(a_scored_clip(clip_id))
            uow.commit()


def load_clips(db: SqlDatabase, ids: list[str]) -> None:
    for clip_id in ids:
        with db.unit_of_work() as uow:
            uow.clips.get(clip_id)


def cast_votes(db: SqlDatabase, clip_ids: list[str], votes: int, threads: int) -> int:
    """Votes through the voting service (load clip, upsert vote, tally, commit) from threads."""
    clock = SystemClock()
    service = VotingService(
        db.unit_of_work,
        Outbox(SynchronousJobQueue(), clock, TimeOrderedIds()),
        clock,
        lambda *_: 10**9,
    )
    conflicts = itertools.count()

    def voter(thread: int) -> None:
        rng = random.Random(thread)
        for n in range(votes // threads):
            clip_id = rng.choice(clip_ids)
            user = f"viewer-{rng.randrange(votes)}"
            direction = Direction.UP if n % 3 else Direction.DOWN
            while True:
                try:
                    service.cast(clip_id, Platform.TWITCH, user, direction)
                    break
                except ConcurrencyConflict:
                    next(conflicts)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(voter, range(threads)))
    return next(conflicts)


@contextmanager
def databases(names: list[str], pool_size: int) -> Iterator[Iterator[tuple[str, SqlDatabase]]]:
    with tempfile.TemporaryDirectory() as folder:

        def each() -> Iterator[tuple[str, SqlDatabase]]:
            if "sqlite" in names:
                with sql_database(sqlite_url(Path(folder)), pool_size=pool_size) as db:
                    yield "SQLite (file, WAL)", db
            if "postgres" in names:
                if not postgres_available():
                    print("PostgreSQL at 127.0.0.1:5432 is not available: skipped")
                    return
                with postgres_schema_url() as url, sql_database(url, pool_size=pool_size) as db:
                    yield "PostgreSQL 127.0.0.1", db

        yield each()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=2000)
    parser.add_argument("--votes", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()

    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(f"{'backend':<22} {'clips saved/s':>14} {'clips loaded/s':>15} {'votes/s':>10}")
    with databases(args.backends.split(","), pool_size=args.threads) as each:
        for name, db in each:
            with db.unit_of_work() as uow:
                uow.users.add(a_user())
                uow.sources.add(a_source())
                uow.commit()
            ids = [f"clip-{i:06d}" for i in range(args.clips)]
            saved = rate(len(ids), lambda: save_clips(db, ids))  # noqa: B023
            loaded = rate(len(ids), lambda: load_clips(db, ids))  # noqa: B023
            voted_clips = ids[:20]
            conflicts: list[int] = []
            votes = rate(
                args.votes,
                lambda: conflicts.append(cast_votes(db, voted_clips, args.votes, args.threads)),  # noqa: B023
            )
            print(
                f"{name:<22} {saved:>14.0f} {loaded:>15.0f} {votes:>10.0f}"
                f"   ({args.threads} threads, {conflicts[0]} retried)"
            )


if __name__ == "__main__":
    main()
