"""The one kit every outbound HTTP adapter uses to be resilient and strict about answers.

* :class:`Backoff`: how many tries, how long between them (exponential, capped, jittered),
  and the longest ``Retry-After`` worth waiting for in-process.
* :func:`retry_after`: a ``Retry-After`` header in seconds, given as seconds or as an HTTP
  date (RFC 9110 section 10.2.3).
* :class:`BoundedMemo`: a small thread-safe LRU memory (send-once keys, recent results).
* :func:`json_body` and :func:`json_object`: a response's JSON, or the adapter's own error
  naming the service and what was wrong.

Clocks and random numbers are parameters, so tests are deterministic.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import attrs
import httpx

K = TypeVar("K")
V = TypeVar("V")

# 2.0 ** 1024 overflows a float; no policy needs more doublings than this.
_MAX_DOUBLINGS = 1000


@attrs.frozen
class Backoff:
    """Retry policy: ``retries`` more tries after the first, each after an exponential,
    capped and jittered delay."""

    retries: int = attrs.field(default=5, validator=attrs.validators.ge(0))
    """Tries after the first."""
    base: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    """The delay before the second try, before jitter; it doubles with each try."""
    cap: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    """The longest delay."""
    max_wait: float = attrs.field(default=300.0, validator=attrs.validators.ge(0))
    """The longest ``Retry-After`` waited for in-process (each adapter says what it does
    with a longer one)."""
    jitter: float = attrs.field(
        default=1.0, validator=[attrs.validators.ge(0), attrs.validators.le(1)]
    )
    """The share of each delay drawn at random: 1 is full jitter (anywhere from 0 to the
    ceiling), 0.5 is half to all of it, 0 is none."""

    def ceiling(self, attempt: int) -> float:
        """The delay after try ``attempt`` (counting from 1) before jitter."""
        doublings = min(max(0, attempt - 1), _MAX_DOUBLINGS)
        return min(self.cap, self.base * 2.0**doublings)

    def delay(self, attempt: int, rng: Callable[[], float]) -> float:
        """Seconds before try ``attempt + 1``; ``rng`` draws from [0, 1)."""
        drawn = min(1.0, max(0.0, float(rng())))
        return self.ceiling(attempt) * ((1.0 - self.jitter) + self.jitter * drawn)


def retry_after_seconds(raw: str, now: Callable[[], float] = time.time) -> float | None:
    """A ``Retry-After`` value in seconds from ``now()`` (epoch seconds): a number of seconds
    or an HTTP date (one in the past is 0). ``None`` when empty or unreadable."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": an HTTP date is always GMT
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now())


def retry_after(
    response: httpx.Response | Mapping[str, str], now: Callable[[], float] = time.time
) -> float | None:
    """The ``Retry-After`` header of a response (or of its headers) in seconds; see
    :func:`retry_after_seconds`."""
    headers = response.headers if isinstance(response, httpx.Response) else response
    return retry_after_seconds(headers.get("Retry-After", ""), now)


class BoundedMemo(Generic[K, V]):
    """At most ``size`` entries; adding past that forgets the least recently used one.
    Thread-safe."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a memo holds at least one entry")
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size

    def get(self, key: K) -> V | None:
        """The value remembered for ``key`` (now the most recently used), else ``None``."""
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries


def json_body(
    response: httpx.Response,
    service: str,
    error: Callable[[str], Exception],
    *,
    what: str = "",
    allow_empty: bool = False,
) -> Any:
    """The decoded JSON of ``response``. A body that is not JSON raises ``error(message)``,
    the message naming ``service`` (and ``what`` was asked). With ``allow_empty`` an empty
    body is ``None``; otherwise it is not JSON either."""
    if allow_empty and not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise error(
            f"{service} answered{_asked(what)} with something that is not JSON: "
            f"{response.text[:200]!r}"
        ) from None


def json_object(
    response: httpx.Response,
    service: str,
    error: Callable[[str], Exception],
    *,
    what: str = "",
) -> dict[str, Any]:
    """Like :func:`json_body`, and the JSON must be an object."""
    data = json_body(response, service, error, what=what)
    if not isinstance(data, dict):
        raise error(f"{service} answered{_asked(what)} with a JSON {_kind(data)}, not an object")
    return data


def _asked(what: str) -> str:
    return f" {what}" if what else ""


def _kind(data: object) -> str:
    if isinstance(data, list):
        return "array"
    if isinstance(data, str):
        return "string"
    if isinstance(data, bool):
        return "boolean"
    if isinstance(data, int | float):
        return "number"
    return "null" if data is None else type(data).__name__
