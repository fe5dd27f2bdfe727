"""Fixed-window request counters in Redis, shared by every API replica."""

from __future__ import annotations

import time
from typing import Any


class RedisRateLimiter:
    def __init__(self, client: Any, namespace: str) -> None:
        self._redis = client
        self._ns = namespace

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        window = int(time.time() // window_seconds)
        name = f"{self._ns}:rate:{key}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window_seconds + 1)
        count, _ = pipe.execute()
        return int(count) <= limit
