"""Live events in Redis Streams, shared by every API replica and worker.

One stream per user (``<namespace>:events:<user id>``), trimmed to about ``keep`` entries
and expiring ``ttl`` seconds after its last event, so an idle user's log costs nothing.
Stream ids (``<ms>-<n>``) are the event ids: ``XREAD`` after the id a browser sends back in
``Last-Event-ID`` is exactly "everything I have not seen". Writers use the synchronous
client the rest of the process shares; readers a ``redis.asyncio`` client per event loop, so
a hundred open streams are a hundred blocked ``XREAD``s, not a hundred threads.
"""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import Mapping
from typing import Any

from redis import asyncio as redis_asyncio

from clipnet.adapters.redis_outages import redis_outage
from clipnet.adapters.redis_values import text
from clipnet.domain.shared.errors import InvalidInput
from clipnet.ports.events import LiveEvent

_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
#: The longest one read blocks; its socket waits this much and a slack more before giving up.
MAX_WAIT = 30.0
_SOCKET_SLACK = 10.0


class RedisEventLog:
    def __init__(
        self, client: Any, url: str, namespace: str, *, keep: int = 1000, ttl: int = 86400
    ) -> None:
        self._redis = client
        self._url = url
        self._ns = namespace
        self._keep = keep
        self._ttl = ttl
        self._readers: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def _key(self, owner_id: str) -> str:
        return f"{self._ns}:events:{owner_id}"

    def publish(self, owner_id: str, kind: str, data: Mapping[str, Any]) -> str:
        key = self._key(owner_id)
        with redis_outage("event log"):
            pipe = self._redis.pipeline()
            pipe.xadd(
                key,
                {"kind": kind, "data": json.dumps(dict(data))},
                maxlen=self._keep,
                approximate=True,
            )
            pipe.expire(key, self._ttl)
            event_id, _ = pipe.execute()
        return text(event_id)

    async def newest_id(self, owner_id: str) -> str:
        with redis_outage("event log"):
            newest = await self._reader().xrevrange(self._key(owner_id), count=1)
        return text(newest[0][0]) if newest else "0-0"

    async def read(self, owner_id: str, after: str, wait: float) -> list[LiveEvent]:
        if not _STREAM_ID.match(after):
            raise InvalidInput(f"{after[:40]!r} is not an event id of this log")
        block = int(min(wait, MAX_WAIT) * 1000) if wait > 0 else None
        with redis_outage("event log"):
            answer = await self._reader().xread({self._key(owner_id): after}, block=block)
        if not answer:
            return []
        _, entries = answer[0]
        return [_event(entry_id, fields) for entry_id, fields in entries]

    def _reader(self) -> Any:
        """This event loop's asynchronous client (one client must not span loops)."""
        loop = asyncio.get_running_loop()
        client = self._readers.get(loop)
        if client is None:
            client = redis_asyncio.Redis.from_url(
                self._url, socket_connect_timeout=5, socket_timeout=MAX_WAIT + _SOCKET_SLACK
            )
            self._readers[loop] = client
        return client

    async def close(self) -> None:
        """Close this loop's reader client (the API's shutdown)."""
        client = self._readers.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


def _event(entry_id: Any, fields: Mapping[Any, Any]) -> LiveEvent:
    values = {text(k): text(v) for k, v in fields.items()}
    return LiveEvent(text(entry_id), values.get("kind", ""), json.loads(values.get("data", "{}")))
