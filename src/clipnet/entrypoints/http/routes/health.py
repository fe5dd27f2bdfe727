"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from clipnet.domain.shared.errors import ServiceUnavailable
from clipnet.entrypoints.http.di import HealthDep
from clipnet.entrypoints.http.schemas import HealthOut


@get("/health/live", tags=["health"], summary="The process is up")
async def live() -> HealthOut:
    return HealthOut(status="ok", checks={})


@get(
    "/health/ready",
    tags=["health"],
    summary="The database and the broker answer",
    sync_to_thread=True,
    responses={
        503: ResponseSpec(HealthOut, description="a dependency fails (named, not described)")
    },
)
def ready(health: HealthDep) -> Response[HealthOut]:
    readiness = health.readiness()
    body = HealthOut(status="ok" if readiness.ready else "failing", checks=dict(readiness.checks))
    if readiness.ready:
        return Response(body)
    return Response(
        body, status_code=503, headers={"Retry-After": str(ServiceUnavailable.retry_after)}
    )


ROUTES = [live, ready]
