"""Bearer-token authentication as a Litestar dependency, and the OpenAPI security scheme."""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Components, SecurityScheme

from clipnet.domain.shared.access import Actor, Unauthenticated
from clipnet.entrypoints.http.di import AccountsDep

BEARER = "bearer"
SECURITY: list[dict[str, list[str]]] = [{BEARER: []}]
COMPONENTS = Components(
    security_schemes={
        BEARER: SecurityScheme(
            type="http",
            scheme="bearer",
            description="An access token from POST /auth/login or POST /auth/refresh",
        )
    }
)


def bearer_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send 'Authorization: Bearer <access token>'")
    return token.strip()


def current_actor(request: Request[Any, Any, Any], accounts: AccountsDep) -> Actor:
    """The authenticated user; 401 problem otherwise. Cached on the request (rate limits)."""
    actor = accounts.authenticate(bearer_token(request))
    request.state["actor"] = actor
    return actor


ACTOR = {"actor": Provide(current_actor, sync_to_thread=False)}
#: The type of a handler's ``actor`` parameter: the authenticated user.
ActorDep: TypeAlias = NamedDependency[Actor]
