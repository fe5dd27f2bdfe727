"""Repositories and the unit of work that groups their changes into one transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

import attrs

from clipnet.domain.accounts.model import OAuthAccount, User
from clipnet.domain.clipbot.model import Tally, Vote, VoterKey
from clipnet.domain.clips.model import Clip, ClipStatus, ClipSummary
from clipnet.domain.jobs.model import Job, JobStatus
from clipnet.domain.jobs.stats import JobTally
from clipnet.domain.publishing.model import Post
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source


class SourceRepository(Protocol):
    def add(self, source: Source) -> None:
        """Store a new source. Raises ``InvalidInput`` if the id is taken."""

    def get(self, source_id: str) -> Source:
        """The source with this id. Raises ``NotFound``."""

    def update(self, source: Source) -> None:
        """Save changes; raises ``ConcurrencyConflict`` if it changed since it was loaded."""

    def delete(self, source_id: str) -> None:
        """Remove the source (a missing one is not an error)."""

    def list_for_owner(self, owner_id: str, limit: int = 100) -> list[Source]:
        """The owner's sources, newest first."""


@attrs.frozen
class ClipQuery:
    """Filters and a cursor for listing clips. ``after`` is the id of the last clip seen."""

    owner_id: str | None = None
    source_id: str | None = None
    statuses: tuple[ClipStatus, ...] = ()
    min_score: float | None = None
    auto_post_eligible: bool | None = None
    """Only clips that are (True) or are not (False) eligible for auto-posting."""
    approved: bool | None = None
    """Only clips their owner approved (True) or did not (False)."""
    after: str | None = None
    limit: int = 50


class ClipRepository(Protocol):
    def add(self, clip: Clip) -> None:
        """Store a new clip. Raises ``InvalidInput`` if the id is taken."""

    def get(self, clip_id: str, *, lock: bool = False) -> Clip:
        """The clip with this id. Raises ``NotFound``.

        ``lock``: hold the clip until this unit of work ends, so another unit of work that
        locks it waits its turn. For a change that reads the clip, writes beside it (its
        votes) and decides on what it read: unlocked, two such changes could each miss the
        other's write and both decide wrongly.
        """

    def update(self, clip: Clip) -> None:
        """Save changes and bump ``clip.version``.

        Raises ``ConcurrencyConflict`` when the stored version is not the one loaded, so two
        workers advancing the same clip cannot both succeed.
        """

    def delete(self, clip_id: str) -> None:
        """Remove the clip and its votes and posts (a missing one is not an error)."""

    def search(self, query: ClipQuery) -> list[Clip]:
        """Matching clips ordered by id (ids sort by creation time), after the cursor."""

    def summaries(self, query: ClipQuery) -> list[ClipSummary]:
        """What :meth:`search` finds, as summaries: the cheap read behind a list of clips."""

    def find_shared(self, share_token: str) -> Clip | None:
        """The clip shared under this token (tokens are unique); None for any other."""


class VoteRepository(Protocol):
    def get(self, key: VoterKey) -> Vote | None:
        """This voter's current vote on the clip, if any."""

    def put(self, vote: Vote) -> None:
        """Record or replace the voter's vote (one per clip, platform and platform user)."""

    def remove(self, key: VoterKey) -> bool:
        """Withdraw the voter's vote; False when there was none."""

    def for_clip(self, clip_id: str) -> list[Vote]:
        """Every current vote on the clip."""

    def tally(self, clip_id: str) -> Tally:
        """Counts of the clip's current votes (equal to ``Tally.of(for_clip(...))``)."""


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user. Raises ``InvalidInput`` if the id or email is taken."""

    def get(self, user_id: str) -> User:
        """Raises ``NotFound``."""

    def find_by_email(self, email: str) -> User | None:
        """Case-insensitive lookup."""

    def update(self, user: User) -> None:
        """Raises ``ConcurrencyConflict`` on a stale version."""


class OAuthAccountRepository(Protocol):
    def save(self, account: OAuthAccount) -> None:
        """Insert or replace the user's account on ``account.provider``."""

    def find(self, user_id: str, provider: Platform) -> OAuthAccount | None:
        """The user's account on a provider, if linked."""

    def list_for_user(self, user_id: str) -> list[OAuthAccount]:
        """All accounts the user linked."""

    def delete(self, user_id: str, provider: Platform) -> None:
        """Unlink (a missing one is not an error)."""


class PostRepository(Protocol):
    def add(self, post: Post) -> Post:
        """Store a new post, or return the existing one with the same idempotency key."""

    def get(self, post_id: str) -> Post:
        """Raises ``NotFound``."""

    def update(self, post: Post) -> None:
        """Raises ``ConcurrencyConflict`` on a stale version."""

    def list_for_clip(self, clip_id: str) -> list[Post]:
        """The clip's posts, oldest first."""


class JobRepository(Protocol):
    """The job table, which is also the transactional outbox."""

    def add(self, job: Job) -> Job:
        """Store a new job, or return the existing one with the same idempotency key."""

    def get(self, job_id: str) -> Job:
        """Raises ``NotFound``."""

    def find_by_key(self, idempotency_key: str) -> Job | None:
        """The job recorded under this idempotency key, if any."""

    def update(self, job: Job) -> None:
        """Raises ``ConcurrencyConflict`` on a stale version."""

    def recent(self, status: JobStatus | None = None, limit: int = 100) -> list[Job]:
        """Jobs, newest first, optionally only those in ``status``."""

    def undispatched(self, limit: int = 100) -> list[Job]:
        """Queued jobs not yet handed to the broker, oldest first (the outbox relay's work)."""

    def tally(self) -> list[JobTally]:
        """One tally per (type, status) that has jobs, in no particular order."""

    def claim_due(
        self, now: datetime, limit: int = 100, ids: Collection[str] | None = None
    ) -> list[Job]:
        """Queued or failed jobs not dispatched and due by ``now`` (only ``ids`` if given),
        oldest first. (Running jobs belong to a worker; the broker redelivers a dead one's.)

        The rows stay locked until this unit of work ends, and a concurrent claim skips them
        (SQL: ``FOR UPDATE SKIP LOCKED``), so two relays never hand the same job over.
        """


class UnitOfWork(Protocol):
    """One transaction across every repository. Leaving the block without commit rolls back."""

    sources: SourceRepository
    clips: ClipRepository
    votes: VoteRepository
    users: UserRepository
    oauth_accounts: OAuthAccountRepository
    posts: PostRepository
    jobs: JobRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make every change since the block began durable and visible, atomically."""

    def rollback(self) -> None:
        """Forget every change since the block began (or since the last commit)."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Services take a factory and open one unit of work per operation (thread-safe by design)."""

__all__ = [
    "ClipQuery",
    "ClipRepository",
    "JobRepository",
    "OAuthAccountRepository",
    "PostRepository",
    "SourceRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
    "VoteRepository",
]
