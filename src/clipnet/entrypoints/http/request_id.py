"""Every request has an id: the client's ``X-Request-ID`` when it is well-formed, else a new
one. It comes back in the response's ``X-Request-ID``, is bound while the request is handled
(so its log lines carry it), and goes into the jobs the request queues (the outbox copies it),
whose log lines then carry it too, on whichever worker runs them."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from clipnet.domain.shared.correlation import request_id_bound

HEADER = "x-request-id"
#: Safe in a header, a log line and a job payload; long enough for a UUID or a trace id.
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_STATE_KEY = "clipnet_request_id"


def request_id_of(scope: Scope) -> str:
    """This request's id, decided once per request (kept in the scope's state)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    if _STATE_KEY not in state:
        state[_STATE_KEY] = _incoming(scope) or uuid.uuid4().hex
    return str(state[_STATE_KEY])


def _incoming(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == HEADER.encode():
            text = value.decode("latin-1").strip()
            return text if WELL_FORMED.fullmatch(text) else ""
    return ""


def bind_request_id(app: ASGIApp) -> ASGIApp:
    """Middleware: the request's id is the current one while the route handles it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        with request_id_bound(request_id_of(scope)):
            await app(scope, receive, send)

    return middleware


async def add_request_id_header(message: Message, scope: Scope) -> None:
    """``before_send`` hook: every HTTP response says its request id (a 404 for an unknown
    path too, which no route middleware sees)."""
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER.encode()]
    headers.append((HEADER.encode(), request_id_of(scope).encode()))
    message["headers"] = headers
