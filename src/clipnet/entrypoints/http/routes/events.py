"""``GET /events``: the caller's live events as Server-Sent Events.

Each user reads their own log (see ``clipnet.ports.events``), so no other user's event can be
sent. A stream starts with what is new from now on, or with everything after the id in
``Last-Event-ID`` (a reconnect), sends a comment every ``HEARTBEAT`` seconds so proxies keep
it open, and ends after ``CLIPNET_EVENTS_STREAM_SECONDS``: the studio reconnects with its
last id (and its current access token), so a login that was revoked stops being served.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from litestar import Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.types import SSEData

from clipnet.domain.shared.errors import ServiceUnavailable
from clipnet.domain.shared.live import KINDS
from clipnet.entrypoints.http.di import EventLogDep, SettingsDep
from clipnet.entrypoints.http.problems import problem_responses
from clipnet.entrypoints.http.security import SECURITY, ActorDep
from clipnet.ports.events import EventLog, LiveEvent

log = logging.getLogger(__name__)

#: Seconds between keep-alive comments on a quiet stream.
HEARTBEAT = 15.0
#: What a browser's EventSource waits before reconnecting (the studio has its own backoff).
RETRY_MS = 2000
#: The longest Last-Event-ID taken (the logs' ids are far shorter).
MAX_ID_CHARS = 64

DESCRIPTION = (
    "A `text/event-stream` of your own sources' and clips' status changes, analysis progress "
    "and post results, one JSON object per event: "
    "`clip.status` {clip_id, source_id, status, score, error}, "
    "`source.status` {source_id, status, duration, error}, "
    "`job.progress` {source_id, clip_id, stage, percent}, "
    "`post.status` {post_id, clip_id, platform, status, url, error}. "
    "Each event has an `id`; reconnect with `Last-Event-ID: <id>` to be sent everything after "
    "it (the newest 1000 events per user are kept, CLIPNET_EVENTS_KEEP). A comment arrives "
    f"every {HEARTBEAT:g} s; the stream ends after CLIPNET_EVENTS_STREAM_SECONDS, to be resumed."
)


@get(
    "/events",
    tags=["events"],
    summary="Your live events (Server-Sent Events)",
    description=DESCRIPTION,
    security=SECURITY,
    media_type="text/event-stream",
    responses=problem_responses(401, 422, 503),
)
async def events(
    request: Request[Any, Any, Any],
    actor: ActorDep,
    event_log: EventLogDep,
    settings: SettingsDep,
) -> ServerSentEvent:
    resume = request.headers.get("last-event-id", "").strip()[:MAX_ID_CHARS]
    owner = actor.user_id
    cursor = resume or await event_log.newest_id(owner)
    backlog = await event_log.read(owner, cursor, 0)  # also refuses a malformed id, as a 422
    loop = asyncio.get_running_loop()
    until = loop.time() + settings.api.events_stream_seconds
    return ServerSentEvent(_stream(event_log, owner, cursor, backlog, until))


async def _stream(
    event_log: EventLog, owner: str, cursor: str, backlog: Sequence[LiveEvent], until: float
) -> AsyncIterator[SSEData]:
    loop = asyncio.get_running_loop()
    # The first bytes: the stream is open, how soon to come back, and where this stream
    # starts (an id with no data sets the client's last event id: a reconnect before any
    # event came still resumes from here, missing nothing).
    yield ServerSentEventMessage(data=None, id=cursor, comment="events for you", retry=RETRY_MS)
    pending = backlog
    while True:
        for event in pending:
            cursor = event.id
            if event.kind in KINDS:
                yield ServerSentEventMessage(
                    id=event.id, event=event.kind, data=json.dumps(dict(event.data))
                )
        left = until - loop.time()
        if left <= 0:
            return
        try:
            pending = await event_log.read(owner, cursor, min(HEARTBEAT, left))
        except ServiceUnavailable as error:  # the client reconnects with its last id
            log.warning("an event stream ended: %s", error)
            return
        if not pending:
            yield ServerSentEventMessage(data=None, comment="still here")


ROUTES = [events]
