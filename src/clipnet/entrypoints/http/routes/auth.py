"""Sign-up, login, token refresh, logout and the user's own profile."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, patch, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from clipnet.entrypoints.http import render
from clipnet.entrypoints.http.di import AccountsDep
from clipnet.entrypoints.http.problems import (
    AUTHED,
    AUTHED_BODY,
    PUBLIC_BODY,
    problem_responses,
)
from clipnet.entrypoints.http.schemas import (
    Login,
    ProfileOut,
    ProfileUpdate,
    RefreshRequest,
    SignUp,
    TokensOut,
    UserOut,
)
from clipnet.entrypoints.http.security import SECURITY, ActorDep


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def limit_by_ip(request: Request[Any, Any, Any], accounts: AccountsDep) -> None:
    """Per-IP limit on every /auth route (on top of the per-account login limit)."""
    accounts.count_attempt(f"ip:{client_address(request)}")


@post(
    "/signup",
    responses=PUBLIC_BODY,
    status_code=HTTP_201_CREATED,
    summary="Create an account",
    sync_to_thread=True,
)
def sign_up(
    data: JSONBody[SignUp], accounts: AccountsDep, request: Request[Any, Any, Any]
) -> UserOut:
    limit_by_ip(request, accounts)
    return render.user(accounts.sign_up(data.email, data.password, data.display_name))


@post(
    "/login",
    responses=PUBLIC_BODY,
    status_code=200,
    summary="Trade email and password for tokens",
    sync_to_thread=True,
)
def login(
    data: JSONBody[Login], accounts: AccountsDep, request: Request[Any, Any, Any]
) -> TokensOut:
    limit_by_ip(request, accounts)
    return render.tokens(accounts.login(data.email, data.password))


@post(
    "/refresh",
    responses=PUBLIC_BODY,
    status_code=200,
    summary="Rotate a refresh token",
    sync_to_thread=True,
)
def refresh(
    data: JSONBody[RefreshRequest], accounts: AccountsDep, request: Request[Any, Any, Any]
) -> TokensOut:
    limit_by_ip(request, accounts)
    return render.tokens(accounts.refresh(data.refresh_token))


@post(
    "/logout",
    responses=AUTHED,
    status_code=HTTP_204_NO_CONTENT,
    summary="Revoke this session",
    security=SECURITY,
    sync_to_thread=True,
)
def logout(actor: ActorDep, accounts: AccountsDep) -> None:
    accounts.logout(actor)


@get(
    "/me",
    responses=AUTHED,
    summary="Your profile",
    security=SECURITY,
    sync_to_thread=True,
)
def me(actor: ActorDep, accounts: AccountsDep) -> UserOut:
    return render.user(accounts.profile(actor))


@patch(
    "/me",
    responses={**AUTHED_BODY, **problem_responses(403)},
    summary="Change your name, password or email",
    description="A new `password` or `email` needs `current_password` (422 without it, 403 "
    "when it is wrong) and ends every session of the account, this one too: the answer's "
    "`tokens` are a new session's. A name-only change keeps the sessions (`tokens` is null).",
    security=SECURITY,
    sync_to_thread=True,
)
def update_me(data: JSONBody[ProfileUpdate], actor: ActorDep, accounts: AccountsDep) -> ProfileOut:
    change = accounts.update_profile(
        actor,
        display_name=data.display_name,
        password=data.password,
        email=data.email,
        current_password=data.current_password,
    )
    return render.profile(change)


router = Router(
    "/auth", route_handlers=[sign_up, login, refresh, logout, me, update_me], tags=["auth"]
)
