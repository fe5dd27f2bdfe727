"""Fixed-window request counters in Redis, shared by every API replica.

While Redis cannot be reached the limiter does not give up on limits (failing open would
hand brute force a free window) nor refuse every login (failing closed on the store would
turn a Redis outage into a login outage): it counts in this process instead, with the same
limits, and warns once per outage. Each replica then counts on its own, so across N replicas
a client may get up to N times the limit until Redis returns. Redis is tried again every
``retry_seconds``; the first answer ends the outage.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from clipnet.adapters.memory.rate_limits import InMemoryRateLimiter
from clipnet.adapters.redis_outages import OUTAGE_ERRORS
from clipnet.ports.rate_limits import RateLimiter

log = logging.getLogger(__name__)


class RedisRateLimiter:
    def __init__(
        self,
        client: Any,
        namespace: str,
        *,
        fallback: RateLimiter | None = None,
        retry_seconds: float = 5.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = client
        self._ns = namespace
        self._fallback = fallback or InMemoryRateLimiter()
        self._retry_seconds = retry_seconds
        self._now = now
        self._lock = threading.Lock()
        self._down_until: float | None = None  # set while Redis is down: when to try again

    @property
    def in_outage(self) -> bool:
        """True while the counts are kept in this process because Redis is down."""
        return self._down_until is not None

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        down_until = self._down_until
        if down_until is not None and self._now() < down_until:
            return self._fallback.hit(key, limit, window_seconds)
        try:
            allowed = self._shared_hit(key, limit, window_seconds)
        except OUTAGE_ERRORS as error:
            self._outage(error)
            return self._fallback.hit(key, limit, window_seconds)
        self._recovered()
        return allowed

    def _shared_hit(self, key: str, limit: int, window_seconds: int) -> bool:
        window = int(time.time() // window_seconds)
        name = f"{self._ns}:rate:{key}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window_seconds + 1)
        count, _ = pipe.execute()
        return int(count) <= limit

    def _outage(self, error: Exception) -> None:
        with self._lock:
            started = self._down_until is None
            self._down_until = self._now() + self._retry_seconds
        if started:
            log.warning(
                "rate limits: Redis is unavailable (%s); counting in this process until it returns",
                error,
            )

    def _recovered(self) -> None:
        if self._down_until is None:
            return
        with self._lock:
            ended, self._down_until = self._down_until is not None, None
        if ended:
            log.info("rate limits: Redis is back; counting in Redis again")
