"""A dependency that is down is a 503 problem with Retry-After that says what is down and not
where it is (host, port, driver error); readiness answers 503 naming the failing check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.sessions import InMemorySessionStore
from clipnet.adapters.sqlalchemy.errors import DatabaseUnavailable
from clipnet.domain.shared.errors import ServiceUnavailable
from clipnet.entrypoints.http import create_app
from tests.unit.http.conftest import ApiUser, memory_container

REASON = 'database db.internal:6543/clipnet is unavailable: connection to "db.internal" refused'


class DownDatabase:
    def unit_of_work(self) -> NoReturn:
        raise DatabaseUnavailable(REASON)


@pytest.fixture
def down_client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    container = memory_container(tmp_path)
    container.database.override(providers.Object(DownDatabase()))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield client


def test_a_database_that_is_down_is_a_503_with_retry_after_that_hides_where_it_is(
    down_client: TestClient[Litestar],
) -> None:
    response = down_client.post(
        "/auth/signup", json={"email": "a@example.com", "password": "correct horse battery"}
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json() == {
        "type": "/problems/unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "the database is unavailable; retry later",
    }


def test_readiness_with_the_database_down_is_a_503_naming_the_check_only(
    down_client: TestClient[Litestar],
) -> None:
    response = down_client.get("/health/ready")
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.json() == {
        "status": "failing",
        "checks": {"database": "unavailable", "broker": "ok"},
        "chat_replies": [],
        "workers": {
            "alive": 0,
            "items": [],
            "note": "CLIPNET_QUEUE=memory runs each job inside its request",
        },
    }
    assert "db.internal" not in response.text and "6543" not in response.text


#: Routes that use neither the database nor the session store, or answer without them (/metrics
#: says clipnet_job_metrics_up 0): they cannot answer 503.
WITHOUT_DEPENDENCIES = ("/health/live", "/media/", "/metrics")


def test_every_route_that_needs_the_database_documents_the_503_it_may_answer(
    down_client: TestClient[Litestar],
) -> None:
    schema = down_client.get("/schema/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if not path.startswith(WITHOUT_DEPENDENCIES)
    ]
    missing = [(m, p) for p, m, op in operations if "503" not in op.get("responses", {})]
    assert missing == []


class StoreDownForRevoking(InMemorySessionStore):
    """Answers until asked to end a user's sessions, as if Redis went down just then."""

    def revoke_all(self, user_id: str) -> int:
        raise ServiceUnavailable("session store (Redis) is unavailable", dependency="session store")


def test_a_password_change_the_session_store_cannot_complete_is_a_503_that_changes_nothing(
    tmp_path: Path,
) -> None:
    container = memory_container(tmp_path)
    container.sessions.override(providers.Singleton(StoreDownForRevoking))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        alice = ApiUser(client, "alice")
        change = {"password": "a brand new passphrase", "current_password": alice.password}
        response = client.patch("/auth/me", json=change, headers=alice.headers)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "5"
        assert "session store" in response.json()["detail"]
        # Not half-done: the old password still works and the new one does not.
        old = client.post("/auth/login", json={"email": alice.email, "password": alice.password})
        assert old.status_code == 200
        new = {"email": alice.email, "password": change["password"]}
        assert client.post("/auth/login", json=new).status_code == 401
