"""Linking accounts with OAuth2 against a provider on a loopback port (real HTTP): the state
must match, the PKCE verifier is sent and checked, tokens are stored sealed (SQLite), an
expired token is refreshed before use, and unlinking revokes the tokens at the provider."""

from __future__ import annotations

import base64
import hashlib
import itertools
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs
import httpx
import pytest
import sqlalchemy as sa
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.sqlalchemy.tables import oauth_accounts
from clipnet.container import Container
from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.accounts.oauth_linking import OAuthRefused
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.http import create_app
from clipnet.ports.publisher import Published
from tests.builders import a_clip, a_source
from tests.loopback.server import JsonHandler, serve
from tests.sql_databases import sqlite_url
from tests.unit.http.conftest import ApiUser, memory_container

CLIENT_ID, CLIENT_SECRET = "clipnet-app", "app-secret"


def s256(verifier: str) -> str:
    """RFC 7636's S256, computed here independently of the code under test."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@attrs.define
class Provider:
    """What the loopback provider has issued and been asked."""

    codes: dict[str, dict[str, str]] = attrs.field(factory=dict)
    """code -> the authorize request it answers (challenge, redirect_uri, ...)."""
    access: set[str] = attrs.field(factory=set)
    refresh: set[str] = attrs.field(factory=set)
    token_requests: list[dict[str, str]] = attrs.field(factory=list)
    revocations: list[dict[str, str]] = attrs.field(factory=list)
    refuse_codes: bool = False
    revoke_status: int = 200
    counter: Iterator[int] = attrs.field(factory=lambda: itertools.count(1))

    def grant(self) -> dict[str, Any]:
        n = next(self.counter)
        self.access.add(f"access-{n}")
        self.refresh.add(f"refresh-{n}")
        return {
            "access_token": f"access-{n}",
            "refresh_token": f"refresh-{n}",
            "expires_in": 3600,
            "scope": ["clips:edit", "user:read:email"],
            "token_type": "bearer",
        }


class ProviderHandler(JsonHandler):
    """A Twitch-shaped OAuth2 provider that really checks PKCE (S256)."""

    def route(self, method: str) -> None:
        state: Provider = self.server.state  # type: ignore[attr-defined]
        if (method, self.route_path) == ("GET", "/authorize"):
            code = f"code-{next(state.counter)}"
            state.codes[code] = dict(self.query)
            back = urlencode({"code": code, "state": self.query["state"]})
            target = f"{self.query['redirect_uri']}?{back}"
            self.send_bytes(302, b"", headers={"Location": target})
        elif (method, self.route_path) == ("POST", "/token"):
            self.token(state, dict(parse_qsl(self.body.decode())))
        elif (method, self.route_path) == ("POST", "/revoke"):
            self.revoke(state, dict(parse_qsl(self.body.decode())))
        elif (method, self.route_path) == ("GET", "/userinfo"):
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in state.access:
                self.send_json(401, {"message": "invalid access token"})
            else:
                self.send_json(200, {"data": [{"id": "tw-42", "login": "alice_streams"}]})
        else:
            self.send_json(404, {"message": "no such endpoint"})

    def revoke(self, state: Provider, form: dict[str, str]) -> None:
        """RFC 7009: 200 whether or not the token was valid; the client must identify itself."""
        state.revocations.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return self.send_json(401, {"error": "invalid_client"})
        if state.revoke_status != 200:
            return self.send_json(state.revoke_status, {"error": "temporarily_unavailable"})
        state.access.discard(form.get("token", ""))
        state.refresh.discard(form.get("token", ""))
        return self.send_bytes(200, b"")

    def token(self, state: Provider, form: dict[str, str]) -> None:
        state.token_requests.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return self.send_json(401, {"error": "invalid_client"})
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in state.refresh:
                return self.send_json(400, {"error": "invalid_grant"})
            state.refresh.discard(form["refresh_token"])
            return self.send_json(200, state.grant())
        asked = state.codes.pop(form.get("code", ""), None)
        if state.refuse_codes or asked is None:
            return self.send_json(400, {"error": "invalid_grant", "error_description": "bad code"})
        if asked["redirect_uri"] != form.get("redirect_uri"):
            return self.send_json(400, {"error": "invalid_grant", "error_description": "redirect"})
        if s256(form.get("code_verifier", "")) != asked["code_challenge"]:
            return self.send_json(400, {"error": "invalid_grant", "error_description": "PKCE"})
        return self.send_json(200, state.grant())


class RecordingPublisher:
    """A YouTube stand-in that remembers the access token each upload was made with."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
        options: object = None,
    ) -> Published:
        self.tokens.append(account.access_token)
        return Published(f"yt-{len(self.tokens)}", f"https://youtube.example/{len(self.tokens)}")


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    state = Provider()
    with serve(ProviderHandler, state) as base_url:
        yield state, base_url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def container(tmp_path: Path, provider: tuple[Provider, str], clock: ManualClock) -> Container:
    _, base = provider
    container = memory_container(
        tmp_path,
        CLIPNET_DATABASE_URL=sqlite_url(tmp_path),
        CLIPNET_OAUTH_CLIENTS=f"twitch={CLIENT_ID}:{CLIENT_SECRET},youtube={CLIENT_ID}:{CLIENT_SECRET}",
        CLIPNET_OAUTH_ENDPOINTS=(
            f"twitch={base}/authorize|{base}/token|{base}/userinfo|{base}/revoke,"
            f"youtube={base}/authorize|{base}/token|{base}/userinfo"  # moved, and no revocation
        ),
    )
    container.publishers.override(providers.Object({Platform.YOUTUBE: RecordingPublisher()}))
    container.clock.override(clock)
    return container


