"""Calling chat platform APIs over HTTP: retries, ``Retry-After`` on 429, and send-once per key.

Shared by the Twitch, Discord and X chat adapters. A 429 or 5xx answer or a network error is
retried with backoff (a 429 waits what the platform asks, up to ``max_wait``; a longer pause
fails the try so the job retries later instead of holding a worker); other 4xx answers are
permanent (:class:`ChatSendError` with ``permanent=True``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from clipnet.ports.bot import ChatSendError


class ChatHttp:
    def __init__(
        self,
        platform: str,
        *,
        http: httpx.Client | None = None,
        attempts: int = 4,
        base_delay: float = 0.5,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.platform = platform
        self._http = http or httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0))
        self._attempts = attempts
        self._base_delay = base_delay
        self._max_wait = max_wait
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        """POST ``body`` as JSON; the decoded JSON answer (``None`` for an empty one)."""
        return self.request_json("POST", url, headers, body=body)

    def get_json(self, url: str, params: dict[str, str], headers: dict[str, str]) -> Any:
        """GET with query ``params``; the decoded JSON answer."""
        return self.request_json("GET", url, headers, params=params)

    def request_json(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One API call with the retries described above; the decoded JSON answer."""
        for attempt in range(1, self._attempts + 1):
            try:
                return self._try(method, url, headers, body, params)
            except _TryAgain as again:
                if attempt == self._attempts or again.wait > self._max_wait:
                    raise ChatSendError(f"{self.platform}: {again}") from None
                self._sleep(again.wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def download(self, url: str, dest: Path, max_bytes: int) -> Path:
        """Stream ``url`` into ``dest`` (at most ``max_bytes``); transport errors may retry."""
        try:
            with self._http.stream("GET", url, follow_redirects=True) as response:
                if response.status_code >= 300:
                    raise ChatSendError(
                        f"{self.platform}: download refused ({response.status_code})",
                        permanent=400 <= response.status_code < 500,
                    )
                written = 0
                with dest.open("wb") as out:
                    for chunk in response.iter_bytes():
                        written += len(chunk)
                        if written > max_bytes:
                            raise ChatSendError(
                                f"{self.platform}: the download is over {max_bytes} bytes",
                                permanent=True,
                            )
                        out.write(chunk)
        except httpx.TransportError as error:
            raise ChatSendError(f"{self.platform}: download failed: {error}") from None
        return dest

    def _try(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: dict[str, Any] | None,
        params: dict[str, str] | None,
    ) -> Any:
        try:
            response = self._http.request(method, url, json=body, params=params, headers=headers)
        except httpx.TransportError as error:
            raise _TryAgain(f"{type(error).__name__}: {error}", self._base_delay) from None
        status = response.status_code
        if status < 300:
            return _json(response)
        if status == 429:
            raise _TryAgain("rate limited (429)", retry_after(response) or self._base_delay)
        if status >= 500:
            raise _TryAgain(f"server error {status}", self._base_delay)
        raise ChatSendError(
            f"{self.platform} refused the request: {status} {response.text[:200]}", permanent=True
        )


class _TryAgain(Exception):
    """One try failed in a way another may not; ``wait`` is the pause before it."""

    def __init__(self, problem: str, wait: float) -> None:
        super().__init__(problem)
        self.wait = wait


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ChatSendError("the platform answered with something that is not JSON") from None


def retry_after(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the platform asks us to wait: ``Retry-After`` (seconds or a date), Discord's
    ``retry_after`` in the body, or X's ``x-rate-limit-reset`` (epoch seconds)."""
    header = response.headers.get("Retry-After", "").strip()
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                moment = parsedate_to_datetime(header)
            except (TypeError, ValueError):
                return None
            return max(0.0, (moment - datetime.now(UTC)).total_seconds())
    try:
        value = json.loads(response.content or b"{}").get("retry_after")
    except (ValueError, AttributeError):
        value = None
    if isinstance(value, int | float):
        return max(0.0, float(value))
    reset = response.headers.get("x-rate-limit-reset", "").strip()
    if reset.isdigit():
        return max(0.0, int(reset) - now())
    return None


class SentCache:
    """This process's memory of keys already sent (the job's ledger covers restarts)."""

    def __init__(self, size: int = 2048) -> None:
        self._sent: OrderedDict[str, str] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._sent.get(key)

    def put(self, key: str, message_id: str) -> None:
        with self._lock:
            self._sent[key] = message_id
            while len(self._sent) > self._size:
                self._sent.popitem(last=False)
