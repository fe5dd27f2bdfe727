"""OAuth2 token and user-info endpoints over HTTP (httpx), with timeouts.

Provider quirks live here: TikTok calls the client id ``client_key`` and returns ``open_id``;
user-info answers differ (``id``, ``sub``, ``data.id``, ``data[0].id``, ``data.user.open_id``).
"""

from __future__ import annotations

from typing import Any

import httpx

from clipnet.adapters.http_resilience import json_object
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.oauth import OAuthError, ProviderEndpoints, TokenGrant


class HttpOAuthClient:
    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = timeout

    def exchange_code(
        self, endpoints: ProviderEndpoints, code: str, verifier: str, redirect_uri: str
    ) -> TokenGrant:
        return self._token(
            endpoints,
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": redirect_uri,
            },
        )

    def refresh(self, endpoints: ProviderEndpoints, refresh_token: str) -> TokenGrant:
        return self._token(
            endpoints, {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    def user_id(self, endpoints: ProviderEndpoints, access_token: str) -> str:
        data = self._send(
            "GET",
            endpoints.userinfo_url,
            headers={"Authorization": f"Bearer {access_token}", "Client-Id": endpoints.client_id},
        )
        found = _find_id(data)
        if not found:
            raise OAuthError(f"{endpoints.provider.value}: the user-info answer names no user id")
        return found

    def revoke(self, endpoints: ProviderEndpoints, token: str, kind: str) -> None:
        form = _with_client(endpoints, {"token": token, "token_type_hint": kind})
        self._request("POST", endpoints.revoke_url, data=form)  # any 2xx: revoked

    def _token(self, endpoints: ProviderEndpoints, form: dict[str, str]) -> TokenGrant:
        data = self._send("POST", endpoints.token_url, data=_with_client(endpoints, form))
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise OAuthError(f"{endpoints.provider.value}: the token answer has no access_token")
        expires = data.get("expires_in")
        scope = data.get("scope", "")
        scopes = scope if isinstance(scope, list) else str(scope).replace(",", " ").split()
        return TokenGrant(
            access_token=token,
            refresh_token=str(data.get("refresh_token") or ""),
            expires_in=float(expires) if isinstance(expires, int | float | str) else None,
            scopes=tuple(str(s) for s in scopes),
        )

    def _send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        return json_object(self._request(method, url, **kwargs), url, OAuthError)

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = httpx.request(method, url, timeout=self._timeout, **kwargs)
        except httpx.HTTPError as error:
            raise OAuthError(f"{url}: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise OAuthError(f"{url} answered {response.status_code}: {response.text[:200]}")
        return response


def _with_client(endpoints: ProviderEndpoints, form: dict[str, str]) -> dict[str, str]:
    """The form with ClipNET's client credentials, named as the provider names them."""
    client_key = "client_key" if endpoints.provider is Platform.TIKTOK else "client_id"
    return {**form, client_key: endpoints.client_id, "client_secret": endpoints.client_secret}


def _find_id(data: Any) -> str:
    """The user id in the shapes providers answer with."""
    if isinstance(data, list):
        return _find_id(data[0]) if data else ""
    if not isinstance(data, dict):
        return ""
    for key in ("id", "sub", "open_id", "user_id"):
        if isinstance(data.get(key), str | int) and str(data[key]):
            return str(data[key])
    for key in ("data", "user"):
        if key in data:
            return _find_id(data[key])
    return ""
