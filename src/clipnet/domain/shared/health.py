"""Readiness: run each named dependency check and say which ones fail."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

Check = Callable[[], None]
"""Returns when the dependency answers; raises (anything) when it does not."""


@attrs.frozen
class Readiness:
    checks: Mapping[str, str]
    """Check name -> "ok" or the reason it failed."""

    @property
    def ready(self) -> bool:
        return all(result == "ok" for result in self.checks.values())


class HealthService:
    def __init__(self, checks: Mapping[str, Check]) -> None:
        self._checks = dict(checks)

    def readiness(self) -> Readiness:
        results: dict[str, str] = {}
        for name, check in self._checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as error:  # any failure is a "not ready", reported by name
                results[name] = f"failing: {type(error).__name__}: {error}"[:300]
        return Readiness(results)
