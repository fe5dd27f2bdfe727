"""The request id a piece of work runs under, so log lines of one request (and of the jobs it
queued) can be found together.

The HTTP layer binds the id for the length of a request, the outbox copies it into each job it
records, and the job middleware binds it again while the job runs, on whichever worker. Log
formatting reads :func:`current_request_id`; nothing else depends on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_REQUEST_ID: ContextVar[str] = ContextVar("clipnet_request_id", default="")


def current_request_id() -> str:
    """The id bound in this context ("" outside any request or job)."""
    return _REQUEST_ID.get()


@contextmanager
def request_id_bound(request_id: str) -> Iterator[None]:
    """``request_id`` is the current one inside the block; the previous one comes back after."""
    token = _REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        _REQUEST_ID.reset(token)
