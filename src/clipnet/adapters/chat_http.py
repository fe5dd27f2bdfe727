"""Calling chat platform APIs over HTTP: retries, ``Retry-After`` on 429, and send-once per key.

Shared by the Twitch, Discord and X chat adapters. A 429 or 5xx answer or a network error is
retried with backoff (a 429 waits what the platform asks, up to the policy's ``max_wait``; a
longer pause fails the try so the job retries later instead of holding a worker); other 4xx
answers are permanent (:class:`ChatSendError` with ``permanent=True``).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from clipnet.adapters.http_resilience import Backoff, BoundedMemo, json_body
from clipnet.adapters.http_resilience import retry_after as retry_after_header
from clipnet.ports.bot import ChatSendError

#: Chat replies: four tries half a second apart; a 429 may ask for up to 30 s.
CHAT_BACKOFF = Backoff(retries=3, base=0.5, cap=0.5, max_wait=30.0, jitter=0.0)


class ChatHttp:
    def __init__(
        self,
        platform: str,
        *,
        http: httpx.Client | None = None,
        backoff: Backoff = CHAT_BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.platform = platform
        self._http = http or httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0))
        self._backoff = backoff
        self._sleep = sleep
        self._rng = rng

    def close(self) -> None:
        self._http.close()

    def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        """POST ``body`` as JSON; the decoded JSON answer (``None`` for an empty one)."""
        return self.request_json("POST", url, headers, body=body)

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
        attempt = 1
        while True:
            try:
                return self._try(method, url, headers, body, params)
            except _TryAgain as again:
                wait = self._backoff.delay(attempt, self._rng) if again.wait is None else again.wait
                if attempt > self._backoff.retries or wait > self._backoff.max_wait:
                    raise ChatSendError(f"{self.platform}: {again}") from None
                self._sleep(wait)
                attempt += 1

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
            raise _TryAgain(f"{type(error).__name__}: {error}") from None
        status = response.status_code
        if status < 300:
            return json_body(response, self.platform, ChatSendError, allow_empty=True)
        if status == 429:
            raise _TryAgain("rate limited (429)", retry_after(response) or None)
        if status >= 500:
            raise _TryAgain(f"server error {status}")
        raise ChatSendError(
            f"{self.platform} refused the request: {status} {response.text[:200]}", permanent=True
        )


class _TryAgain(Exception):
    """One try failed in a way another may not; ``wait`` is the pause the platform asked for
    before the next (``None``: the backoff policy's)."""

    def __init__(self, problem: str, wait: float | None = None) -> None:
        super().__init__(problem)
        self.wait = wait


def retry_after(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the platform asks us to wait: ``Retry-After`` (seconds or a date), Discord's
    ``retry_after`` in the body, or X's ``x-rate-limit-reset`` (epoch seconds)."""
    if response.headers.get("Retry-After", "").strip():
        return retry_after_header(response, now)
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


def sent_keys() -> BoundedMemo[str, str]:
    """This process's memory of keys already sent, to the message ids they made (the job's
    ledger covers restarts)."""
    return BoundedMemo(2048)
