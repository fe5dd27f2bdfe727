"""Linking platform accounts: start an OAuth2 flow, take the provider's callback, unlink.

The flow's state and PKCE verifier travel sealed in an HTTP-only cookie scoped to /oauth.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import CookieParameter, PathParameter, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from clipnet.domain.accounts.oauth_linking import PENDING_FOR
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.http import render
from clipnet.entrypoints.http.di import OAuthDep, SettingsDep
from clipnet.entrypoints.http.problems import AUTHED, problem_responses
from clipnet.entrypoints.http.schemas import LinkedAccountOut, LinkedAccounts, OAuthStartOut
from clipnet.entrypoints.http.security import SECURITY, ActorDep
from clipnet.settings import Settings

COOKIE = "clipnet_oauth"
ProviderParam = Annotated[
    Platform, PathParameter(description="twitch, youtube, tiktok, discord or x")
]
CALLBACK = problem_responses(400, 404, 422, 502, 503)


def callback_url(settings: Settings, provider: Platform) -> str:
    return f"{settings.api.public_url.rstrip('/')}/oauth/{provider.value}/callback"


def _cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=value,
        path="/oauth",
        max_age=max_age,
        httponly=True,
        secure=settings.api.public_url.startswith("https://"),
        samesite="lax",  # sent on the provider's top-level redirect back to us
    )


@get(
    "/accounts",
    responses=AUTHED,
    summary="Your linked accounts",
    security=SECURITY,
    sync_to_thread=True,
)
def linked_accounts(actor: ActorDep, oauth: OAuthDep) -> LinkedAccounts:
    return LinkedAccounts(
        items=[render.linked_account(a) for a in oauth.accounts(actor)],
        providers=[p.value for p in oauth.configured],
    )


@post(
    "/{provider:str}/start",
    responses=AUTHED,
    status_code=200,
    summary="Begin linking: returns the provider's authorization URL",
    security=SECURITY,
)
async def start(
    provider: ProviderParam, actor: ActorDep, oauth: OAuthDep, settings: SettingsDep
) -> Response[OAuthStartOut]:
    flow = oauth.start(actor, provider, callback_url(settings, provider))
    max_age = int(PENDING_FOR.total_seconds())
    return Response(
        OAuthStartOut(authorize_url=flow.url), cookies=[_cookie(settings, flow.pending, max_age)]
    )


@get(
    "/{provider:str}/callback",
    responses=CALLBACK,
    summary="The provider sends the browser back here",
    sync_to_thread=True,
)
def callback(
    provider: ProviderParam,
    oauth: OAuthDep,
    settings: SettingsDep,
    oauth_state: Annotated[str, QueryParameter(name="state", min_length=1, max_length=2048)],
    code: Annotated[str | None, QueryParameter(max_length=2048)] = None,
    error: Annotated[str | None, QueryParameter(max_length=256)] = None,
    pending: Annotated[str, CookieParameter(name=COOKIE, max_length=4096)] = "",
) -> Response[LinkedAccountOut]:
    if error or not code:
        raise InvalidInput(f"{provider.value} did not grant access: {error or 'no code'}")
    account = oauth.complete(provider, code, oauth_state, pending, callback_url(settings, provider))
    return Response(render.linked_account(account), cookies=[_cookie(settings, "", 0)])


@delete(
    "/{provider:str}",
    responses=AUTHED,
    status_code=HTTP_204_NO_CONTENT,
    summary="Unlink an account",
    description="Forgets the account's tokens and asks the provider to revoke them (a provider "
    "that refuses or cannot be reached is logged; the account is unlinked all the same).",
    security=SECURITY,
    sync_to_thread=True,
)
def unlink(provider: ProviderParam, actor: ActorDep, oauth: OAuthDep) -> None:
    oauth.unlink(actor, provider)


router = Router("/oauth", route_handlers=[linked_accounts, start, callback, unlink], tags=["oauth"])
