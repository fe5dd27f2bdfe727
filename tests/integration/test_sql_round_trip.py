"""Property: any valid domain object saved by the SQL adapter reads back equal, field by field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.domain.accounts.model import User
from clipnet.domain.clips.model import Clip
from tests.builders import a_clip, a_user
from tests.conftest import require_service
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database, sqlite_url
from tests.strategies import (
    stored_accounts,
    stored_clips,
    stored_jobs,
    stored_posts,
    stored_sources,
    stored_users,
    stored_votes,
)

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path_factory.mktemp("round-trip"))) as database:
            yield database
    else:
        require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
        with postgres_schema_url() as url, sql_database(url) as database:
            yield database


def fresh(entity: Any, **changes: Any) -> Any:
    """The entity under a new id, so that examples never collide in the shared database."""
    return attrs.evolve(entity, id=f"{uuid.uuid4().hex}{entity.id}", **changes)


def fresh_clip(clip: Clip, **changes: Any) -> Clip:
    """:func:`fresh`, and a share token of its own too (tokens are unique)."""
    token = f"{uuid.uuid4().hex}{clip.share_token}" if clip.share_token else ""
    made: Clip = fresh(clip, share_token=token)
    return attrs.evolve(made, **changes) if changes else made


def same_fields(a: object, b: object) -> bool:
    return attrs.asdict(a, recurse=False) == attrs.asdict(b, recurse=False)  # type: ignore[arg-type]


def saved_parent_clip(db: SqlDatabase) -> Clip:
    clip = fresh(a_clip())
    with db.unit_of_work() as uow:
        uow.clips.add(clip)
        uow.commit()
    return clip


def saved_parent_user(db: SqlDatabase) -> User:
    user = a_user(uuid.uuid4().hex)
    with db.unit_of_work() as uow:
        uow.users.add(user)
        uow.commit()
    return user


@EXAMPLES
@given(source=stored_sources())
def test_any_source_reads_back_equal(db: SqlDatabase, source: Any) -> None:
    source = fresh(source)
    with db.unit_of_work() as uow:
        uow.sources.add(source)
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.sources.get(source.id).same_state_as(source)


@EXAMPLES
@given(clip=stored_clips())
def test_any_clip_reads_back_equal(db: SqlDatabase, clip: Clip) -> None:
    clip = fresh_clip(clip)
    with db.unit_of_work() as uow:
        uow.clips.add(clip)
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.clips.get(clip.id).same_state_as(clip)


@EXAMPLES
@given(first=stored_clips(), second=stored_clips())
def test_any_clip_state_saved_by_update_reads_back_equal(
    db: SqlDatabase, first: Clip, second: Clip
) -> None:
    first = fresh_clip(first)
    changed = fresh_clip(second, id=first.id, version=first.version)
    with db.unit_of_work() as uow:
        uow.clips.add(first)
        uow.clips.update(changed)
        uow.commit()
    assert changed.version == first.version + 1
    with db.unit_of_work() as uow:
        assert uow.clips.get(first.id).same_state_as(changed)


@EXAMPLES
@given(data=st.data())
def test_any_vote_reads_back_equal(db: SqlDatabase, data: st.DataObject) -> None:
    clip = saved_parent_clip(db)
    vote = data.draw(stored_votes(clip.id))
    with db.unit_of_work() as uow:
        uow.votes.put(vote)
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.votes.get(vote.key) == vote
        assert uow.votes.for_clip(clip.id) == [vote]


@EXAMPLES
@given(user=stored_users())
def test_any_user_reads_back_equal(db: SqlDatabase, user: User) -> None:
    user = fresh(user)
    user.email = f"{user.id}{user.email}"  # emails are unique across examples too
    with db.unit_of_work() as uow:
        uow.users.add(user)
        uow.commit()
    with db.unit_of_work() as uow:
        assert same_fields(uow.users.get(user.id), user)
        found = uow.users.find_by_email(user.email.lower())
        assert found is not None and found.id == user.id


@EXAMPLES
@given(data=st.data())
def test_any_oauth_account_reads_back_equal(db: SqlDatabase, data: st.DataObject) -> None:
    user = saved_parent_user(db)
    account = data.draw(stored_accounts(user.id))
    with db.unit_of_work() as uow:
        uow.oauth_accounts.save(account)
        uow.commit()
    with db.unit_of_work() as uow:
        loaded = uow.oauth_accounts.find(user.id, account.provider)
    assert loaded is not None and same_fields(loaded, account)


@EXAMPLES
@given(data=st.data())
def test_any_post_reads_back_equal(db: SqlDatabase, data: st.DataObject) -> None:
    clip = saved_parent_clip(db)
    post = fresh(data.draw(stored_posts(clip.id)))
    post.idempotency_key = f"{post.id}{post.idempotency_key}"
    with db.unit_of_work() as uow:
        assert uow.posts.add(post) is post
        uow.commit()
    with db.unit_of_work() as uow:
        assert same_fields(uow.posts.get(post.id), post)


@EXAMPLES
@given(job=stored_jobs())
def test_any_job_reads_back_equal(db: SqlDatabase, job: Any) -> None:
    job = fresh(job)
    job.idempotency_key = f"{job.id}{job.idempotency_key}"
    with db.unit_of_work() as uow:
        assert uow.jobs.add(job) is job
        uow.commit()
    with db.unit_of_work() as uow:
        assert same_fields(uow.jobs.get(job.id), job)
        assert uow.jobs.find_by_key(job.idempotency_key) is not None
