"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from clipnet.domain.shared.errors import ServiceUnavailable
from clipnet.entrypoints.http.di import HealthDep, ReplyPlatformsDep
from clipnet.entrypoints.http.schemas import HealthOut, ReadyOut


@get("/health/live", tags=["health"], summary="The process is up")
async def live() -> HealthOut:
    return HealthOut(status="ok", checks={})


@get(
    "/health/ready",
    tags=["health"],
    summary="The database and the broker answer",
    description="Also lists the chat platforms ClipBOT can answer on (`chat_replies`).",
    sync_to_thread=True,
    responses={
        503: ResponseSpec(ReadyOut, description="a dependency fails (named, not described)")
    },
)
def ready(health: HealthDep, reply_platforms: ReplyPlatformsDep) -> Response[ReadyOut]:
    readiness = health.readiness()
    body = ReadyOut(
        status="ok" if readiness.ready else "failing",
        checks=dict(readiness.checks),
        chat_replies=[platform.value for platform in reply_platforms],
    )
    if readiness.ready:
        return Response(body)
    return Response(
        body, status_code=503, headers={"Retry-After": str(ServiceUnavailable.retry_after)}
    )


ROUTES = [live, ready]
