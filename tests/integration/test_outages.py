"""Outages on real servers: the API answers 503 with Retry-After while PostgreSQL or Redis is
down, loses nothing, and works again once they are back, without a restart.

Each test stops a PostgreSQL or Redis of its own (tests/private_services.py), never the shared
ones. The app is built through the real container on settings that point at them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.container import Container
from clipnet.entrypoints.http import create_app
from tests.conftest import require_service
from tests.private_services import (
    PrivatePostgres,
    PrivateRedis,
    private_postgres,
    private_redis,
)
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database
from tests.unit.http.conftest import ApiUser, memory_container

__all__ = ["private_postgres", "private_redis"]  # the fixtures, used by name below

ALICE = {"email": "alice@example.com", "password": "correct horse battery"}
BOB = {"email": "bob@example.com", "password": "another good passphrase"}
RECOVERY_TIMEOUT = 30.0


def build(tmp_path: Path, **env: str) -> Container:
    """The real container on the in-memory profile changed by ``env``, with fake media."""
    return memory_container(tmp_path, **env)


@pytest.fixture
def serve() -> Iterator[Callable[[Container], TestClient[Litestar]]]:
    """Serve a container's API in-process; the clients and the container close afterwards."""
    opened: list[tuple[TestClient[Litestar], Container]] = []

    def open_client(container: Container) -> TestClient[Litestar]:
        client = TestClient(create_app(container), raise_server_exceptions=False)
        client.__enter__()
        opened.append((client, container))
        return client

    yield open_client
    for client, container in opened:
        client.__exit__(None, None, None)
        container.shutdown_resources()


def assert_unavailable(response: httpx.Response, dependency: str, *hidden: str) -> None:
    """A 503 problem with Retry-After that names what is down but not where it is."""
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "/problems/unavailable"
    assert dependency in body["detail"]
    for secret in hidden:
        assert secret not in response.text


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


