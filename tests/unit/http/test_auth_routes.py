"""Sign-up, login, refresh rotation, logout, profile and the auth rate limits."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.clock import ManualClock
from clipnet.entrypoints.http import create_app
from tests.unit.http.conftest import ApiUser, memory_container

PROBLEM = "application/problem+json"


def test_sign_up_returns_the_user_and_stores_only_an_argon2_hash(
    client: TestClient[Litestar], container: object
) -> None:
    response = client.post(
        "/auth/signup",
        json={"email": "ann@example.com", "password": "a long password", "display_name": "Ann"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ann@example.com" and body["role"] == "user"
    assert "password" not in response.text and "hash" not in response.text
    with container.uow_factory()() as uow:  # type: ignore[attr-defined]
        stored = uow.users.get(body["id"])
    assert stored.password_hash.startswith("$argon2id$")
    assert "a long password" not in stored.password_hash


def test_a_second_account_with_the_same_email_is_a_conflict(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    response = client.post(
        "/auth/signup", json={"email": alice.email.upper(), "password": "another password"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"] == "/problems/email-taken"


def test_a_short_password_or_a_malformed_email_is_refused_with_a_reason(
    client: TestClient[Litestar],
) -> None:
    short = client.post("/auth/signup", json={"email": "x@example.com", "password": "short"})
    malformed = client.post("/auth/signup", json={"email": "nope", "password": "long enough!"})
    assert short.status_code == 422 and "password" in short.json()["detail"]
    assert malformed.status_code == 422 and "email" in malformed.json()["detail"]


def test_a_wrong_password_is_401_with_a_bearer_challenge(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    response = client.post("/auth/login", json={"email": alice.email, "password": "wrong one!"})
    unknown = client.post("/auth/login", json={"email": "ghost@example.com", "password": "x" * 9})
    assert response.status_code == 401 and unknown.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == unknown.json()["detail"]  # no hint which one was wrong


def test_the_profile_needs_a_valid_access_token(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    assert client.get("/auth/me").status_code == 401
    tampered = alice.tokens["access_token"][:-2] + "xx"
    assert (
        client.get("/auth/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    )
    mine = client.get("/auth/me", headers=alice.headers)
    assert mine.status_code == 200 and mine.json()["id"] == alice.id


def test_a_refresh_token_works_once_and_gives_a_new_pair(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    first = alice.tokens["refresh_token"]
    rotated = client.post("/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != first
    again = client.post("/auth/refresh", json={"refresh_token": first})
    assert again.status_code == 401
    fresh = {"Authorization": f"Bearer {rotated.json()['access_token']}"}
    assert client.get("/auth/me", headers=fresh).status_code == 200


def test_logout_revokes_the_session_so_its_refresh_token_stops_working(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    assert client.post("/auth/logout", headers=alice.headers).status_code == 204
    refused = client.post("/auth/refresh", json={"refresh_token": alice.tokens["refresh_token"]})
    assert refused.status_code == 401
    assert refused.json()["type"] == "/problems/unauthenticated"


def test_changing_the_password_logs_out_every_session(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    changed = client.patch(
        "/auth/me",
        json={
            "display_name": "Alice A.",
            "password": "a brand new password",
            "current_password": alice.password,
        },
        headers=alice.headers,
    )
    assert changed.status_code == 200 and changed.json()["display_name"] == "Alice A."
    refresh = client.post("/auth/refresh", json={"refresh_token": alice.tokens["refresh_token"]})
    assert refresh.status_code == 401
    old = client.post("/auth/login", json={"email": alice.email, "password": alice.password})
    new = client.post(
        "/auth/login", json={"email": alice.email, "password": "a brand new password"}
    )
    assert (old.status_code, new.status_code) == (401, 200)


def test_an_access_token_expires(tmp_path: Path) -> None:
    container = memory_container(tmp_path, CLIPNET_ACCESS_TOKEN_MINUTES="5")
    clock = ManualClock()
    container.clock.override(clock)
    with TestClient(create_app(container)) as client:
        user = ApiUser(client, "expiring")
        assert client.get("/auth/me", headers=user.headers).status_code == 200
        clock.advance(5 * 60 + 1)
        assert client.get("/auth/me", headers=user.headers).status_code == 401


def test_login_attempts_are_limited_per_account_and_per_ip(tmp_path: Path) -> None:
    container = memory_container(tmp_path, CLIPNET_AUTH_RATE_LIMIT="4")
    with TestClient(create_app(container)) as client:
        codes = [
            client.post(
                "/auth/login", json={"email": "a@example.com", "password": "guess" * 2}
            ).status_code
            for _ in range(5)
        ]
        assert codes == [401, 401, 401, 401, 429]
        limited = client.post("/auth/signup", json={"email": "b@example.com", "password": "p" * 9})
        assert limited.status_code == 429  # the IP used its allowance too
        assert limited.json()["type"] == "/problems/too-many-requests"
