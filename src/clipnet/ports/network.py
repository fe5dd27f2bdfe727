"""Resolving host names (the SSRF guard checks every address a name points at)."""

from __future__ import annotations

from typing import Protocol


class HostResolver(Protocol):
    def addresses(self, host: str) -> list[str]:
        """Every IP address ``host`` resolves to (empty when it does not resolve)."""
