"""The repositories and unit of work over SQLAlchemy Core, one code path for every dialect.

Semantics follow the port (and the in-memory adapter, its reference):

* ``add`` of a taken id raises ``InvalidInput``; it uses ``INSERT ... ON CONFLICT DO NOTHING``
  and counts rows, so a PostgreSQL transaction is never aborted by an expected conflict;
* ``update`` runs ``UPDATE ... SET version = version + 1 WHERE id = :id AND version = :loaded``;
  no row means someone else saved first: ``ConcurrencyConflict``, and nothing is written;
* jobs and posts with a used idempotency key return the stored row: the insert does nothing
  on conflict (also under a race, which the unique constraint settles) and the row is read back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult

from clipnet.adapters.sqlalchemy import rows, tables
from clipnet.adapters.sqlalchemy.errors import translate
from clipnet.domain.accounts.model import OAuthAccount, User
from clipnet.domain.clipbot.model import Direction, Tally, Vote, VoterKey
from clipnet.domain.clips.model import Clip, ClipSummary
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.jobs.stats import JobTally
from clipnet.domain.publishing.model import Post
from clipnet.domain.shared.errors import ConcurrencyConflict, InvalidInput, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source
from clipnet.ports.repositories import (
    ClipQuery,
    ClipRepository,
    JobRepository,
    OAuthAccountRepository,
    PostRepository,
    SourceRepository,
    UnitOfWork,
    UserRepository,
    VoteRepository,
)

if TYPE_CHECKING:
    from clipnet.adapters.sqlalchemy.database import SqlDatabase

T = TypeVar("T")


class SqlUnitOfWork:
    """One database transaction on one pooled connection, taken on first use.

    ``commit`` makes the changes durable and starts a new transaction on the next statement;
    leaving the ``with`` block rolls back whatever was not committed and returns the connection.
    """

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self._connection: Connection | None = None
        # Typed as the ports: the protocol's attributes are invariant, and mypy checks each fit.
        self.sources: SourceRepository = SqlSourceRepository(self)
        self.clips: ClipRepository = SqlClipRepository(self)
        self.votes: VoteRepository = SqlVoteRepository(self)
        self.users: UserRepository = SqlUserRepository(self)
        self.oauth_accounts: OAuthAccountRepository = SqlOAuthAccountRepository(self)
        self.posts: PostRepository = SqlPostRepository(self)
        self.jobs: JobRepository = SqlJobRepository(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def commit(self) -> None:
        if self._connection is not None:
            self._guarded(self._connection.commit)

    def rollback(self) -> None:
        if self._connection is not None:
            self._guarded(self._connection.rollback)

    def close(self) -> None:
        """Roll back and return the connection to the pool (the block's end does this)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def execute(self, statement: sa.Executable, params: Any = None) -> CursorResult[Any]:
        """Run ``statement`` in this unit's transaction, with driver errors translated."""
        if self._connection is None:
            self._connection = self.db.connect()
        connection = self._connection
        return self._guarded(lambda: connection.execute(statement, params))

    def _guarded(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except exc.DBAPIError as error:
            translated = translate(error, self.db.where)
            if translated is error:
                raise
            raise translated from error

    def insert_new(self, table: sa.Table, row: Mapping[str, Any]) -> bool:
        """Insert ``row`` unless it breaks a unique key; True when it was inserted."""
        statement = (
            dialect_insert(self.db.dialect, table)
            .values(row)
            .on_conflict_do_nothing()
            # SQLAlchemy keeps the driver's row count for UPDATE and DELETE only by default.
            .execution_options(preserve_rowcount=True)
        )
        return self.execute(statement).rowcount == 1

    def upsert(self, table: sa.Table, row: Mapping[str, Any], key: Sequence[str]) -> None:
        """Insert ``row``, or replace the other columns of the row with the same ``key``."""
        insert = dialect_insert(self.db.dialect, table).values(row)
        changes = {name: insert.excluded[name] for name in row if name not in key}
        self.execute(insert.on_conflict_do_update(index_elements=list(key), set_=changes))

    def one(self, statement: sa.Select[Any]) -> sa.RowMapping | None:
        return self.execute(statement).mappings().first()

    def all(self, statement: sa.Select[Any]) -> Sequence[sa.RowMapping]:
        return self.execute(statement).mappings().all()

    def update_versioned(self, table: sa.Table, entity: Any, row: Mapping[str, Any]) -> None:
        """Save ``row`` if the stored version is still the loaded one, then bump ``entity``'s."""
        loaded = row["version"]
        changes = {k: v for k, v in row.items() if k not in ("id", "version")}
        statement = (
            sa.update(table)
            .where(table.c.id == row["id"], table.c.version == loaded)
            .values({**changes, "version": table.c.version + 1})
        )
        if self.execute(statement).rowcount != 1:
            what = table.name.rstrip("s")
            if self.one(sa.select(table.c.id).where(table.c.id == row["id"])) is None:
                raise NotFound(what, row["id"])
            raise ConcurrencyConflict(f"{what} {row['id']!r} changed since it was loaded")
        entity.version = loaded + 1


def dialect_insert(dialect: str, table: sa.Table) -> Any:
    """The dialect's INSERT, which knows ``ON CONFLICT`` (PostgreSQL and SQLite >= 3.24)."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class _Repository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow


class SqlSourceRepository(_Repository):
    t = tables.sources

    def add(self, source: Source) -> None:
        if not self._uow.insert_new(self.t, rows.source_to_row(source)):
            raise InvalidInput(f"source {source.id!r} already exists")

    def get(self, source_id: str) -> Source:
        row = self._uow.one(sa.select(self.t).where(self.t.c.id == source_id))
        if row is None:
            raise NotFound("source", source_id)
        return rows.source_from_row(row)

    def update(self, source: Source) -> None:
        self._uow.update_versioned(self.t, source, rows.source_to_row(source))

    def delete(self, source_id: str) -> None:
        self._uow.execute(sa.delete(self.t).where(self.t.c.id == source_id))

    def list_for_owner(self, owner_id: str, limit: int = 100) -> list[Source]:
        query = sa.select(self.t).where(self.t.c.owner_id == owner_id).order_by(self.t.c.id.desc())
        return [rows.source_from_row(r) for r in self._uow.all(query.limit(limit))]


class SqlClipRepository(_Repository):
    t = tables.clips

    def add(self, clip: Clip) -> None:
        if not self._uow.insert_new(self.t, rows.clip_to_row(clip)):
            raise InvalidInput(f"clip {clip.id!r} already exists")

    def get(self, clip_id: str, *, lock: bool = False) -> Clip:
        statement = sa.select(self.t).where(self.t.c.id == clip_id)
        # SQLite has no row locks (SQLAlchemy leaves FOR UPDATE out there); its one writer
        # at a time already makes a second change wait.
        row = self._uow.one(statement.with_for_update() if lock else statement)
        if row is None:
            raise NotFound("clip", clip_id)
        return rows.clip_from_row(row)

    def update(self, clip: Clip) -> None:
        self._uow.update_versioned(self.t, clip, rows.clip_to_row(clip))

    def delete(self, clip_id: str) -> None:
        # The foreign keys cascade too; deleting explicitly keeps the rule visible here.
        self._uow.execute(sa.delete(tables.votes).where(tables.votes.c.clip_id == clip_id))
        self._uow.execute(sa.delete(tables.posts).where(tables.posts.c.clip_id == clip_id))
        self._uow.execute(sa.delete(self.t).where(self.t.c.id == clip_id))

    def search(self, query: ClipQuery) -> list[Clip]:
        statement = self._matching(sa.select(self.t), query)
        return [rows.clip_from_row(r) for r in self._uow.all(statement)]

    def summaries(self, query: ClipQuery) -> list[ClipSummary]:
        columns = [self.t.c[name] for name in rows.CLIP_SUMMARY_COLUMNS]
        statement = self._matching(sa.select(*columns), query)
        return [rows.clip_summary_from_row(r) for r in self._uow.all(statement)]

    def find_shared(self, share_token: str) -> Clip | None:
        if not share_token:
            return None
        row = self._uow.one(sa.select(self.t).where(self.t.c.share_token == share_token))
        return None if row is None else rows.clip_from_row(row)

    def _matching(self, statement: sa.Select[Any], query: ClipQuery) -> sa.Select[Any]:
        c = self.t.c
        conditions: list[sa.ColumnElement[bool]] = []
        if query.owner_id is not None:
            conditions.append(c.owner_id == query.owner_id)
        if query.source_id is not None:
            conditions.append(c.source_id == query.source_id)
        if query.statuses:
            conditions.append(c.status.in_([s.value for s in query.statuses]))
        if query.min_score is not None:
            conditions.append(c.score_total >= query.min_score)
        if query.auto_post_eligible is not None:
            conditions.append(c.auto_post_eligible.is_(query.auto_post_eligible))
        if query.approved is not None:
            conditions.append(c.approved.is_(query.approved))
        if query.after is not None:
            conditions.append(c.id > query.after)
        return statement.where(*conditions).order_by(c.id).limit(query.limit)


class SqlVoteRepository(_Repository):
    t = tables.votes

    def _where(self, key: VoterKey) -> sa.ColumnElement[bool]:
        return sa.and_(
            self.t.c.clip_id == key.clip_id,
            self.t.c.platform == key.platform.value,
            self.t.c.platform_user == key.platform_user,
        )

    def get(self, key: VoterKey) -> Vote | None:
        row = self._uow.one(sa.select(self.t).where(self._where(key)))
        return None if row is None else rows.vote_from_row(row)

    def put(self, vote: Vote) -> None:
        clips = tables.clips
        # Checked first so an unknown clip is NotFound and the transaction stays usable; the
        # foreign key still guards against a clip deleted concurrently.
        if self._uow.one(sa.select(clips.c.id).where(clips.c.id == vote.clip_id)) is None:
            raise NotFound("clip", vote.clip_id)
        self._uow.upsert(self.t, rows.vote_to_row(vote), ("clip_id", "platform", "platform_user"))

    def remove(self, key: VoterKey) -> bool:
        return self._uow.execute(sa.delete(self.t).where(self._where(key))).rowcount > 0

    def for_clip(self, clip_id: str) -> list[Vote]:
        statement = (
            sa.select(self.t)
            .where(self.t.c.clip_id == clip_id)
            .order_by(self.t.c.platform, self.t.c.platform_user)
        )
        return [rows.vote_from_row(r) for r in self._uow.all(statement)]

    def tally(self, clip_id: str) -> Tally:
        statement = (
            sa.select(self.t.c.direction, sa.func.count())
            .where(self.t.c.clip_id == clip_id)
            .group_by(self.t.c.direction)
        )
        counts = {Direction(d): n for d, n in self._uow.execute(statement).all()}
        return Tally(up=counts.get(Direction.UP, 0), down=counts.get(Direction.DOWN, 0))


class SqlUserRepository(_Repository):
    t = tables.users

    def add(self, user: User) -> None:
        if not self._uow.insert_new(self.t, rows.user_to_row(user)):
            if self.find_by_email(user.email) is not None:
                raise InvalidInput(f"email {user.email!r} is already registered")
            raise InvalidInput(f"user {user.id!r} already exists")

    def get(self, user_id: str) -> User:
        row = self._uow.one(sa.select(self.t).where(self.t.c.id == user_id))
        if row is None:
            raise NotFound("user", user_id)
        return rows.user_from_row(row)

    def find_by_email(self, email: str) -> User | None:
        row = self._uow.one(sa.select(self.t).where(self.t.c.email_key == email.lower()))
        return None if row is None else rows.user_from_row(row)

    def update(self, user: User) -> None:
        self._uow.update_versioned(self.t, user, rows.user_to_row(user))


class SqlOAuthAccountRepository(_Repository):
    """Accounts with their tokens sealed by the database's SecretBox before they are stored."""

    t = tables.oauth_accounts

    def _where(self, user_id: str, provider: Platform) -> sa.ColumnElement[bool]:
        return sa.and_(self.t.c.user_id == user_id, self.t.c.provider == provider.value)

    def save(self, account: OAuthAccount) -> None:
        row = rows.account_to_row(account, self._uow.db.secret_box)
        self._uow.upsert(self.t, row, ("user_id", "provider"))

    def find(self, user_id: str, provider: Platform) -> OAuthAccount | None:
        row = self._uow.one(sa.select(self.t).where(self._where(user_id, provider)))
        return None if row is None else rows.account_from_row(row, self._uow.db.secret_box)

    def list_for_user(self, user_id: str) -> list[OAuthAccount]:
        statement = sa.select(self.t).where(self.t.c.user_id == user_id).order_by(self.t.c.provider)
        box = self._uow.db.secret_box
        return [rows.account_from_row(r, box) for r in self._uow.all(statement)]

    def delete(self, user_id: str, provider: Platform) -> None:
        self._uow.execute(sa.delete(self.t).where(self._where(user_id, provider)))


class SqlPostRepository(_Repository):
    t = tables.posts

    def add(self, post: Post) -> Post:
        if self._uow.insert_new(self.t, rows.post_to_row(post)):
            return post
        existing = self._uow.one(
            sa.select(self.t).where(self.t.c.idempotency_key == post.idempotency_key)
        )
        if existing is None:
            raise InvalidInput(f"post {post.id!r} already exists")
        return rows.post_from_row(existing)

    def get(self, post_id: str) -> Post:
        row = self._uow.one(sa.select(self.t).where(self.t.c.id == post_id))
        if row is None:
            raise NotFound("post", post_id)
        return rows.post_from_row(row)

    def update(self, post: Post) -> None:
        self._uow.update_versioned(self.t, post, rows.post_to_row(post))

    def list_for_clip(self, clip_id: str) -> list[Post]:
        statement = (
            sa.select(self.t)
            .where(self.t.c.clip_id == clip_id)
            .order_by(self.t.c.created_at, self.t.c.id)
        )
        return [rows.post_from_row(r) for r in self._uow.all(statement)]


class SqlJobRepository(_Repository):
    t = tables.jobs

    def add(self, job: Job) -> Job:
        if self._uow.insert_new(self.t, rows.job_to_row(job)):
            return job
        existing = self.find_by_key(job.idempotency_key)
        if existing is None:
            raise InvalidInput(f"job {job.id!r} already exists")
        return existing

    def get(self, job_id: str) -> Job:
        row = self._uow.one(sa.select(self.t).where(self.t.c.id == job_id))
        if row is None:
            raise NotFound("job", job_id)
        return rows.job_from_row(row)

    def find_by_key(self, idempotency_key: str) -> Job | None:
        row = self._uow.one(sa.select(self.t).where(self.t.c.idempotency_key == idempotency_key))
        return None if row is None else rows.job_from_row(row)

    def update(self, job: Job) -> None:
        self._uow.update_versioned(self.t, job, rows.job_to_row(job))

    def recent(self, status: JobStatus | None = None, limit: int = 100) -> list[Job]:
        statement = sa.select(self.t).order_by(self.t.c.created_at.desc(), self.t.c.id.desc())
        if status is not None:
            statement = statement.where(self.t.c.status == status.value)
        return [rows.job_from_row(r) for r in self._uow.all(statement.limit(limit))]

    def undispatched(self, limit: int = 100) -> list[Job]:
        statement = (
            sa.select(self.t)
            .where(self.t.c.status == JobStatus.QUEUED.value, self.t.c.dispatched == sa.false())
            .order_by(self.t.c.created_at, self.t.c.id)
            .limit(limit)
        )
        return [rows.job_from_row(r) for r in self._uow.all(statement)]

    def tally(self) -> list[JobTally]:
        c = self.t.c
        succeeded = c.status == JobStatus.SUCCEEDED.value
        seconds = partial(_seconds_between, self._uow.db.dialect)
        statement = sa.select(
            c.type,
            c.status,
            sa.func.count().label("count"),
            sa.func.sum(sa.case((c.attempts > 1, c.attempts - 1), else_=0)).label("retries"),
            sa.func.sum(sa.case((succeeded, seconds(c.started_at, c.finished_at)))).label("run"),
            sa.func.sum(sa.case((succeeded, seconds(c.created_at, c.finished_at)))).label("wait"),
        ).group_by(c.type, c.status)
        return [
            JobTally(
                JobType(row["type"]),
                JobStatus(row["status"]),
                count=int(row["count"]),
                retries=int(row["retries"] or 0),
                run_seconds=float(row["run"] or 0.0),
                latency_seconds=float(row["wait"] or 0.0),
            )
            for row in self._uow.all(statement)
        ]

    def claim_due(
        self, now: datetime, limit: int = 100, ids: Collection[str] | None = None
    ) -> list[Job]:
        c = self.t.c
        statement = (
            sa.select(self.t)
            .where(
                # Running jobs belong to a worker (a crashed one's come back via the broker).
                c.status.in_([JobStatus.QUEUED.value, JobStatus.FAILED.value]),
                c.dispatched == sa.false(),
                sa.or_(c.run_after.is_(None), c.run_after <= now),
            )
            .order_by(c.created_at, c.id)
            .limit(limit)
            # PostgreSQL locks the rows until the unit of work ends and a concurrent claim skips
            # them. SQLite has no row locks (the clause renders as nothing); there the version
            # check on update stops a second claimer, as in the in-memory adapter.
            .with_for_update(skip_locked=True)
        )
        if ids is not None:
            statement = statement.where(c.id.in_(list(ids)))
        return [rows.job_from_row(r) for r in self._uow.all(statement)]


def _seconds_between(dialect: str, start: Any, end: Any) -> Any:
    """SQL for the seconds from ``start`` to ``end`` (NULL when either is)."""
    if dialect == "postgresql":
        return sa.func.extract("epoch", end - start)
    # SQLite keeps naive UTC text (tables.UtcDateTime); julianday reads it, in days.
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


if TYPE_CHECKING:

    def _implements_the_port(db: SqlDatabase) -> UnitOfWork:
        """Never called: mypy checks here that the unit of work matches the port exactly."""
        return SqlUnitOfWork(db)
