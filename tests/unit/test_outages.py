"""A service that is down: the rate limiter falls back to this process, the session store and
the database say ``ServiceUnavailable``, readiness names the check and hides the reason.

Redis here is a real client aimed at a port nothing listens on (refused at once, no server).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from clipnet.adapters.crypto import FernetSecretBox
from clipnet.adapters.redis_rate_limits import RedisRateLimiter
from clipnet.adapters.redis_sessions import RedisNonceStore, RedisSessionStore
from clipnet.adapters.sqlalchemy import SqlDatabase
from clipnet.adapters.sqlalchemy.errors import DatabaseUnavailable
from clipnet.adapters.system import SystemClock
from clipnet.domain.shared.errors import DomainError, ServiceUnavailable
from clipnet.domain.shared.health import HealthService
from clipnet.ports.accounts import Session
from tests.private_services import spare_port


class SwitchableRedis:
    """A Redis client that refuses while ``down`` and otherwise counts like Redis does."""

    def __init__(self) -> None:
        self.down = False
        self.counts: dict[str, int] = {}
        self.calls = 0

    def pipeline(self) -> SwitchableRedis:
        return self

    def incr(self, name: str) -> None:
        self._name = name

    def expire(self, _name: str, _seconds: int) -> None:
        pass

    def execute(self) -> list[int]:
        self.calls += 1
        if self.down:
            raise redis.ConnectionError("Error 111 connecting to redis.internal:6379.")
        self.counts[self._name] = self.counts.get(self._name, 0) + 1
        return [self.counts[self._name], 1]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def refused() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(f"redis://127.0.0.1:{spare_port()}/0", socket_timeout=1)
    yield client
    client.close()


def limiter_logs(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


def test_a_rate_limiter_whose_redis_is_down_still_limits_counting_in_this_process(
    refused: redis.Redis,
) -> None:
    limiter = RedisRateLimiter(refused, "ns")
    assert [limiter.hit("ip:1", 3, 60) for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("ip:2", 3, 60)  # each key keeps its own count
    assert limiter.in_outage


def test_a_rate_limiter_outage_is_logged_once_and_its_end_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    client, clock = SwitchableRedis(), Clock()
    limiter = RedisRateLimiter(client, "ns", retry_seconds=5, now=clock)
    assert limiter.hit("k", 10, 60)
    client.down = True
    for _ in range(3):
        limiter.hit("k", 10, 60)
        clock.now += 3  # Redis is asked again now and then, and refuses each time
    client.down = False
    clock.now += 5
    assert limiter.hit("k", 10, 60)
    assert not limiter.in_outage
    warned = limiter_logs(caplog, "rate limits: Redis is unavailable")
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING
    assert "redis.internal" in warned[0].getMessage()  # the operator is told which
    assert len(limiter_logs(caplog, "rate limits: Redis is back")) == 1


def test_a_rate_limiter_waits_before_asking_a_down_redis_again() -> None:
    client, clock = SwitchableRedis(), Clock()
    limiter = RedisRateLimiter(client, "ns", retry_seconds=5, now=clock)
    client.down = True
    limiter.hit("k", 10, 60)
    for _ in range(10):
        limiter.hit("k", 10, 60)
    assert client.calls == 1
    clock.now += 5
    client.down = False
    limiter.hit("k", 10, 60)
    assert client.calls == 2 and not limiter.in_outage


def test_a_session_store_whose_redis_is_down_says_the_session_store_is_unavailable(
    refused: redis.Redis,
) -> None:
    store, nonces = RedisSessionStore(refused, "ns"), RedisNonceStore(refused, "ns", SystemClock())
    now = datetime.now(UTC)
    session = Session("s-1", "u-1", "hash", now, now + timedelta(days=1))
    calls: list[Callable[[], object]] = [
        lambda: store.put(session),
        lambda: store.get("s-1"),
        lambda: store.by_token_hash("hash"),
        lambda: store.by_spent_token_hash("hash"),
        lambda: store.rotate("s-1", "hash", "new-hash"),
        lambda: store.revoke_all("u-1"),
        lambda: nonces.claim("state", now + timedelta(minutes=10)),
    ]
    for call in calls:
        with pytest.raises(ServiceUnavailable) as raised:
            call()
        assert raised.value.dependency == "session store"
        assert isinstance(raised.value.__cause__, redis.ConnectionError)


def test_a_database_that_is_down_is_unavailable_but_not_a_domain_error() -> None:
    error = DatabaseUnavailable("database db.internal:5432/clipnet is unavailable: refused")
    assert isinstance(error, ServiceUnavailable) and error.dependency == "database"
    assert error.retry_after > 0
    # Code that answers domain errors as bad input (chat replies, CLI lines) lets it pass.
    assert not isinstance(error, DomainError)


def test_readiness_names_a_failing_check_without_its_reason_and_logs_the_reason_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    state = {"down": True}

    def database() -> None:
        if state["down"]:
            raise DatabaseUnavailable("database db.internal:5432/clipnet is unavailable: refused")

    health = HealthService({"database": database, "broker": lambda: None})
    for _ in range(3):
        readiness = health.readiness()
        assert not readiness.ready
        assert dict(readiness.checks) == {"database": "unavailable", "broker": "ok"}
    state["down"] = False
    assert health.readiness().ready
    failing = [r for r in caplog.records if "readiness: database check fails" in r.getMessage()]
    assert len(failing) == 1 and "db.internal:5432" in failing[0].getMessage()
    assert len([r for r in caplog.records if "check passes again" in r.getMessage()]) == 1


def test_a_database_whose_every_pooled_connection_stays_busy_is_unavailable(
    tmp_path: Path,
) -> None:
    db = SqlDatabase(
        f"sqlite:///{tmp_path / 'clipnet.db'}",
        FernetSecretBox.ephemeral(),
        pool_size=1,
        connect_timeout=0.05,
    )
    held = [db.connect(), db.connect()]  # the pool and its overflow
    try:
        with pytest.raises(DatabaseUnavailable, match="busy"):
            db.connect()
    finally:
        for connection in held:
            connection.close()
        db.dispose()
