"""The OAuth client contract, for the HTTP client against the loopback OAuth2 provider of the
OAuth integration tests (Twitch-shaped, and it really checks PKCE S256 and client secrets).

There is no in-memory OAuth client: the domain's linking tests go through this provider, so
the suite runs on the HTTP adapter alone. A fake added later joins ``OAUTH_CLIENTS``.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs
import httpx
import pytest

from clipnet.adapters.oauth_http import HttpOAuthClient
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.oauth import OAuthClient, OAuthError, ProviderEndpoints
from tests.integration.http.test_oauth_loopback import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    ProviderHandler,
    s256,
)
from tests.loopback.server import serve

OAUTH_CLIENTS = ["http"]
REDIRECT = "https://clipnet.example/oauth/twitch/callback"


@attrs.frozen
class OAuthWorld:
    client: OAuthClient
    endpoints: ProviderEndpoints
    provider: Provider

    def authorize(self, verifier: str, redirect_uri: str = REDIRECT) -> str:
        """What the user's browser does: ask the provider, come back with a code."""
        query = {
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "state": "state-1",
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        }
        answer = httpx.get(f"{self.endpoints.authorize_url}?{urlencode(query)}")
        assert answer.status_code == 302
        return dict(parse_qsl(urlsplit(answer.headers["location"]).query))["code"]

    def linked(self) -> tuple[str, str]:
        """The access and refresh token of a freshly linked account."""
        verifier = secrets.token_urlsafe(48)
        grant = self.client.exchange_code(
            self.endpoints, self.authorize(verifier), verifier, REDIRECT
        )
        return grant.access_token, grant.refresh_token


def endpoints_at(base: str, secret: str = CLIENT_SECRET) -> ProviderEndpoints:
    return ProviderEndpoints(
        provider=Platform.TWITCH,
        authorize_url=f"{base}/authorize",
        token_url=f"{base}/token",
        userinfo_url=f"{base}/userinfo",
        client_id=CLIENT_ID,
        client_secret=secret,
        scopes=("clips:edit",),
        revoke_url=f"{base}/revoke",
    )


@pytest.fixture(params=OAUTH_CLIENTS)
def world(request: pytest.FixtureRequest) -> Iterator[OAuthWorld]:
    state = Provider()
    with serve(ProviderHandler, state) as base:
        yield OAuthWorld(HttpOAuthClient(timeout=5.0), endpoints_at(base), state)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_code_and_its_verifier_are_traded_for_tokens(world: OAuthWorld) -> None:
    verifier = secrets.token_urlsafe(48)
    code = world.authorize(verifier)

    grant = world.client.exchange_code(world.endpoints, code, verifier, REDIRECT)

    assert grant.access_token in world.provider.access
    assert grant.refresh_token in world.provider.refresh
    assert grant.expires_in == 3600
    assert grant.scopes == ("clips:edit", "user:read:email")


def test_a_code_with_the_wrong_verifier_is_refused(world: OAuthWorld) -> None:
    code = world.authorize(secrets.token_urlsafe(48))
    with pytest.raises(OAuthError):
        world.client.exchange_code(world.endpoints, code, secrets.token_urlsafe(48), REDIRECT)


def test_a_code_with_another_redirect_uri_is_refused(world: OAuthWorld) -> None:
    verifier = secrets.token_urlsafe(48)
    code = world.authorize(verifier)
    with pytest.raises(OAuthError):
        world.client.exchange_code(world.endpoints, code, verifier, "https://evil.example/cb")


def test_a_code_trades_only_once(world: OAuthWorld) -> None:
    verifier = secrets.token_urlsafe(48)
    code = world.authorize(verifier)
    world.client.exchange_code(world.endpoints, code, verifier, REDIRECT)
    with pytest.raises(OAuthError):
        world.client.exchange_code(world.endpoints, code, verifier, REDIRECT)


def test_a_wrong_client_secret_is_refused(world: OAuthWorld) -> None:
    verifier = secrets.token_urlsafe(48)
    code = world.authorize(verifier)
    wrong = attrs.evolve(world.endpoints, client_secret="not-the-secret")
    with pytest.raises(OAuthError):
        world.client.exchange_code(wrong, code, verifier, REDIRECT)


def test_a_refresh_token_gives_new_tokens(world: OAuthWorld) -> None:
    access, refresh = world.linked()

    grant = world.client.refresh(world.endpoints, refresh)

    assert grant.access_token and grant.access_token != access
    assert grant.refresh_token and grant.refresh_token != refresh
    assert world.client.user_id(world.endpoints, grant.access_token) == "tw-42"


def test_an_unknown_refresh_token_is_refused(world: OAuthWorld) -> None:
    with pytest.raises(OAuthError):
        world.client.refresh(world.endpoints, "refresh-never-issued")


def test_an_access_token_names_its_user_and_a_bad_one_is_refused(world: OAuthWorld) -> None:
    access, _ = world.linked()
    assert world.client.user_id(world.endpoints, access) == "tw-42"
    with pytest.raises(OAuthError):
        world.client.user_id(world.endpoints, "access-never-issued")


def test_a_revoked_token_no_longer_works(world: OAuthWorld) -> None:
    access, refresh = world.linked()

    world.client.revoke(world.endpoints, access, "access_token")
    world.client.revoke(world.endpoints, refresh, "refresh_token")

    with pytest.raises(OAuthError):
        world.client.user_id(world.endpoints, access)
    with pytest.raises(OAuthError):
        world.client.refresh(world.endpoints, refresh)
    assert [r["token_type_hint"] for r in world.provider.revocations] == [
        "access_token",
        "refresh_token",
    ]


def test_a_refused_revocation_raises(world: OAuthWorld) -> None:
    access, _ = world.linked()
    world.provider.revoke_status = 503
    with pytest.raises(OAuthError):
        world.client.revoke(world.endpoints, access, "access_token")
    wrong = attrs.evolve(world.endpoints, client_secret="not-the-secret")
    world.provider.revoke_status = 200
    with pytest.raises(OAuthError):
        world.client.revoke(wrong, access, "access_token")
    assert world.client.user_id(world.endpoints, access) == "tw-42", "still valid"


def test_an_unreachable_provider_raises_oauth_error_for_every_call(world: OAuthWorld) -> None:
    gone = endpoints_at(closed_port_url())
    calls = [
        lambda: world.client.exchange_code(gone, "code", "verifier", REDIRECT),
        lambda: world.client.refresh(gone, "refresh-1"),
        lambda: world.client.user_id(gone, "access-1"),
        lambda: world.client.revoke(gone, "access-1", "access_token"),
    ]
    for call in calls:
        with pytest.raises(OAuthError):
            call()