class Records(logging.Handler):
    """ClipNET's log records (pytest's caplog misses them: the app configures logging anew)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def clear(self) -> None:
        self.records.clear()

    def containing(self, text: str) -> list[logging.LogRecord]:
        return [r for r in self.records if text in r.getMessage()]

    @property
    def errors(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.ERROR]


@pytest.fixture
def logs() -> Iterator[Records]:
    logger = logging.getLogger("clipnet")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def unavailable_logs(logs: Records) -> list[logging.LogRecord]:
    return [r for r in logs.records if r.getMessage().startswith("503 on ")]


@pytest.mark.slow
@pytest.mark.postgres
def test_while_postgresql_is_down_every_database_route_is_a_503_and_afterwards_nothing_is_lost(
    private_postgres: PrivatePostgres,
    serve: Callable[[Container], TestClient[Litestar]],
    tmp_path: Path,
    logs: Records,
) -> None:
    with sql_database(private_postgres.url):
        pass  # migrated to the newest schema
    client = serve(build(tmp_path, CLIPNET_DATABASE_URL=private_postgres.url))
    assert client.post("/auth/signup", json=ALICE).status_code == 201
    alice = client.post("/auth/login", json=ALICE).json()
    assert client.get("/auth/me", headers=bearer(alice)).status_code == 200

    private_postgres.stop()
    logs.clear()
    where = (str(private_postgres.port), "127.0.0.1", "psycopg", "connection")
    calls: list[Callable[[], httpx.Response]] = [
        lambda: client.get("/auth/me", headers=bearer(alice)),
        lambda: client.post("/auth/signup", json=BOB),
        lambda: client.post("/auth/login", json=ALICE),
        lambda: client.get("/sources/", headers=bearer(alice)),
    ]
    for call in calls:
        assert_unavailable(call(), "database", *where)
    # One line for each 503, naming the database for the operator, and no traceback.
    logged = unavailable_logs(logs)
    assert len(logged) == len(calls)
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in logged)
    assert all(str(private_postgres.port) in r.getMessage() for r in logged)
    assert not logs.errors
    ready = client.get("/health/ready")
    assert ready.status_code == 503 and int(ready.headers["retry-after"]) > 0
    assert ready.json()["checks"]["database"] == "unavailable"
    assert all(secret not in ready.text for secret in where)

    private_postgres.start()
    me = client.get("/auth/me", headers=bearer(alice))
    assert me.status_code == 200 and me.json()["email"] == ALICE["email"]
    assert client.get("/health/ready").status_code == 200
    # The sign-up that failed with 503 left nothing behind: Bob does not exist, then can sign up.
    assert client.post("/auth/login", json=BOB).status_code == 401
    assert client.post("/auth/signup", json=BOB).status_code == 201
    assert client.post("/auth/login", json=BOB).status_code == 200


@pytest.mark.postgres
def test_a_database_without_clipnet_tables_is_a_503_not_a_500(
    serve: Callable[[Container], TestClient[Litestar]],
    tmp_path: Path,
    logs: Records,
) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with postgres_schema_url() as url:  # an empty schema: never migrated
        client = serve(build(tmp_path, CLIPNET_DATABASE_URL=url))
        assert_unavailable(client.post("/auth/signup", json=ALICE), "database", "clipnet_test_")
        assert client.get("/health/ready").json()["checks"]["database"] == "unavailable"
    logged = unavailable_logs(logs)
    assert len(logged) == 1 and "clipnet db upgrade" in logged[0].getMessage()


@pytest.mark.slow
@pytest.mark.redis
def test_login_keeps_working_and_limited_while_the_rate_limiters_redis_is_down(
    private_redis: PrivateRedis,
    serve: Callable[[Container], TestClient[Litestar]],
    tmp_path: Path,
    logs: Records,
) -> None:
    limit = 4
    client = serve(
        build(
            tmp_path,
            CLIPNET_RATE_LIMITS="redis",
            CLIPNET_SESSIONS="memory",
            CLIPNET_SESSIONS_REDIS_URL=private_redis.url,
            CLIPNET_AUTH_RATE_LIMIT=str(limit),
        )
    )
    assert client.post("/auth/signup", json=ALICE).status_code == 201
    with private_redis.client() as redis_client:
        assert list(redis_client.scan_iter(match="*:rate:*")), "counted in Redis"

    private_redis.stop()
    logs.clear()
    first = client.post("/auth/login", json=ALICE)
    assert first.status_code == 200, first.text
    assert client.get("/auth/me", headers=bearer(first.json())).status_code == 200
    # Still limited, in this process: of 2L+3 logins, even if a window ends meanwhile, one
    # window holds more than L.
    statuses = [client.post("/auth/login", json=ALICE).status_code for _ in range(2 * limit + 2)]
    assert set(statuses) <= {200, 429} and 429 in statuses
    outage = logs.containing("rate limits: Redis is unavailable")
    assert len(outage) == 1 and outage[0].levelno == logging.WARNING
    assert not logs.errors

    private_redis.start()
    with private_redis.client() as redis_client:
        redis_client.flushdb()  # forget the counts from before the outage
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        # Counted here until the limiter tries Redis again; the first count there is a fresh one.
        while (response := client.post("/auth/login", json=ALICE)).status_code in (200, 429):
            if list(redis_client.scan_iter(match="*:rate:*")):
                break
            assert time.monotonic() < deadline, "the limiter never went back to Redis"
            time.sleep(0.5)
    assert response.status_code == 200, response.text
    assert logs.containing("rate limits: Redis is back")


@pytest.mark.slow
@pytest.mark.redis
def test_while_the_session_stores_redis_is_down_logins_are_a_503_and_sessions_survive_it(
    private_redis: PrivateRedis,
    serve: Callable[[Container], TestClient[Litestar]],
    tmp_path: Path,
    logs: Records,
) -> None:
    client = serve(
        build(
            tmp_path,
            CLIPNET_RATE_LIMITS="redis",
            CLIPNET_SESSIONS="redis",
            CLIPNET_SESSIONS_REDIS_URL=private_redis.url,
        )
    )
    assert client.post("/auth/signup", json=ALICE).status_code == 201
    before = client.post("/auth/login", json=ALICE).json()

    private_redis.stop()
    logs.clear()
    where = (str(private_redis.port), "127.0.0.1", "Connection refused")
    assert_unavailable(client.post("/auth/login", json=ALICE), "session store", *where)
    refresh = {"refresh_token": before["refresh_token"]}
    assert_unavailable(client.post("/auth/refresh", json=refresh), "session store", *where)
    assert len(unavailable_logs(logs)) == 2
    assert not logs.errors

    private_redis.start()
    # The refresh token from before the outage still works: the failed refresh changed nothing.
    rotated = client.post("/auth/refresh", json=refresh)
    assert rotated.status_code == 200, rotated.text
    assert client.get("/auth/me", headers=bearer(rotated.json())).status_code == 200
    assert client.post("/auth/login", json=ALICE).status_code == 200


@pytest.mark.slow
@pytest.mark.redis
def test_while_the_brokers_redis_is_down_new_clips_are_accepted_and_their_jobs_wait_for_it(
    private_redis: PrivateRedis,
    serve: Callable[[Container], TestClient[Litestar]],
    tmp_path: Path,
    logs: Records,
) -> None:
    container = build(tmp_path, CLIPNET_QUEUE="dramatiq", CLIPNET_REDIS_URL=private_redis.url)
    client = serve(container)
    alice = ApiUser(client, "alice")
    source = alice.source()

    private_redis.stop()
    clip = alice.clip(source)  # 201: the job is in the outbox (the job table), not lost
    ready = client.get("/health/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["broker"] == "unavailable"
    assert str(private_redis.port) not in ready.text
    waiting = [job for job in jobs_of(container) if not job.dispatched]
    assert waiting and all(job.payload.get("clip_id") == clip for job in waiting)
    assert not logs.errors

    private_redis.start()
    assert client.get("/health/ready").status_code == 200
    assert container.outbox_relay().relay_once() == len(waiting)  # what the worker's loop does
    assert all(job.dispatched for job in jobs_of(container))
    with private_redis.client() as redis_client:
        assert list(redis_client.scan_iter()), "the broker holds the job's message"


def jobs_of(container: Container) -> list[Any]:
    with container.uow_factory()() as uow:
        return list(uow.jobs.recent(limit=100))
