"""Contract of the live-event log (``clipnet.ports.events.EventLog``): in memory and on a
real Redis (Streams). Every adapter must keep each user's events apart and in order, resume
exactly after a given id, wake a waiting reader when an event is published from another
thread, and refuse an id that is not one of its own."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipnet.adapters.memory.events import InMemoryEventLog
from clipnet.adapters.redis_events import RedisEventLog
from clipnet.domain.shared.errors import InvalidInput, ServiceUnavailable
from clipnet.ports.events import EventLog, LiveEvent
from tests.job_harness import REDIS_URL

BACKENDS = ["memory", pytest.param("redis", marks=pytest.mark.redis)]
FUNCTION_FIXTURES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def build(backend: str, request: pytest.FixtureRequest, keep: int = 1000) -> EventLog:
    if backend == "memory":
        return InMemoryEventLog(keep)
    client, namespace = request.getfixturevalue("redis_namespace")
    return RedisEventLog(client, REDIS_URL, namespace, keep=keep, ttl=60)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def event_log(backend: str, request: pytest.FixtureRequest) -> EventLog:
    return build(backend, request)


def read_all(event_log: EventLog, owner: str, after: str) -> list[LiveEvent]:
    return asyncio.run(event_log.read(owner, after, 0))


def start_of(event_log: EventLog, owner: str) -> str:
    return asyncio.run(event_log.newest_id(owner))


def test_events_come_back_in_order_with_their_kind_and_data(event_log: EventLog) -> None:
    start = start_of(event_log, "alice")
    ids = [
        event_log.publish("alice", "clip.status", {"clip_id": "c1", "status": s})
        for s in ("queued", "scoring", "ready")
    ]
    found = read_all(event_log, "alice", start)
    assert [e.id for e in found] == ids
    assert [e.data["status"] for e in found] == ["queued", "scoring", "ready"]
    assert {e.kind for e in found} == {"clip.status"}
    assert len(set(ids)) == 3


def test_a_reader_resumes_exactly_after_the_id_it_names(event_log: EventLog) -> None:
    start = start_of(event_log, "alice")
    ids = [event_log.publish("alice", "job.progress", {"percent": p}) for p in range(6)]
    assert [e.id for e in read_all(event_log, "alice", ids[2])] == ids[3:]
    assert read_all(event_log, "alice", ids[-1]) == []
    assert [e.id for e in read_all(event_log, "alice", start)] == ids


def test_the_newest_id_starts_a_reader_at_now(event_log: EventLog) -> None:
    event_log.publish("alice", "clip.status", {"n": 1})
    now = start_of(event_log, "alice")
    later = event_log.publish("alice", "clip.status", {"n": 2})
    assert [e.id for e in read_all(event_log, "alice", now)] == [later]


@FUNCTION_FIXTURES
@given(
    writes=st.lists(st.tuples(st.sampled_from(["ann", "bob", "cy"]), st.integers()), max_size=30)
)
def test_each_user_reads_only_their_own_events_in_publish_order(
    backend: str, request: pytest.FixtureRequest, writes: list[tuple[str, int]]
) -> None:
    event_log = build(backend, request)
    owners = {"ann", "bob", "cy"}
    starts = {owner: start_of(event_log, owner) for owner in owners}
    for owner, n in writes:
        event_log.publish(owner, "clip.status", {"owner": owner, "n": n})
    for owner in owners:
        found = read_all(event_log, owner, starts[owner])
        assert [e.data["n"] for e in found] == [n for o, n in writes if o == owner]
        assert {e.data["owner"] for e in found} <= {owner}


def test_a_waiting_reader_is_woken_by_an_event_published_on_another_thread(
    event_log: EventLog,
) -> None:
    start = start_of(event_log, "alice")
    timer = threading.Timer(0.3, event_log.publish, ("alice", "clip.status", {"n": 1}))

    async def wait() -> tuple[list[LiveEvent], float]:
        began = time.monotonic()
        timer.start()
        found = await event_log.read("alice", start, 10)
        return found, time.monotonic() - began

    found, waited = asyncio.run(wait())
    timer.join()
    assert [e.data for e in found] == [{"n": 1}]
    assert waited < 5  # woken by the publish, not by the 10 s wait running out


def test_a_wait_with_nothing_published_ends_empty_after_its_time(event_log: EventLog) -> None:
    start = start_of(event_log, "alice")
    event_log.publish("bob", "clip.status", {"n": 1})  # someone else's event wakes no one

    async def wait() -> tuple[list[LiveEvent], float]:
        began = time.monotonic()
        return await event_log.read("alice", start, 0.4), time.monotonic() - began

    found, waited = asyncio.run(wait())
    assert found == []
    assert waited >= 0.35


@pytest.mark.parametrize("bad", ["", "abc", "-1", "1-2-3", "9" * 30, "12\n-3", "ünï"])
def test_an_id_that_is_not_the_logs_own_is_refused(event_log: EventLog, bad: str) -> None:
    with pytest.raises(InvalidInput):
        read_all(event_log, "alice", bad)


def test_a_log_keeps_about_the_newest_events_it_is_told_to(
    backend: str, request: pytest.FixtureRequest
) -> None:
    event_log = build(backend, request, keep=10)
    start = start_of(event_log, "alice")
    ids = [event_log.publish("alice", "job.progress", {"n": n}) for n in range(500)]
    kept = read_all(event_log, "alice", start)
    assert kept[-1].id == ids[-1]
    assert 10 <= len(kept) < 250  # Redis trims approximately (whole macro-nodes)
    assert [e.id for e in kept] == ids[-len(kept) :]


@pytest.mark.redis
def test_a_redis_that_cannot_be_reached_is_service_unavailable() -> None:
    event_log = RedisEventLog(
        redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1),
        "redis://127.0.0.1:1/0",
        "nowhere",
    )
    with pytest.raises(ServiceUnavailable):
        event_log.publish("alice", "clip.status", {})
    with pytest.raises(ServiceUnavailable):
        asyncio.run(event_log.newest_id("alice"))
