"""Account guarantees with the sessions in a real Redis, shared by two API replicas: a refresh
token reused on another replica revokes its family there too, and a credential change on one
ends the sessions every replica sees."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.entrypoints.http import create_app
from tests.conftest import require_service
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace, redis_available
from tests.sql_databases import sqlite_url
from tests.unit.http.conftest import ApiUser, memory_container

pytestmark = pytest.mark.redis


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[TestClient[Litestar], TestClient[Litestar]]]:
    """Two apps on one SQLite file and one Redis namespace, as two API replicas would be."""
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    namespace = fresh_namespace()
    env = {
        "CLIPNET_DATABASE_URL": sqlite_url(tmp_path),
        "CLIPNET_SESSIONS": "redis",
        "CLIPNET_RATE_LIMITS": "redis",
        "CLIPNET_SESSIONS_REDIS_URL": REDIS_URL,
        "CLIPNET_REDIS_NAMESPACE": namespace,
    }
    first, second = (memory_container(tmp_path, **env) for _ in range(2))
    try:
        with (
            TestClient(create_app(first), raise_server_exceptions=False) as a,
            TestClient(create_app(second), raise_server_exceptions=False) as b,
        ):
            yield a, b
    finally:
        delete_namespace(namespace)


def refresh(client: TestClient[Litestar], token: str) -> Any:
    return client.post("/auth/refresh", json={"refresh_token": token})


def test_a_refresh_token_reused_on_another_replica_revokes_its_family(
    replicas: tuple[TestClient[Litestar], TestClient[Litestar]],
) -> None:
    a, b = replicas
    alice = ApiUser(a, "alice")
    first = alice.tokens["refresh_token"]
    rotated = refresh(a, first)
    assert rotated.status_code == 200, rotated.text

    assert refresh(b, first).status_code == 401  # the copy, presented to the other replica

    assert refresh(a, rotated.json()["refresh_token"]).status_code == 401


def test_a_new_password_on_one_replica_ends_the_sessions_on_both(
    replicas: tuple[TestClient[Litestar], TestClient[Litestar]],
) -> None:
    a, b = replicas
    alice = ApiUser(a, "alice")
    elsewhere = b.post("/auth/login", json={"email": alice.email, "password": alice.password})
    assert elsewhere.status_code == 200

    changed = a.patch(
        "/auth/me",
        json={"password": "a brand new password", "current_password": alice.password},
        headers=alice.headers,
    )

    assert changed.status_code == 200, changed.text
    assert refresh(b, elsewhere.json()["refresh_token"]).status_code == 401
    assert refresh(b, alice.tokens["refresh_token"]).status_code == 401
    assert refresh(b, changed.json()["tokens"]["refresh_token"]).status_code == 200
