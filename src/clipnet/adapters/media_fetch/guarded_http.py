"""An HTTP client whose every hop passes the SSRF guard: redirects are followed by hand, and
each ``Location`` is checked before it is opened (httpx would follow it unchecked)."""

from __future__ import annotations

import httpx

from clipnet.ports.media import MediaError
from clipnet.ports.media_fetch import FetchInterrupted, UrlCheck

MAX_REDIRECTS = 10
#: Seconds to connect, and between reads of a body (a stalled server breaks the transfer).
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class GuardedHttp:
    def __init__(
        self,
        check: UrlCheck,
        *,
        client: httpx.Client | None = None,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self._check = check
        self._client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self._max_redirects = max_redirects

    def close(self) -> None:
        self._client.close()

    def open(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        method: str = "GET",
        body: bytes | None = None,
    ) -> httpx.Response:
        """The streamed answer at the end of ``url``'s redirects (the caller closes it).

        Raises what the guard raises for a refused hop, ``MediaError`` for a redirect loop,
        :class:`FetchInterrupted` for a network error.
        """
        for _ in range(self._max_redirects + 1):
            request = self._client.build_request(
                method, self._check(url), headers=headers, content=body
            )
            try:
                response = self._client.send(request, stream=True, follow_redirects=False)
            except httpx.TransportError as error:
                raise FetchInterrupted(f"{host_of(url)}: {type(error).__name__}: {error}") from None
            if not response.is_redirect:
                return response
            response.close()
            url = str(response.url.join(response.headers["location"]))
            if response.status_code in (301, 302, 303) and method not in ("GET", "HEAD"):
                method, body = "GET", None  # what browsers (and httpx) do
        raise MediaError(f"{host_of(url)}: more than {self._max_redirects} redirects")


def host_of(url: str) -> str:
    """The URL's host, for messages (the URL itself when it has none)."""
    return httpx.URL(url).host or url
