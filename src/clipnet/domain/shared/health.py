"""Readiness: run each named dependency check and say which ones fail.

The answer only says *that* a check fails ("unavailable"): readiness is asked anonymously, and
a driver's error names hosts and ports. The reason goes to the log, once when a check starts
failing (or fails differently) and once when it passes again, not on every probe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

import attrs

log = logging.getLogger(__name__)

Check = Callable[[], None]
"""Returns when the dependency answers; raises (anything) when it does not."""

OK = "ok"
UNAVAILABLE = "unavailable"


@attrs.frozen
class Readiness:
    checks: Mapping[str, str]
    """Check name -> "ok" or "unavailable"."""

    @property
    def ready(self) -> bool:
        return all(result == OK for result in self.checks.values())


class HealthService:
    def __init__(self, checks: Mapping[str, Check]) -> None:
        self._checks = dict(checks)
        self._failing: dict[str, str] = {}  # check name -> the reason last logged
        self._lock = threading.Lock()

    def readiness(self) -> Readiness:
        results: dict[str, str] = {}
        for name, check in self._checks.items():
            try:
                check()
            except Exception as error:  # any failure is a "not ready", reported by name
                self._note_failing(name, f"{type(error).__name__}: {error}"[:300])
                results[name] = UNAVAILABLE
            else:
                self._note_passing(name)
                results[name] = OK
        return Readiness(results)

    def _note_failing(self, name: str, reason: str) -> None:
        with self._lock:
            changed = self._failing.get(name) != reason
            self._failing[name] = reason
        if changed:
            log.warning("readiness: %s check fails: %s", name, reason)

    def _note_passing(self, name: str) -> None:
        with self._lock:
            was_failing = self._failing.pop(name, None) is not None
        if was_failing:
            log.info("readiness: %s check passes again", name)
