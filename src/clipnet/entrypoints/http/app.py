"""The Litestar application factory.

``create_app(container)`` builds the API from a container; nothing is created at import time.
Other features add routes through ``extra_routes`` (e.g. the ClipBOT webhooks)::

    create_app(container, extra_routes=[webhooks_router])

Handlers ask for container services by name (see :mod:`clipnet.entrypoints.http.di`) and
for ``actor`` (the authenticated user).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler

from clipnet import __version__
from clipnet.container import Container
from clipnet.entrypoints.http import api_docs
from clipnet.entrypoints.http.di import container_dependencies
from clipnet.entrypoints.http.media import MediaLinks
from clipnet.entrypoints.http.metrics import metrics_routes, request_metrics
from clipnet.entrypoints.http.openapi import ClosedBodySchemaPlugin
from clipnet.entrypoints.http.options import allow_every_method
from clipnet.entrypoints.http.problems import EXCEPTION_HANDLERS
from clipnet.entrypoints.http.request import ApiRequest
from clipnet.entrypoints.http.request_id import add_request_id_header, bind_request_id
from clipnet.entrypoints.http.routes import (
    auth,
    bot,
    clips,
    events,
    health,
    jobs,
    media,
    oauth,
    share,
    sources,
    studio,
)
from clipnet.entrypoints.http.security import ACTOR, COMPONENTS

#: Every route of the API, in one place.
CORE_ROUTES: list[ControllerRouterHandler] = [
    *health.ROUTES,
    auth.router,
    sources.router,
    clips.router,
    *jobs.ROUTES,
    *events.ROUTES,  # GET /events: live events (Server-Sent Events)
    *media.ROUTES,
    *share.ROUTES,  # public share pages: /share/{token}
    oauth.router,
    bot.router,  # ClipBOT's webhooks: /bot/twitch, /bot/discord, /bot/x
    *api_docs.ROUTES,  # Swagger UI's files, so /schema works offline
    *studio.ROUTES,  # the studio (web dashboard): / and /studio/*
]


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="ClipNET API",
        version=__version__,
        description=(
            "Turn long stream recordings into short, scored clips. Errors are RFC 9457 "
            "problem details (application/problem+json) with a stable `type`."
        ),
        path="/schema",
        components=COMPONENTS,
        render_plugins=[api_docs.swagger_plugin()],  # at /schema and /schema/swagger
    )


def create_app(
    container: Container,
    *,
    extra_routes: Sequence[ControllerRouterHandler] = (),
    debug: bool = False,
    **litestar_options: Any,
) -> Litestar:
    """The API for ``container``'s services; ``extra_routes`` are mounted beside the core."""
    settings = container.settings()
    local = settings.storage.local_dir if settings.storage.backend == "local" else None
    links = MediaLinks(local, settings.api.public_url)
    return Litestar(
        route_handlers=[*CORE_ROUTES, *metrics_routes(container), *extra_routes],
        dependencies={
            **container_dependencies(container),
            **ACTOR,
            "media_links": Provide(lambda: links, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=ApiRequest,
        before_send=[allow_every_method, add_request_id_header],
        middleware=[bind_request_id, *request_metrics(settings)],  # docs/deploy.md
        openapi_config=openapi_config(),
        plugins=[ClosedBodySchemaPlugin()],
        request_max_body_size=settings.api.max_request_bytes,
        cors_config=CORSConfig(allow_origins=[settings.api.public_url, *settings.api.cors_origins]),
        debug=debug,
        **litestar_options,
    )
