"""Counting requests per key in fixed windows (brute-force and abuse protection)."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        """Count one request for ``key``; False when it is over ``limit`` in this window."""
