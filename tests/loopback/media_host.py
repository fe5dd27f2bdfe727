"""A loopback web host of media: files, pages with a <video>, redirects, HLS playlists, and
the misbehaving answers a source URL may meet (a lying or missing length, a page served as
"the video"). Every request is recorded, so a test can prove a refused hop was never opened.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import attrs

from tests.loopback.server import JsonHandler, serve

#: Where a guarded test host listens: a loopback address other than 127.0.0.1, so a redirect
#: to 127.0.0.1 is one the guard must refuse while this one is allowed.
ALLOWED_HOST = "127.0.0.2"
#: A body that keeps going for longer than any test's cap (it stops at last, whatever happens).
ENDLESS_LIMIT = 64 * 1024 * 1024


@attrs.define
class Served:
    """One answer: its content type and body; ``length`` overrides Content-Length (None:
    none at all, the body ends when the connection closes); ``redirect`` answers 302."""

    content_type: str = "application/octet-stream"
    body: bytes = b""
    length: int | str | None = "actual"
    redirect: str = ""
    endless: bool = False
    stall_after: int = 0
    """Send this many bytes of the body, then hang until ``MediaHostState.release`` is set
    (while ``MediaHostState.stalls`` lasts): a download to kill in the middle."""


@attrs.define
class MediaHostState:
    routes: dict[str, Served] = attrs.field(factory=dict)
    hits: list[str] = attrs.field(factory=list)
    """Every path requested, in order."""
    stalls: int = 1
    """How many more answers stall (a route's ``stall_after``); then they are whole."""
    release: threading.Event = attrs.field(factory=threading.Event)


class MediaHostHandler(JsonHandler):
    protocol_version = "HTTP/1.1"

    def route(self, method: str) -> None:
        state: MediaHostState = self.server.state  # type: ignore[attr-defined]
        state.hits.append(self.route_path)
        try:
            self._answer(state)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # a client that read enough (yt-dlp sniffing a file)

    def _answer(self, state: MediaHostState) -> None:
        served = state.routes.get(self.route_path)
        if served is None:
            self.send_bytes(404, b"no such file", "text/plain")
        elif served.redirect:
            self.send_bytes(302, b"", "text/plain", {"Location": served.redirect})
        elif served.endless:
            self._endless(served)
        elif served.stall_after and state.stalls > 0:
            state.stalls -= 1
            self._stalled(served, state.release)
        elif served.length == "actual":
            self.send_bytes(200, served.body, served.content_type)
        else:
            self._with_length(served)

    def _with_length(self, served: Served) -> None:
        self.send_response(200)
        self.send_header("Content-Type", served.content_type)
        if served.length is not None:
            self.send_header("Content-Length", str(served.length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(served.body)
        self.close_connection = True

    def _stalled(self, served: Served, release: threading.Event) -> None:
        self.send_response(200)
        self.send_header("Content-Type", served.content_type)
        self.send_header("Content-Length", str(len(served.body)))
        self.end_headers()
        self.wfile.write(served.body[: served.stall_after])
        self.wfile.flush()
        release.wait(timeout=120)
        self.close_connection = True

    def _endless(self, served: Served) -> None:
        """No Content-Length: the body runs until the client hangs up (or the limit)."""
        self.send_response(200)
        self.send_header("Content-Type", served.content_type)
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        while sent < ENDLESS_LIMIT:
            self.wfile.write(served.body)
            sent += len(served.body)
        self.close_connection = True


@contextmanager
def media_host(host: str = ALLOWED_HOST) -> Iterator[tuple[str, MediaHostState]]:
    """A media host on ``host``; yields its base URL and its routes and hits."""
    state = MediaHostState()
    with serve(MediaHostHandler, state, host) as base_url:
        try:
            yield base_url, state
        finally:
            state.release.set()  # no stalled answer outlives the test
