"""Linking a user's platform accounts with OAuth2: authorization code + state + PKCE (S256).

The pending request (state, PKCE verifier, user, provider, deadline) is sealed with the
secret box and handed to the browser as a cookie, so any API replica can finish the flow.
The one thing kept server-side is that a state was used: a callback claims its state in the
nonce store before the code is exchanged, so a replayed callback is refused and the
provider is not asked again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode

import attrs

from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import DomainError, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.accounts import NonceStore
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.oauth import OAuthClient, OAuthError, ProviderEndpoints, TokenGrant
from clipnet.ports.repositories import UnitOfWorkFactory
from clipnet.ports.secrets import SecretBox

log = logging.getLogger(__name__)

T = TypeVar("T")
PENDING_FOR = timedelta(minutes=10)
REFRESH_MARGIN = timedelta(seconds=60)

#: Parameters some providers want beyond the standard ones.
_EXTRA_PARAMS: Mapping[Platform, Mapping[str, str]] = {
    Platform.YOUTUBE: {"access_type": "offline", "prompt": "consent"},
}


class OAuthStateMismatch(DomainError):
    """The callback's state does not belong to a flow this browser started (or it expired)."""

    kind = "oauth-state-mismatch"


class OAuthRefused(DomainError):
    """The provider refused the code or refresh token, or could not be reached."""

    kind = "oauth-refused"


