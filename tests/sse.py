"""Reading ``GET /events`` over real HTTP, the way the studio does: a background reader that
collects the server-sent events of one user's stream until it is closed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import httpx


@attrs.frozen
class Sse:
    id: str
    event: str
    data: dict[str, Any]


def parse_stream(lines: Any) -> Any:
    """Yield ``Sse`` messages and, for comments, the comment text (a ``str``)."""
    message: dict[str, Any] = {"id": "", "event": "message", "data": [], "fresh": False}
    for line in lines:
        if line == "":
            if message["data"]:
                yield Sse(message["id"], message["event"], json.loads("\n".join(message["data"])))
            elif message["fresh"]:
                yield Sse(message["id"], "open", {})  # an id alone: where the stream starts
            message = {"id": message["id"], "event": "message", "data": [], "fresh": False}
        elif line.startswith(":"):
            yield line[1:].strip()
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                message["data"].append(value)
            elif field == "event":
                message["event"] = value
            elif field == "id":
                message["id"], message["fresh"] = value, True


class EventReader:
    """One open event stream, read on a thread; ``events`` grows as events arrive. The
    reading is an asyncio task, so ``close`` cancels it at once (a blocked read included)."""

    def __init__(self, base: str, token: str, last_event_id: str = "") -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.events: list[Sse] = []
        self.comments: list[str] = []
        self.status = 0
        self.error: Exception | None = None
        self.ended = threading.Event()
        self._base, self._headers = base, headers
        self._connected = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)
        self._thread.start()
        if not self._connected.wait(20):
            self.close()
            raise AssertionError("the event stream did not open within 20 s")

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        try:
            async with (
                httpx.AsyncClient(
                    base_url=self._base, timeout=httpx.Timeout(60, connect=10)
                ) as client,
                client.stream("GET", "/events", headers=self._headers) as response,
            ):
                self.status = response.status_code
                self._connected.set()
                async for item in parse_async(response.aiter_lines()):
                    if isinstance(item, Sse):
                        self.events.append(item)
                    else:
                        self.comments.append(item)
        except asyncio.CancelledError:
            pass  # closed
        except (httpx.HTTPError, ValueError) as error:
            self.error = error
        finally:
            self._connected.set()
            self.ended.set()

    def wait_for(self, done: Callable[[list[Sse]], bool], timeout: float = 30) -> list[Sse]:
        """The events so far, once ``done`` holds for them (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while not done(list(self.events)):
            if time.monotonic() > deadline or (self.ended.is_set() and not done(self.events)):
                raise AssertionError(f"events so far: {self.events} (error: {self.error})")
            time.sleep(0.05)
        return list(self.events)

    def close(self) -> None:
        if self._loop is not None and self._task is not None and not self.ended.is_set():
            with contextlib.suppress(RuntimeError):  # its loop already finished
                self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=10)

    def __enter__(self) -> EventReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


async def parse_async(lines: Any) -> Any:
    """``parse_stream`` over an async iterator of lines."""
    buffered: list[str] = []
    async for line in lines:
        buffered.append(line)
        if line == "":
            for item in parse_stream(buffered):
                yield item
            buffered = []
