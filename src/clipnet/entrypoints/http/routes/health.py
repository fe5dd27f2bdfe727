"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from clipnet.domain.jobs.workers import WorkerRoll
from clipnet.domain.shared.errors import ServiceUnavailable
from clipnet.entrypoints.http.di import HealthDep, ReplyPlatformsDep, WorkerRosterDep
from clipnet.entrypoints.http.schemas import HealthOut, ReadyOut, WorkerOut, WorkersOut


@get("/health/live", tags=["health"], summary="The process is up")
async def live() -> HealthOut:
    return HealthOut(status="ok", checks={})


@get(
    "/health/ready",
    tags=["health"],
    summary="The database and the broker answer",
    description="Also lists the chat platforms ClipBOT can answer on (`chat_replies`) and the "
    "live job workers (`workers`); neither is a check.",
    sync_to_thread=True,
    responses={
        503: ResponseSpec(ReadyOut, description="a dependency fails (named, not described)")
    },
)
def ready(
    health: HealthDep, reply_platforms: ReplyPlatformsDep, worker_roster: WorkerRosterDep
) -> Response[ReadyOut]:
    readiness = health.readiness()
    body = ReadyOut(
        status="ok" if readiness.ready else "failing",
        checks=dict(readiness.checks),
        chat_replies=[platform.value for platform in reply_platforms],
        workers=workers_out(worker_roster.roll()),
    )
    if readiness.ready:
        return Response(body)
    return Response(
        body, status_code=503, headers={"Retry-After": str(ServiceUnavailable.retry_after)}
    )


def workers_out(roll: WorkerRoll) -> WorkersOut:
    items = [
        WorkerOut(
            id=worker.id,
            queues=[job_type.value for job_type in worker.queues],
            threads={group.value: count for group, count in worker.threads},
            started_at=worker.started_at,
            last_beat=worker.last_beat,
        )
        for worker in roll.workers
    ]
    return WorkersOut(alive=len(items), items=items, note=roll.note)


ROUTES = [live, ready]
