"""An in-memory database with real transactions: staged writes, version checks, atomic commit."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Collection, Hashable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import attrs

from clipnet.domain.accounts.model import OAuthAccount, User
from clipnet.domain.clipbot.model import Tally, Vote, VoterKey
from clipnet.domain.clips.model import Clip, ClipSummary
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.jobs.stats import JobTally
from clipnet.domain.publishing.model import Post
from clipnet.domain.shared.errors import ConcurrencyConflict, InvalidInput, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source
from clipnet.ports.repositories import ClipQuery

T = TypeVar("T")
_DELETED = object()
_NEW = -1


def clone(entity: T) -> T:
    """A copy of an entity that shares its immutable values and copies its lists and dicts.

    Entities carry a ``version``; value objects are frozen and are shared as they are.
    """
    if not hasattr(entity, "version"):
        return entity
    mutable = {
        f.name: copy.deepcopy(getattr(entity, f.name))
        for f in attrs.fields(type(entity))  # type: ignore[arg-type]
        if isinstance(getattr(entity, f.name), list | dict)
    }
    return attrs.evolve(entity, **mutable)  # type: ignore[misc]


class InMemoryDatabase:
    """Committed state shared by every unit of work made from it. Thread-safe.

    Unique secondary keys (a user's email, a job's idempotency key...) are kept in an index,
    like a database's unique constraint, so a commit costs what it writes, not the table size.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tables: dict[str, dict[Hashable, Any]] = {}
        self._row_locks: dict[tuple[str, Hashable], threading.Lock] = {}
        self._unique_index: dict[str, dict[Hashable, Hashable]] = {}

    def table(self, name: str) -> dict[Hashable, Any]:
        return self.tables.setdefault(name, {})

    def row_lock(self, table: str, key: Hashable) -> threading.Lock:
        """The lock a unit of work holds on one row until it ends (``SELECT ... FOR UPDATE``)."""
        with self.lock:
            return self._row_locks.setdefault((table, key), threading.Lock())

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)

    def check_unique(self, table: str, staged: dict[Hashable, Any]) -> None:
        """Refuse ``staged`` rows whose unique key another row holds after the commit."""
        key_of = _UNIQUE.get(table)
        if key_of is None:
            return
        index = self._unique_index.setdefault(table, {})
        claimed: dict[Hashable, Hashable] = {}
        for key, row in staged.items():
            if row is _DELETED:
                continue
            unique_key = key_of(row)
            holder = claimed.setdefault(unique_key, key)
            if holder == key:
                holder = index.get(unique_key, key)
                # A holder staged in this transaction is checked by its own new row.
                if holder in staged:
                    holder = key
            if holder != key:
                raise ConcurrencyConflict(
                    f"{table}: {unique_key!r} was taken by a concurrent transaction"
                )

    def apply(self, table: str, staged: dict[Hashable, Any]) -> None:
        """Write ``staged`` rows (checked already) and keep the unique index in step."""
        target = self.table(table)
        key_of = _UNIQUE.get(table)
        index = self._unique_index.setdefault(table, {})
        for key, row in staged.items():
            old = target.get(key)
            if key_of is not None and old is not None and index.get(key_of(old)) == key:
                del index[key_of(old)]
            if row is _DELETED:
                target.pop(key, None)
                continue
            target[key] = row
            if key_of is not None:
                index[key_of(row)] = key


