"""Fixed-window request counters in a dict (one process)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class InMemoryRateLimiter:
    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        window = int(self._now() // window_seconds)
        with self._lock:
            if len(self._windows) > 100_000:  # forget old windows rather than grow forever
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            started, count = self._windows.get(key, (window, 0))
            count = count + 1 if started == window else 1
            self._windows[key] = (window, count)
        return count <= limit
