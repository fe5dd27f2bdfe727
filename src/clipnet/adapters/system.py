"""The real clock and id generator, used by every profile; this process as a worker."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from datetime import UTC, datetime

from clipnet.domain.jobs.workers import WorkerIdentity


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class TimeOrderedIds:
    """26-character ids that sort by creation time, like ULIDs (Crockford base 32).

    48 bits of milliseconds then 80 random bits; within one millisecond in one process the
    random part is incremented, so ids stay strictly increasing.
    """

    _ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def new_id(self) -> str:
        with self._lock:
            value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
            if value <= self._last:
                value = self._last + 1
            self._last = value
        chars = []
        for _ in range(26):
            chars.append(self._ALPHABET[value & 31])
            value >>= 5
        return "".join(reversed(chars))


def worker_identity() -> WorkerIdentity:
    """This process as a worker: a random id (new at each start), the host name, the pid."""
    return WorkerIdentity(id=secrets.token_hex(4), host=socket.gethostname(), pid=os.getpid())
