"""Worker heartbeats on Redis, under the queue's namespace, so every API and CLI process of
an environment sees every worker.

Each worker's record is a key that expires ``ttl`` after its last beat (a killed worker
vanishes by itself); a set of worker ids beside it spares readers a SCAN of the keyspace,
and each read drops the ids whose record has expired.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from clipnet.adapters.redis_values import text
from clipnet.domain.jobs.groups import QueueGroup
from clipnet.domain.jobs.workers import WorkerRecord

log = logging.getLogger(__name__)


class RedisWorkerRegistry:
    def __init__(self, client: Any, namespace: str) -> None:
        self._redis = client
        self._index = f"{namespace}:workers"

    def beat(self, worker: WorkerRecord, ttl: float) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(self._key(worker.id), _dump(worker), px=max(1, int(ttl * 1000)))
        pipe.sadd(self._index, worker.id)
        pipe.execute()

    def leave(self, worker_id: str) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.delete(self._key(worker_id))
        pipe.srem(self._index, worker_id)
        pipe.execute()

    def live(self) -> list[WorkerRecord]:
        ids = sorted(text(i) for i in self._redis.smembers(self._index))
        if not ids:
            return []
        values = self._redis.mget([self._key(worker_id) for worker_id in ids])
        expired = [worker_id for worker_id, value in zip(ids, values, strict=True) if not value]
        if expired:
            self._redis.srem(self._index, *expired)
        return [record for value in values if value and (record := _load(value)) is not None]

    def _key(self, worker_id: str) -> str:
        return f"{self._index}:{worker_id}"


def _dump(worker: WorkerRecord) -> str:
    return json.dumps(
        {
            "id": worker.id,
            "host": worker.host,
            "pid": worker.pid,
            "threads": {group.value: count for group, count in worker.threads},
            "started_at": worker.started_at.isoformat(),
            "last_beat": worker.last_beat.isoformat(),
        }
    )


def _load(value: bytes | str) -> WorkerRecord | None:
    try:
        data = json.loads(value)
        return WorkerRecord(
            id=str(data["id"]),
            host=str(data["host"]),
            pid=int(data["pid"]),
            threads=tuple((QueueGroup(g), int(n)) for g, n in data["threads"].items()),
            started_at=datetime.fromisoformat(data["started_at"]),
            last_beat=datetime.fromisoformat(data["last_beat"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        # A record another version wrote: leave it to expire rather than fail the list.
        log.warning("a worker record could not be read: %s", error)
        return None
