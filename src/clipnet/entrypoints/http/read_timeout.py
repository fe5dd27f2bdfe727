"""A read timeout for ``clipnet serve``: uvicorn's HTTP protocol, closing slow requests.

uvicorn (0.55) has a keep-alive timeout for idle connections between requests, but nothing
bounds how long a request may take to *arrive*: a client that sends half a header line, or
a header every few seconds (slowloris), holds its connection open forever. This protocol
adds that bound, at the one place that sees the bytes arrive:

- the request line and headers must all arrive within ``read_timeout`` seconds of the
  connection opening (or of the first byte after a keep-alive wait);
- while the body is arriving, no more than ``read_timeout`` seconds may pass between reads
  (unless uvicorn itself paused reading because the app is behind: that is not the client).

Once the app has the whole request it may take as long as it needs. A connection that hits
the timeout is closed, with one line at INFO.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger(__name__)

_Base: Any = AutoHTTPProtocol  # httptools' protocol when installed, else h11's


class ReadTimeoutProtocol(_Base):  # type: ignore[misc]
    """uvicorn's HTTP protocol with a read timeout; see :func:`read_timeout_protocol`."""

    read_timeout: float = 20.0

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self._read_timer: asyncio.TimerHandle | None = None
        self._arm()  # the first request's headers are due

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            self._disarm()
        elif self._reading_body():
            self._arm()  # the body: the timeout runs between reads
        elif self._awaiting_request():
            if self._read_timer is None:
                self._arm()  # the next request began after a keep-alive wait
        else:
            self._disarm()  # the app has the whole request

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # until the next byte, uvicorn's keep-alive timeout watches

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _awaiting_request(self) -> bool:
        return self.cycle is None or bool(self.cycle.response_complete)

    def _reading_body(self) -> bool:
        return not self._awaiting_request() and bool(self.cycle.more_body)

    def _arm(self) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(self.read_timeout, self._timed_out)

    def _disarm(self) -> None:
        if getattr(self, "_read_timer", None) is not None:
            self._read_timer.cancel()  # type: ignore[union-attr]
            self._read_timer = None

    def _timed_out(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        if self._reading_body() and self.flow.read_paused:
            self._arm()  # we stopped reading (the app is behind), not the client
            return
        if self._awaiting_request() or self._reading_body():
            peer = "{}:{}".format(*self.client) if self.client else "a client"
            log.info("closed %s: no complete request within %ss", peer, self.read_timeout)
            self.transport.close()


def read_timeout_protocol(seconds: float) -> type[asyncio.Protocol]:
    """The protocol class to give ``uvicorn.run(http=...)`` for a ``seconds`` read timeout."""
    return type("ReadTimeoutProtocol", (ReadTimeoutProtocol,), {"read_timeout": seconds})
