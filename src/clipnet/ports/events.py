"""Live events: what the studio shows as it happens (a clip's status, a job's progress).

Each user has their own ordered log, so a reader can only ever be handed its own events, and
a reader that reconnects names the last event it saw and is given everything after it (while
the log still holds it: a log keeps each user's newest events, not all of them). Writers are
the worker and the API, readers the API's ``GET /events``; on a profile with several processes
the log lives outside them (Redis), so an event written by a worker reaches every replica.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import attrs


@attrs.frozen
class LiveEvent:
    id: str
    """Unique within the owner's log, and ordered: a reader resumes after it."""
    kind: str
    """What happened: ``clip.status``, ``source.status``, ``job.progress``, ``post.status``."""
    data: Mapping[str, Any]
    """JSON-ready facts (ids, the new status, a percent)."""


@runtime_checkable
class EventLog(Protocol):
    def publish(self, owner_id: str, kind: str, data: Mapping[str, Any]) -> str:
        """Append an event to the owner's log and return its id (callable from any thread)."""

    async def newest_id(self, owner_id: str) -> str:
        """The id of the owner's newest event, or the id that comes before every event: a
        reader that starts from it sees only what is published from now on."""

    async def read(self, owner_id: str, after: str, wait: float) -> list[LiveEvent]:
        """The owner's events after ``after``, oldest first; when there are none, waits up to
        ``wait`` seconds for one (and returns [] if none came). Raises ``InvalidInput`` for
        an ``after`` that is not an id of this log, ``ServiceUnavailable`` when the log
        cannot be reached."""