@pytest.fixture
def app(container: Container) -> Litestar:
    return create_app(container)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def alice(client: TestClient[Litestar]) -> ApiUser:
    return ApiUser(client, "alice")


def start(user: ApiUser) -> dict[str, str]:
    response = user.client.post("/oauth/twitch/start", headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(parse_qsl(urlsplit(response.json()["authorize_url"]).query))


def authorize(user: ApiUser, provider: str = "twitch") -> dict[str, str]:
    """Start linking, then let the browser visit the provider: the redirect's code and state."""
    start_response = user.client.post(f"/oauth/{provider}/start", headers=user.headers)
    assert start_response.status_code == 200, start_response.text
    redirect = httpx.get(start_response.json()["authorize_url"], follow_redirects=False)
    assert redirect.status_code == 302
    return dict(parse_qsl(urlsplit(redirect.headers["location"]).query))


def stored_rows(container: Container) -> str:
    """The oauth_accounts table as a database dump shows it."""
    with container.database().engine.connect() as connection:
        return repr([tuple(row) for row in connection.execute(sa.select(oauth_accounts))])


def test_the_authorize_url_carries_state_and_an_s256_pkce_challenge(
    client: TestClient[Litestar], alice: ApiUser, provider: tuple[Provider, str]
) -> None:
    params = start(alice)
    assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32
    assert params["redirect_uri"] == "http://127.0.0.1:8000/oauth/twitch/callback"
    assert set(params["scope"].split()) == {"clips:edit", "user:read:email"}
    assert "verifier" not in str(params)  # the verifier never leaves the server


def test_linking_sends_the_pkce_verifier_and_stores_the_tokens_sealed(
    client: TestClient[Litestar],
    alice: ApiUser,
    container: Container,
    provider: tuple[Provider, str],
) -> None:
    state, _ = provider
    # given the browser comes back from the provider with a code
    returned = authorize(alice)
    # when the callback arrives (with the browser's cookie)
    linked = client.get("/oauth/twitch/callback", params=returned)
    # then the code was exchanged with the verifier matching the challenge
    assert linked.status_code == 200, linked.text
    assert linked.json()["provider"] == "twitch"
    assert linked.json()["provider_user_id"] == "tw-42"
    (exchange,) = state.token_requests
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    assert exchange["redirect_uri"] == "http://127.0.0.1:8000/oauth/twitch/callback"
    # and the tokens are in the database, but only sealed
    dump = stored_rows(container)
    assert "tw-42" in dump
    assert "access-" not in dump and "refresh-" not in dump
    with container.uow_factory()() as uow:
        account = uow.oauth_accounts.find(alice.id, Platform.TWITCH)
    assert account is not None and account.access_token in state.access
    listed = client.get("/oauth/accounts", headers=alice.headers).json()
    assert [a["provider"] for a in listed["items"]] == ["twitch"]
    assert "access-" not in str(listed)
    assert 'clipnet_oauth=""' in linked.headers["set-cookie"]  # the pending flow is cleared


def test_a_callback_whose_state_does_not_match_is_refused_before_any_exchange(
    client: TestClient[Litestar], app: Litestar, alice: ApiUser, provider: tuple[Provider, str]
) -> None:
    state, _ = provider
    returned = authorize(alice)
    forged = client.get(
        "/oauth/twitch/callback", params={"code": returned["code"], "state": "forged-state"}
    )
    assert forged.status_code == 400
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["type"] == "/problems/oauth-state-mismatch"
    with TestClient(app) as other_browser:  # the right state, but not this browser's flow
        stolen = other_browser.get("/oauth/twitch/callback", params=returned)
    assert stolen.status_code == 400
    assert stolen.json()["type"] == "/problems/oauth-state-mismatch"
    assert state.token_requests == []
    assert client.get("/oauth/accounts", headers=alice.headers).json()["items"] == []


def test_a_replayed_callback_is_refused_and_the_provider_is_not_asked_again(
    client: TestClient[Litestar], alice: ApiUser, provider: tuple[Provider, str]
) -> None:
    state, _ = provider
    returned = authorize(alice)
    cookie = client.cookies["clipnet_oauth"]  # what an attacker who saw the request kept
    assert client.get("/oauth/twitch/callback", params=returned).status_code == 200
    # when the same state comes back with the same cookie (the first answer cleared it)
    client.cookies.set("clipnet_oauth", cookie)
    replayed = client.get("/oauth/twitch/callback", params=returned)
    # then it is refused, and the code was exchanged once only
    assert replayed.status_code == 400
    assert replayed.json()["type"] == "/problems/oauth-state-mismatch"
    assert "already used" in replayed.json()["detail"]
    assert len(state.token_requests) == 1


def test_a_state_is_spent_even_when_the_provider_refused_its_code(
    client: TestClient[Litestar], alice: ApiUser, provider: tuple[Provider, str]
) -> None:
    state, _ = provider
    state.refuse_codes = True
    returned = authorize(alice)
    assert client.get("/oauth/twitch/callback", params=returned).status_code == 502
    state.refuse_codes = False
    again = client.get("/oauth/twitch/callback", params=returned)  # the cookie is still set
    assert again.status_code == 400 and len(state.token_requests) == 1


def test_an_expired_access_token_is_refreshed_before_use_and_stored_sealed(
    client: TestClient[Litestar],
    alice: ApiUser,
    container: Container,
    provider: tuple[Provider, str],
    clock: ManualClock,
) -> None:
    state, _ = provider
    assert client.get("/oauth/twitch/callback", params=authorize(alice)).status_code == 200
    oauth = container.oauth()
    first = oauth.fresh_account(alice.id, Platform.TWITCH)
    assert len(state.token_requests) == 1, "a valid token is used as it is"
    # when the token is about to expire
    clock.advance(3600 - 30)
    fresh = oauth.fresh_account(alice.id, Platform.TWITCH)
    # then it was refreshed with the stored refresh token, and the new pair is kept sealed
    refresh_request = state.token_requests[-1]
    assert refresh_request["grant_type"] == "refresh_token"
    assert refresh_request["refresh_token"] == first.refresh_token
    assert fresh.access_token != first.access_token and fresh.access_token in state.access
    with container.uow_factory()() as uow:
        stored = uow.oauth_accounts.find(alice.id, Platform.TWITCH)
    assert stored is not None and stored.access_token == fresh.access_token
    assert fresh.access_token not in stored_rows(container)
    # and a refresh token the provider no longer honours is a clear refusal
    state.refresh.clear()
    clock.advance(3600)
    with pytest.raises(OAuthRefused, match="400"):
        oauth.fresh_account(alice.id, Platform.TWITCH)


def test_a_code_the_provider_refuses_is_a_502_problem_and_nothing_is_linked(
    client: TestClient[Litestar], alice: ApiUser, provider: tuple[Provider, str]
) -> None:
    state, _ = provider
    state.refuse_codes = True
    refused = client.get("/oauth/twitch/callback", params=authorize(alice))
    assert refused.status_code == 502
    assert refused.json()["type"] == "/problems/oauth-refused"
    assert "invalid_grant" in refused.json()["detail"]
    assert client.get("/oauth/accounts", headers=alice.headers).json()["items"] == []


def linked_tokens(container: Container, user: ApiUser, provider: Platform) -> tuple[str, str]:
    with container.uow_factory()() as uow:
        account = uow.oauth_accounts.find(user.id, provider)
    assert account is not None
    return account.access_token, account.refresh_token


def test_unlinking_revokes_both_tokens_at_the_provider(
    client: TestClient[Litestar],
    alice: ApiUser,
    container: Container,
    provider: tuple[Provider, str],
) -> None:
    state, base = provider
    assert client.get("/oauth/twitch/callback", params=authorize(alice)).is_success
    access, refresh = linked_tokens(container, alice, Platform.TWITCH)

    response = client.delete("/oauth/twitch", headers=alice.headers)

    assert response.status_code == 204, response.text
    assert [(r["token"], r["token_type_hint"], r["client_id"]) for r in state.revocations] == [
        (access, "access_token", CLIENT_ID),
        (refresh, "refresh_token", CLIENT_ID),
    ]
    assert access not in state.access and refresh not in state.refresh
    old = httpx.get(f"{base}/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert old.status_code == 401, "the provider no longer honours the unlinked token"
    assert client.get("/oauth/accounts", headers=alice.headers).json()["items"] == []
    assert client.delete("/oauth/twitch", headers=alice.headers).status_code == 404


def test_a_provider_that_cannot_revoke_is_logged_and_the_account_is_unlinked_anyway(
    client: TestClient[Litestar],
    alice: ApiUser,
    container: Container,
    provider: tuple[Provider, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    state, _ = provider
    assert client.get("/oauth/twitch/callback", params=authorize(alice)).is_success
    access, refresh = linked_tokens(container, alice, Platform.TWITCH)
    state.revoke_status = 503

    with caplog.at_level(logging.WARNING):
        response = client.delete("/oauth/twitch", headers=alice.headers)

    assert response.status_code == 204
    assert client.get("/oauth/accounts", headers=alice.headers).json()["items"] == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("twitch did not revoke" in w and "503" in w for w in warnings)
    assert access not in caplog.text and refresh not in caplog.text


def test_a_moved_provider_without_a_revoke_url_is_not_asked_to_revoke(
    client: TestClient[Litestar], alice: ApiUser, provider: tuple[Provider, str]
) -> None:
    state, _ = provider
    assert client.get("/oauth/youtube/callback", params=authorize(alice, "youtube")).is_success

    assert client.delete("/oauth/youtube", headers=alice.headers).status_code == 204

    assert state.revocations == []
    assert client.get("/oauth/accounts", headers=alice.headers).json()["items"] == []


def test_a_provider_that_is_not_configured_is_a_404(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    response = client.post("/oauth/discord/start", headers=alice.headers)
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"


def test_a_post_uploads_with_a_token_refreshed_just_before(
    client: TestClient[Litestar],
    alice: ApiUser,
    container: Container,
    provider: tuple[Provider, str],
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    state, _ = provider
    # given alice's linked YouTube account, and a ready clip of hers
    assert client.get("/oauth/youtube/callback", params=authorize(alice, "youtube")).is_success
    video = tmp_path / "video.mp4"
    video.write_bytes(b"a rendered clip")
    container.storage().put("clips/clip-1/video.mp4", video)
    with container.uow_factory()() as uow:
        uow.sources.add(a_source("source-1", owner_id=alice.id))
        uow.clips.add(
            a_clip(
                owner_id=alice.id,
                status=ClipStatus.READY,
                assets={"video": "clips/clip-1/video.mp4"},
            )
        )
        uow.commit()
    with container.uow_factory()() as uow:
        linked = uow.oauth_accounts.find(alice.id, Platform.YOUTUBE)
    assert linked is not None
    # when the post job runs after the access token expired
    clock.advance(2 * 3600)
    container.posting().post("clip-1", Platform.YOUTUBE)
    # then the token was refreshed first, and the upload used the new one
    assert state.token_requests[-1]["grant_type"] == "refresh_token"
    (used,) = container.publishers()[Platform.YOUTUBE].tokens
    assert used in state.access and used != linked.access_token