class _Transaction:
    """Writes staged by one unit of work, applied all at once on commit."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db
        self.writes: dict[str, dict[Hashable, Any]] = {}
        self.expected: dict[tuple[str, Hashable], int] = {}
        self._held: dict[tuple[str, Hashable], threading.Lock] = {}

    def lock(self, table: str, key: Hashable) -> None:
        """Hold the row until this transaction ends; waits while another one holds it."""
        if (table, key) not in self._held:
            row_lock = self.db.row_lock(table, key)
            row_lock.acquire()
            self._held[(table, key)] = row_lock

    def end(self) -> None:
        """Forget what is staged and let go of the rows held."""
        self.writes.clear()
        self.expected.clear()
        for row_lock in self._held.values():
            row_lock.release()
        self._held.clear()

    def read(self, table: str, key: Hashable) -> Any:
        staged = self.writes.get(table, {})
        if key in staged:
            row = staged[key]
        else:
            with self.db.lock:
                row = self.db.table(table).get(key, _DELETED)
        return None if row is _DELETED else clone(row)

    def rows(self, table: str) -> Iterator[Any]:
        with self.db.lock:
            merged = dict(self.db.table(table))
        merged.update(self.writes.get(table, {}))
        return (clone(row) for row in merged.values() if row is not _DELETED)

    def insert(self, table: str, key: Hashable, row: Any) -> None:
        if self.read(table, key) is not None:
            raise InvalidInput(f"{table} {key!r} already exists")
        self.expected.setdefault((table, key), _NEW)
        self._stage(table, key, clone(row))

    def update(self, table: str, key: Hashable, row: Any) -> None:
        """Stage a versioned update; bumps ``row.version`` like the SQL adapter does."""
        current = self.read(table, key)
        if current is None:
            raise NotFound(table.rstrip("s"), str(key))
        if current.version != row.version:
            raise ConcurrencyConflict(f"{table} {key!r} changed since it was loaded")
        self.expected.setdefault((table, key), row.version)
        row.version += 1
        self._stage(table, key, clone(row))

    def put(self, table: str, key: Hashable, row: Any) -> None:
        """Stage an unversioned insert-or-replace."""
        self._stage(table, key, clone(row))

    def delete(self, table: str, key: Hashable) -> None:
        self._stage(table, key, _DELETED)

    def _stage(self, table: str, key: Hashable, row: Any) -> None:
        self.writes.setdefault(table, {})[key] = row

    def commit(self) -> None:
        with self.db.lock:
            for (table, key), version in self.expected.items():
                current = self.db.table(table).get(key)
                if version == _NEW and current is not None:
                    raise InvalidInput(f"{table} {key!r} already exists")
                if version != _NEW and (current is None or current.version != version):
                    raise ConcurrencyConflict(f"{table} {key!r} changed since it was loaded")
            for table, rows in self.writes.items():
                self.db.check_unique(table, rows)
            for table, rows in self.writes.items():
                self.db.apply(table, rows)
        self.end()


#: Unique secondary keys, checked at commit like database constraints.
_UNIQUE: dict[str, Callable[[Any], Hashable]] = {
    "users": lambda user: user.email.lower(),
    "jobs": lambda job: job.idempotency_key,
    "posts": lambda post: post.idempotency_key,
    # Share tokens are unique; an unshared clip ("") holds none.
    "clips": lambda clip: clip.share_token or ("unshared", clip.id),
}


class _Repository:
    table = ""

    def __init__(self, tx: _Transaction) -> None:
        self._tx = tx

    def _get(self, key: Hashable, what: str) -> Any:
        row = self._tx.read(self.table, key)
        if row is None:
            raise NotFound(what, str(key))
        return row


class InMemorySourceRepository(_Repository):
    table = "sources"

    def add(self, source: Source) -> None:
        self._tx.insert(self.table, source.id, source)

    def get(self, source_id: str) -> Source:
        return self._get(source_id, "source")  # type: ignore[no-any-return]

    def update(self, source: Source) -> None:
        self._tx.update(self.table, source.id, source)

    def delete(self, source_id: str) -> None:
        self._tx.delete(self.table, source_id)

    def list_for_owner(self, owner_id: str, limit: int = 100) -> list[Source]:
        mine = [s for s in self._tx.rows(self.table) if s.owner_id == owner_id]
        return sorted(mine, key=lambda s: s.id, reverse=True)[:limit]


class InMemoryClipRepository(_Repository):
    table = "clips"

    def add(self, clip: Clip) -> None:
        self._tx.insert(self.table, clip.id, clip)

    def get(self, clip_id: str, *, lock: bool = False) -> Clip:
        if lock:
            self._tx.lock(self.table, clip_id)
        return self._get(clip_id, "clip")  # type: ignore[no-any-return]

    def update(self, clip: Clip) -> None:
        self._tx.update(self.table, clip.id, clip)

    def delete(self, clip_id: str) -> None:
        self._tx.delete(self.table, clip_id)
        for vote in list(self._tx.rows("votes")):
            if vote.clip_id == clip_id:
                self._tx.delete("votes", vote.key)
        for post in list(self._tx.rows("posts")):
            if post.clip_id == clip_id:
                self._tx.delete("posts", post.id)

    def search(self, query: ClipQuery) -> list[Clip]:
        def wanted(clip: Clip) -> bool:
            return (
                (query.owner_id is None or clip.owner_id == query.owner_id)
                and (query.source_id is None or clip.source_id == query.source_id)
                and (not query.statuses or clip.status in query.statuses)
                and (
                    query.min_score is None
                    or (clip.score is not None and clip.score.total >= query.min_score)
                )
                and (
                    query.auto_post_eligible is None
                    or clip.auto_post_eligible is query.auto_post_eligible
                )
                and (query.approved is None or clip.approved is query.approved)
                and (query.after is None or clip.id > query.after)
            )

        matching = sorted((c for c in self._tx.rows(self.table) if wanted(c)), key=lambda c: c.id)
        return matching[: query.limit]

    def summaries(self, query: ClipQuery) -> list[ClipSummary]:
        return [ClipSummary.of(clip) for clip in self.search(query)]

    def find_shared(self, share_token: str) -> Clip | None:
        if not share_token:
            return None
        found = [c for c in self._tx.rows(self.table) if c.share_token == share_token]
        return found[0] if found else None


class InMemoryVoteRepository(_Repository):
    table = "votes"

    def get(self, key: VoterKey) -> Vote | None:
        return self._tx.read(self.table, key)  # type: ignore[no-any-return]

    def put(self, vote: Vote) -> None:
        if self._tx.read("clips", vote.clip_id) is None:
            raise NotFound("clip", vote.clip_id)
        self._tx.put(self.table, vote.key, vote)

    def remove(self, key: VoterKey) -> bool:
        existed = self.get(key) is not None
        self._tx.delete(self.table, key)
        return existed

    def for_clip(self, clip_id: str) -> list[Vote]:
        votes = [v for v in self._tx.rows(self.table) if v.clip_id == clip_id]
        return sorted(votes, key=lambda v: (v.platform, v.platform_user))

    def tally(self, clip_id: str) -> Tally:
        return Tally.of(self.for_clip(clip_id))


class InMemoryUserRepository(_Repository):
    table = "users"

    def add(self, user: User) -> None:
        if self.find_by_email(user.email) is not None:
            raise InvalidInput(f"email {user.email!r} is already registered")
        self._tx.insert(self.table, user.id, user)

    def get(self, user_id: str) -> User:
        return self._get(user_id, "user")  # type: ignore[no-any-return]

    def find_by_email(self, email: str) -> User | None:
        wanted = email.lower()
        return next((u for u in self._tx.rows(self.table) if u.email.lower() == wanted), None)

    def update(self, user: User) -> None:
        self._tx.update(self.table, user.id, user)


class InMemoryOAuthAccountRepository(_Repository):
    table = "oauth_accounts"

    def save(self, account: OAuthAccount) -> None:
        self._tx.put(self.table, (account.user_id, account.provider), account)

    def find(self, user_id: str, provider: Platform) -> OAuthAccount | None:
        return self._tx.read(self.table, (user_id, provider))  # type: ignore[no-any-return]

    def list_for_user(self, user_id: str) -> list[OAuthAccount]:
        mine = [a for a in self._tx.rows(self.table) if a.user_id == user_id]
        return sorted(mine, key=lambda a: a.provider.value)

    def delete(self, user_id: str, provider: Platform) -> None:
        self._tx.delete(self.table, (user_id, provider))


class InMemoryPostRepository(_Repository):
    table = "posts"

    def add(self, post: Post) -> Post:
        existing = next(
            (p for p in self._tx.rows(self.table) if p.idempotency_key == post.idempotency_key),
            None,
        )
        if existing is not None:
            return existing  # type: ignore[no-any-return]
        self._tx.insert(self.table, post.id, post)
        return post

    def get(self, post_id: str) -> Post:
        return self._get(post_id, "post")  # type: ignore[no-any-return]

    def update(self, post: Post) -> None:
        self._tx.update(self.table, post.id, post)

    def list_for_clip(self, clip_id: str) -> list[Post]:
        posts = [p for p in self._tx.rows(self.table) if p.clip_id == clip_id]
        return sorted(posts, key=lambda p: (p.created_at, p.id))


class InMemoryJobRepository(_Repository):
    table = "jobs"

    def add(self, job: Job) -> Job:
        existing = next(
            (j for j in self._tx.rows(self.table) if j.idempotency_key == job.idempotency_key),
            None,
        )
        if existing is not None:
            return existing  # type: ignore[no-any-return]
        self._tx.insert(self.table, job.id, job)
        return job

    def get(self, job_id: str) -> Job:
        return self._get(job_id, "job")  # type: ignore[no-any-return]

    def find_by_key(self, idempotency_key: str) -> Job | None:
        return next(
            (j for j in self._tx.rows(self.table) if j.idempotency_key == idempotency_key), None
        )

    def update(self, job: Job) -> None:
        self._tx.update(self.table, job.id, job)

    def recent(self, status: JobStatus | None = None, limit: int = 100) -> list[Job]:
        jobs = [j for j in self._tx.rows(self.table) if status is None or j.status is status]
        return sorted(jobs, key=lambda j: (j.created_at, j.id), reverse=True)[:limit]

    def undispatched(self, limit: int = 100) -> list[Job]:
        waiting = [
            j
            for j in self._tx.rows(self.table)
            if j.status is JobStatus.QUEUED and not j.dispatched
        ]
        return sorted(waiting, key=lambda j: (j.created_at, j.id))[:limit]

    def tally(self) -> list[JobTally]:
        groups: dict[tuple[JobType, JobStatus], list[Job]] = {}
        for job in self._tx.rows(self.table):
            groups.setdefault((job.type, job.status), []).append(job)
        return [_tally(jobs) for jobs in groups.values()]

    def claim_due(
        self, now: datetime, limit: int = 100, ids: Collection[str] | None = None
    ) -> list[Job]:
        # No row locks here: the commit's version check stops a second claimer instead.
        wanted = None if ids is None else set(ids)
        due = [
            j
            for j in self._tx.rows(self.table)
            if j.status in (JobStatus.QUEUED, JobStatus.FAILED)
            and not j.dispatched
            and j.is_due(now)
            and (wanted is None or j.id in wanted)
        ]
        return sorted(due, key=lambda j: (j.created_at, j.id))[:limit]


def _tally(jobs: list[Job]) -> JobTally:
    """The tally of jobs of one type in one status (timings count for succeeded ones only)."""
    first = jobs[0]
    timed = first.status is JobStatus.SUCCEEDED
    return JobTally(
        first.type,
        first.status,
        count=len(jobs),
        retries=sum(max(0, job.attempts - 1) for job in jobs),
        run_seconds=sum(_seconds(j.started_at, j.finished_at) for j in jobs) if timed else 0.0,
        latency_seconds=sum(_seconds(j.created_at, j.finished_at) for j in jobs) if timed else 0.0,
    )


def _seconds(start: datetime | None, end: datetime | None) -> float:
    return 0.0 if start is None or end is None else (end - start).total_seconds()


class InMemoryUnitOfWork:
    """One transaction over an :class:`InMemoryDatabase`."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db
        self._begin()

    def _begin(self) -> None:
        self._tx = _Transaction(self._db)
        self.sources = InMemorySourceRepository(self._tx)
        self.clips = InMemoryClipRepository(self._tx)
        self.votes = InMemoryVoteRepository(self._tx)
        self.users = InMemoryUserRepository(self._tx)
        self.oauth_accounts = InMemoryOAuthAccountRepository(self._tx)
        self.posts = InMemoryPostRepository(self._tx)
        self.jobs = InMemoryJobRepository(self._tx)

    def __enter__(self) -> Self:
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self._tx.commit()

    def rollback(self) -> None:
        self._tx.end()
