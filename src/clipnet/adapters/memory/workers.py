"""Worker heartbeats in this process's memory: the in-process queue, whose worker is the
process itself (so its readiness, the only reader, runs in the same process)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from clipnet.domain.jobs.workers import WorkerRecord
from clipnet.ports.clock import Clock


class InMemoryWorkerRegistry:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._records: dict[str, tuple[WorkerRecord, datetime]] = {}
        self._lock = threading.Lock()

    def beat(self, worker: WorkerRecord, ttl: float) -> None:
        expires = self._clock.now() + timedelta(seconds=ttl)
        with self._lock:
            self._records[worker.id] = (worker, expires)

    def leave(self, worker_id: str) -> None:
        with self._lock:
            self._records.pop(worker_id, None)

    def live(self) -> list[WorkerRecord]:
        now = self._clock.now()
        with self._lock:
            for worker_id in [i for i, (_, expires) in self._records.items() if expires <= now]:
                del self._records[worker_id]
            return [record for record, _ in self._records.values()]
