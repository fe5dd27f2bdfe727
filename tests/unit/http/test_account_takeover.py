"""What a stolen access or refresh token cannot do (issue 13, "Account takeover").

A new password or email needs the current password and ends every session; a rotated-away
refresh token that comes back revokes its whole family (RFC 9700 §4.14).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.sessions import InMemorySessionStore
from clipnet.entrypoints.http import create_app
from clipnet.ports.accounts import Session
from tests.unit.http.conftest import ApiUser, memory_container

NEW_PASSWORD = "a brand new password"


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def login(user: ApiUser, password: str | None = None, email: str | None = None) -> Any:
    return user.client.post(
        "/auth/login",
        json={"email": email or user.email, "password": password or user.password},
    )


def refresh(client: TestClient[Litestar], token: str) -> Any:
    return client.post("/auth/refresh", json={"refresh_token": token})


def change(user: ApiUser, **fields: str) -> Any:
    return user.client.patch("/auth/me", json=fields, headers=user.headers)


# -- a new password or email needs the current password -------------------------------------


def test_a_new_password_without_the_current_password_is_refused_with_a_reason(
    alice: ApiUser,
) -> None:
    missing = change(alice, password=NEW_PASSWORD)
    assert missing.status_code == 422
    assert missing.json()["type"] == "/problems/invalid-input"
    assert "current_password" in missing.json()["detail"]
    wrong = change(alice, password=NEW_PASSWORD, current_password="not my password")
    assert wrong.status_code == 403
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["type"] == "/problems/wrong-password"
    # nothing changed: the old password still logs in, the new one does not
    assert (login(alice).status_code, login(alice, NEW_PASSWORD).status_code) == (200, 401)
    assert refresh(alice.client, alice.tokens["refresh_token"]).status_code == 200


def test_a_new_email_without_the_current_password_is_refused_and_the_email_is_kept(
    alice: ApiUser,
) -> None:
    missing = change(alice, email="thief@example.com")
    wrong = change(alice, email="thief@example.com", current_password="not my password")
    assert (missing.status_code, wrong.status_code) == (422, 403)
    me = alice.client.get("/auth/me", headers=alice.headers)
    assert me.json()["email"] == alice.email
    assert login(alice, email="thief@example.com").status_code == 401


def test_guesses_at_the_current_password_count_against_the_accounts_login_limit(
    tmp_path: Path,
) -> None:
    container = memory_container(tmp_path, CLIPNET_AUTH_RATE_LIMIT="4")
    with TestClient(create_app(container)) as client:
        alice = ApiUser(client, "guessed")  # its login is the account's first attempt
        codes = [
            change(alice, password=NEW_PASSWORD, current_password=f"guess {n}").status_code
            for n in range(4)
        ]
        assert codes == [403, 403, 403, 429]


# -- ... and ends every other session ---------------------------------------------------------


def test_a_new_password_ends_every_session_and_hands_the_caller_a_new_one(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    # given a second session of alice's (a thief's, say) next to the one making the change
    other = login(alice).json()

    changed = change(alice, password=NEW_PASSWORD, current_password=alice.password)

    assert changed.status_code == 200, changed.text
    fresh = changed.json()["tokens"]
    assert fresh["user"]["id"] == alice.id and fresh["token_type"] == "bearer"
    assert refresh(client, other["refresh_token"]).status_code == 401
    assert refresh(client, alice.tokens["refresh_token"]).status_code == 401
    assert client.get("/auth/me", headers=bearer(fresh)).status_code == 200
    assert refresh(client, fresh["refresh_token"]).status_code == 200
    assert (login(alice).status_code, login(alice, NEW_PASSWORD).status_code) == (401, 200)


def test_a_new_email_ends_every_session_and_logs_in_from_then_on(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    other = login(alice).json()

    changed = change(alice, email="alice.new@example.com", current_password=alice.password)

    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "alice.new@example.com"
    assert refresh(client, other["refresh_token"]).status_code == 401
    assert refresh(client, alice.tokens["refresh_token"]).status_code == 401
    assert refresh(client, changed.json()["tokens"]["refresh_token"]).status_code == 200
    assert login(alice).status_code == 401
    assert login(alice, email="alice.new@example.com").status_code == 200


def test_a_new_email_that_another_account_holds_is_a_conflict_and_ends_no_session(
    client: TestClient[Litestar], alice: ApiUser, bob: ApiUser
) -> None:
    taken = change(alice, email=bob.email.upper(), current_password=alice.password)
    assert taken.status_code == 409
    assert taken.json()["type"] == "/problems/email-taken"
    assert refresh(client, alice.tokens["refresh_token"]).status_code == 200
    assert client.get("/auth/me", headers=alice.headers).json()["email"] == alice.email


def test_a_name_only_change_needs_no_password_and_keeps_every_session(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    other = login(alice).json()
    renamed = change(alice, display_name="Alice A.")
    assert renamed.status_code == 200
    assert renamed.json()["display_name"] == "Alice A." and renamed.json()["tokens"] is None
    assert refresh(client, other["refresh_token"]).status_code == 200
    assert refresh(client, alice.tokens["refresh_token"]).status_code == 200


# -- refresh-token reuse revokes the family ----------------------------------------------------


def test_reusing_a_rotated_refresh_token_revokes_every_token_rotated_from_it(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    first = alice.tokens["refresh_token"]
    second = refresh(client, first).json()["refresh_token"]
    third = refresh(client, second).json()["refresh_token"]

    reused = refresh(client, first)

    assert reused.status_code == 401
    assert reused.json()["type"] == "/problems/unauthenticated"
    assert refresh(client, third).status_code == 401, "the family's newest token is revoked"
    assert refresh(client, second).status_code == 401


def test_refresh_token_reuse_revokes_only_that_family(
    client: TestClient[Litestar], alice: ApiUser, bob: ApiUser
) -> None:
    laptop = login(alice).json()
    phone = alice.tokens["refresh_token"]
    refresh(client, phone)

    assert refresh(client, phone).status_code == 401  # a copy of the phone's token

    assert refresh(client, laptop["refresh_token"]).status_code == 200
    assert refresh(client, bob.tokens["refresh_token"]).status_code == 200


class RacedSessions(InMemorySessionStore):
    """Lets another refresh with the same token rotate the session first, once."""

    def __init__(self) -> None:
        super().__init__()
        self.raced = ""

    def by_token_hash(self, token_hash: str) -> Session | None:
        found = super().by_token_hash(token_hash)
        if found is not None and not self.raced:
            self.raced = "hash-of-the-racers-token"
            assert self.rotate(found.id, token_hash, self.raced) is not None
        return found


def test_two_refreshes_racing_with_one_token_revoke_the_family(tmp_path: Path) -> None:
    container = memory_container(tmp_path)
    sessions = RacedSessions()
    container.sessions.override(providers.Object(sessions))
    with TestClient(create_app(container)) as client:
        alice = ApiUser(client, "raced")

        lost = refresh(client, alice.tokens["refresh_token"])

        assert lost.status_code == 401
        winner = sessions.by_token_hash(sessions.raced)
        assert winner is not None and winner.revoked, "the racer's new token is revoked too"
