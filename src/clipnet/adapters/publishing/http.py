"""HTTP calls to a platform, retried with backoff on 429/5xx and network errors.

``Retry-After`` (seconds or an HTTP date) is honoured up to ``max_wait``; a platform asking for
a longer pause fails the call (not permanently), so the job retries later instead of holding a
worker. 401 means the account's token needs refreshing; other 4xx answers are permanent.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from clipnet.adapters.http_resilience import Backoff, retry_after
from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import PublishError, TokenExpired

log = logging.getLogger(__name__)


#: The platforms' policy: 1, 2, 4 … s (full jitter) up to a minute; Retry-After up to 5 min.
PUBLISHING_BACKOFF = Backoff(retries=5, base=1.0, cap=60.0, max_wait=300.0)


#: Platform error codes that mean "not today" (a creator's or an app's daily cap), not "never".
DAILY_CAPS = ("spam_risk_too_many_posts", "reached_active_user_cap")


class Transient(Exception):
    """One try failed in a way that another may not: 429, 5xx, a network error."""

    def __init__(self, problem: str, retry_after: float | None) -> None:
        super().__init__(problem)
        self.retry_after = retry_after


class Gone(PublishError):
    """404 or 410: the platform no longer knows what was addressed (an expired upload session,
    for YouTube). Permanent unless the caller knows how to start over."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class PlatformHttp:
    """One platform's HTTP client: ``once`` tries a request, ``request`` retries it."""

    def __init__(
        self,
        platform: str,
        *,
        backoff: Backoff | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.platform = platform
        self.backoff = backoff or PUBLISHING_BACKOFF
        self._http = http or httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0))
        self._sleep = sleep
        self._rng = rng

    def close(self) -> None:
        self._http.close()

    def once(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        """One try. Raises :class:`Transient`, ``TokenExpired`` or a permanent ``PublishError``;
        returns any answer below 400 (the caller knows which it expects)."""
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as error:
            raise Transient(f"{type(error).__name__}: {error}", None) from None
        status = response.status_code
        if status < 400:
            return response
        reason = error_reason(response)
        if status == 401:
            raise TokenExpired(
                f"{self.platform} refused the account's access token while {what} "
                f"({reason}): refresh the token, or link the account again"
            )
        if status == 429 or status >= 500 or _rate_limited(reason):
            raise Transient(f"HTTP {status} {reason}", retry_after(response))
        if reason.startswith(DAILY_CAPS):
            raise PublishError(f"{self.platform} refused {what} for now: {reason}; try again later")
        if status in (404, 410):
            raise Gone(
                f"{self.platform} no longer knows what it was sent while {what}: "
                f"HTTP {status} {reason}"
            )
        raise PublishError(
            f"{self.platform} refused {what}: HTTP {status} {reason}", permanent=True
        )

    def request(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        """``once``, retried after 429/5xx/network errors with backoff."""
        attempt = 1
        while True:
            try:
                return self.once(method, url, what, **kwargs)
            except Transient as failure:
                self.pause(failure, attempt, what)
                attempt += 1

    def pause(self, failure: Transient, attempt: int, what: str) -> None:
        """Sleep before the next try, or raise when the policy says stop."""
        if attempt > self.backoff.retries:
            raise PublishError(
                f"{self.platform} kept failing while {what}: {failure} "
                f"after {attempt} tries; try again later"
            ) from None
        wait = failure.retry_after
        if wait is None:
            wait = self.backoff.delay(attempt, self._rng)
        elif wait > self.backoff.max_wait:
            raise PublishError(
                f"{self.platform} asked to wait {wait:.0f} s while {what}; try again later"
            ) from None
        log.info("%s: %s while %s; retrying in %.2f s", self.platform, failure, what, wait)
        self._sleep(wait)


def error_reason(response: httpx.Response) -> str:
    """The platform's own words: Google's ``error.errors[0].reason`` and ``error.message``,
    TikTok's ``error.code`` and ``error.message``, else the start of the body."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if not isinstance(error, dict):
        return response.text[:200]
    code = error.get("code")
    details = error.get("errors")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        code = details[0].get("reason", code)
    message = str(error.get("message", ""))[:200]
    return f"{code}: {message}" if code else message


def _rate_limited(reason: str) -> bool:
    # Google answers some rate limits 403 with these reasons; they pass like a 429.
    return reason.startswith(("rateLimitExceeded", "userRateLimitExceeded"))


def bearer_header(account: OAuthAccount, platform: Platform, name: str) -> dict[str, str]:
    """The ``Authorization`` header for ``account`` on ``platform`` (``name`` for messages)."""
    if account.provider is not platform:
        raise PublishError(
            f"account {account.id} is a {account.provider.value} account, not {name}",
            permanent=True,
        )
    if not account.access_token:
        raise TokenExpired(f"{name} account {account.id} has no access token: link it again")
    return {"Authorization": f"Bearer {account.access_token}"}
