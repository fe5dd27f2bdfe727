"""Live events in this process's memory (tests and the single-process embedded profile).

Writers may be any thread (the in-process queue's worker thread); readers are coroutines on
an event loop, woken through ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from clipnet.domain.shared.errors import InvalidInput
from clipnet.ports.events import LiveEvent

_Waiter = tuple[asyncio.AbstractEventLoop, asyncio.Event]


class InMemoryEventLog:
    def __init__(self, keep: int = 1000) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._sequence = 0
        self._logs: dict[str, deque[LiveEvent]] = {}
        self._waiters: dict[str, set[_Waiter]] = {}

    def publish(self, owner_id: str, kind: str, data: Mapping[str, Any]) -> str:
        with self._lock:
            self._sequence += 1
            event = LiveEvent(str(self._sequence), kind, dict(data))
            self._logs.setdefault(owner_id, deque(maxlen=self._keep)).append(event)
            waiters = list(self._waiters.get(owner_id, ()))
        for loop, flag in waiters:
            with contextlib.suppress(RuntimeError):  # that reader's loop has closed
                loop.call_soon_threadsafe(flag.set)
        return event.id

    async def newest_id(self, owner_id: str) -> str:
        with self._lock:
            log = self._logs.get(owner_id)
            return log[-1].id if log else "0"

    async def read(self, owner_id: str, after: str, wait: float) -> list[LiveEvent]:
        cursor = _sequence_of(after)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            with self._waiting(owner_id, loop) as flag:
                found = self._after(owner_id, cursor)
                left = deadline - loop.time()
                if found or left <= 0:
                    return found
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(flag.wait(), left)

    def _after(self, owner_id: str, cursor: int) -> list[LiveEvent]:
        with self._lock:
            return [e for e in self._logs.get(owner_id, ()) if int(e.id) > cursor]

    @contextlib.contextmanager
    def _waiting(self, owner_id: str, loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.Event]:
        """Registered before the log is read, so a publish in between still wakes the reader."""
        waiter = (loop, asyncio.Event())
        with self._lock:
            self._waiters.setdefault(owner_id, set()).add(waiter)
        try:
            yield waiter[1]
        finally:
            with self._lock:
                self._waiters[owner_id].discard(waiter)


def _sequence_of(event_id: str) -> int:
    if not event_id.isascii() or not event_id.isdigit() or len(event_id) > 19:
        raise InvalidInput(f"{event_id[:40]!r} is not an event id of this log")
    return int(event_id)
