"""Talking to OAuth2 providers (Twitch, Google, TikTok, Discord, X)."""

from __future__ import annotations

from typing import Protocol

import attrs

from clipnet.domain.shared.platforms import Platform


class OAuthError(Exception):
    """The provider refused or could not be reached. The message says which and why."""


@attrs.frozen
class ProviderEndpoints:
    """Where a provider's OAuth2 endpoints are and who ClipNET is there."""

    provider: Platform
    authorize_url: str
    token_url: str
    userinfo_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ()
    revoke_url: str = ""
    """RFC 7009 token revocation; empty: the provider is not asked to revoke anything."""


@attrs.frozen
class TokenGrant:
    """What a token endpoint answered."""

    access_token: str
    refresh_token: str = ""
    expires_in: float | None = None
    """Seconds until the access token expires, if the provider said."""
    scopes: tuple[str, ...] = ()


class OAuthClient(Protocol):
    def exchange_code(
        self, endpoints: ProviderEndpoints, code: str, verifier: str, redirect_uri: str
    ) -> TokenGrant:
        """Trade an authorization code (and its PKCE verifier) for tokens. Raises OAuthError."""

    def refresh(self, endpoints: ProviderEndpoints, refresh_token: str) -> TokenGrant:
        """New tokens from a refresh token. Raises OAuthError."""

    def user_id(self, endpoints: ProviderEndpoints, access_token: str) -> str:
        """The provider's id of the user the token belongs to. Raises OAuthError."""

    def revoke(self, endpoints: ProviderEndpoints, token: str, kind: str) -> None:
        """Ask the provider to revoke ``token`` (``kind``: access_token or refresh_token).
        Raises OAuthError."""