@attrs.frozen
class AuthorizationRequest:
    url: str
    """Where to send the browser."""
    pending: str
    """Sealed flow state, to be returned (as a cookie) with the callback."""


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthLinking:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        client: OAuthClient,
        providers: Mapping[Platform, ProviderEndpoints],
        box: SecretBox,
        nonces: NonceStore,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._client = client
        self._providers = dict(providers)
        self._box = box
        self._nonces = nonces
        self._clock = clock
        self._ids = ids

    @property
    def configured(self) -> list[Platform]:
        return sorted(self._providers, key=lambda p: p.value)

    def start(self, actor: Actor, provider: Platform, redirect_uri: str) -> AuthorizationRequest:
        endpoints = self._endpoints(provider)
        state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        deadline = self._clock.now() + PENDING_FOR
        pending = {
            "state": state,
            "verifier": verifier,
            "user": actor.user_id,
            "provider": provider.value,
            "until": deadline.isoformat(),
        }
        client_key = "client_key" if provider is Platform.TIKTOK else "client_id"
        params = {
            "response_type": "code",
            client_key: endpoints.client_id,
            "redirect_uri": redirect_uri,
            "scope": ("," if provider is Platform.TIKTOK else " ").join(endpoints.scopes),
            "state": state,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
            **_EXTRA_PARAMS.get(provider, {}),
        }
        separator = "&" if "?" in endpoints.authorize_url else "?"
        url = f"{endpoints.authorize_url}{separator}{urlencode(params)}"
        return AuthorizationRequest(url, self._box.seal(json.dumps(pending)))

    def complete(
        self, provider: Platform, code: str, state: str, pending: str, redirect_uri: str
    ) -> OAuthAccount:
        """Finish the flow: check and spend the state, exchange the code, link the account."""
        endpoints = self._endpoints(provider)
        flow = self._open(pending)
        until = datetime.fromisoformat(str(flow["until"]))
        if (
            flow.get("provider") != provider.value
            # as bytes: compare_digest refuses non-ASCII str (a hostile ?state=é was a 500)
            or not hmac.compare_digest(
                str(flow.get("state", "")).encode(), state.encode("utf-8", "surrogateescape")
            )
            or until <= self._clock.now()
        ):
            raise OAuthStateMismatch("the OAuth state does not match this browser's sign-in")
        state_key = "oauth-state:" + hashlib.sha256(state.encode()).hexdigest()
        if not self._nonces.claim(state_key, until):
            raise OAuthStateMismatch("this OAuth sign-in was already used; start linking again")
        grant = self._call(
            lambda: self._client.exchange_code(endpoints, code, str(flow["verifier"]), redirect_uri)
        )
        remote_id = self._call(lambda: self._client.user_id(endpoints, grant.access_token))
        user_id = str(flow["user"])
        with self._uow() as uow:
            uow.users.get(user_id)  # the user may have been deleted meanwhile
            existing = uow.oauth_accounts.find(user_id, provider)
            account = OAuthAccount(
                id=existing.id if existing else self._ids.new_id(),
                user_id=user_id,
                provider=provider,
                provider_user_id=remote_id,
                access_token="",
                created_at=existing.created_at if existing else self._clock.now(),
            )
            self._apply(account, grant)
            uow.oauth_accounts.save(account)
            uow.commit()
        return account

    def accounts(self, actor: Actor) -> list[OAuthAccount]:
        with self._uow() as uow:
            return uow.oauth_accounts.list_for_user(actor.user_id)

    def unlink(self, actor: Actor, provider: Platform) -> None:
        """Forget the linked account, then ask the provider to revoke its tokens.

        The account is forgotten even when the provider refuses or cannot be reached (the log
        says what was not revoked): ClipNET holds the tokens no more either way.
        """
        with self._uow() as uow:
            account = uow.oauth_accounts.find(actor.user_id, provider)
            if account is None:
                raise NotFound("linked account", provider.value)
            uow.oauth_accounts.delete(actor.user_id, provider)
            uow.commit()
        self._revoke(account)

    def _revoke(self, account: OAuthAccount) -> None:
        endpoints = self._providers.get(account.provider)
        if endpoints is None or not endpoints.revoke_url:
            return
        tokens = [("access_token", account.access_token), ("refresh_token", account.refresh_token)]
        for kind, token in tokens:
            if not token:
                continue
            try:
                self._client.revoke(endpoints, token, kind)
            except OAuthError as error:
                log.warning(
                    "%s did not revoke an unlinked account's %s: %s",
                    account.provider.value,
                    kind,
                    error,
                )

    def fresh_account(self, user_id: str, provider: Platform) -> OAuthAccount:
        """The linked account with an access token valid for at least a minute more."""
        with self._uow() as uow:
            account = uow.oauth_accounts.find(user_id, provider)
        if account is None:
            raise NotFound("linked account", provider.value)
        if not account.expires_before(self._clock.now() + REFRESH_MARGIN):
            return account
        if not account.refresh_token:
            raise OAuthRefused(f"the {provider.value} token expired and cannot be refreshed")
        endpoints, token = self._endpoints(provider), account.refresh_token
        grant = self._call(lambda: self._client.refresh(endpoints, token))
        with self._uow() as uow:
            account = uow.oauth_accounts.find(user_id, provider) or account
            self._apply(account, grant)
            uow.oauth_accounts.save(account)
            uow.commit()
        return account

    # -- helpers -------------------------------------------------------------------------------

    def _endpoints(self, provider: Platform) -> ProviderEndpoints:
        try:
            return self._providers[provider]
        except KeyError:
            raise NotFound("oauth provider", provider.value) from None

    def _open(self, pending: str) -> dict[str, object]:
        try:
            flow = json.loads(self._box.open(pending))
        except ValueError:
            raise OAuthStateMismatch("no OAuth sign-in is pending in this browser") from None
        if not isinstance(flow, dict) or "until" not in flow:
            raise OAuthStateMismatch("no OAuth sign-in is pending in this browser")
        return flow

    def _apply(self, account: OAuthAccount, grant: TokenGrant) -> None:
        account.access_token = grant.access_token
        if grant.refresh_token:  # providers may omit it on refresh: keep the old one
            account.refresh_token = grant.refresh_token
        account.expires_at = (
            self._clock.now() + timedelta(seconds=grant.expires_in)
            if grant.expires_in is not None
            else None
        )
        if grant.scopes:
            account.scopes = grant.scopes

    @staticmethod
    def _call(call: Callable[[], T]) -> T:
        try:
            return call()
        except OAuthError as error:
            raise OAuthRefused(str(error)) from None
