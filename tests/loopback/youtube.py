"""A loopback YouTube Data API v3: resumable video uploads, checked the way YouTube checks them.

A session starts with ``POST /upload/youtube/v3/videos?uploadType=resumable`` and the video
resource as JSON; the bytes go to the session URL with ``PUT`` and ``Content-Range``. The fake is
strict: a chunk must start where the session's bytes end (a client that resends after a lost
answer without asking ``bytes */TOTAL`` first gets 400), and a snippet over YouTube's limits is
refused as YouTube refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import pytest

from clipnet.adapters.http_resilience import Backoff
from clipnet.adapters.publishing import YouTubePublisher
from clipnet.adapters.publishing.http import PlatformHttp
from tests.loopback.server import JsonHandler, serve

PATH = "/upload/youtube/v3/videos"


@attrs.define
class Failure:
    status: int
    headers: dict[str, str] = attrs.Factory(dict)
    keep: bool = False
    """For a chunk: store its bytes, then answer the failure (an answer lost on the way)."""


@attrs.define
class Session:
    resource: dict[str, Any]
    size: int
    received: bytearray = attrs.Factory(bytearray)
    video_id: str = ""


@attrs.define
class FakeYouTube:
    tokens: set[str] = attrs.Factory(lambda: {"access-secret-token"})
    base_url: str = ""
    sessions: dict[str, Session] = attrs.Factory(dict)
    videos: dict[str, tuple[dict[str, Any], bytes]] = attrs.Factory(dict)
    failures: dict[str, list[Failure]] = attrs.Factory(dict)
    requests: list[str] = attrs.Factory(list)

    def fail(self, step: str, status: int, *, times: int = 1, **options: Any) -> None:
        """Answer the next ``times`` requests of ``step`` ("init", "chunk") with ``status``."""
        self.failures.setdefault(step, []).extend(Failure(status, **options) for _ in range(times))


def google_error(status: int, reason: str, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}}


class YouTubeHandler(JsonHandler):
    @property
    def fake(self) -> FakeYouTube:
        return self.server.state  # type: ignore[attr-defined, no-any-return]

    def route(self, method: str) -> None:
        self.fake.requests.append(f"{method} {self.path}")
        if self.route_path != PATH:
            self.send_json(404, google_error(404, "notFound", "no such route"))
        elif self.headers.get("Authorization", "") not in {f"Bearer {t}" for t in self.fake.tokens}:
            self.send_json(401, google_error(401, "authError", "Invalid Credentials"))
        elif method == "POST" and self.query.get("uploadType") == "resumable":
            self.start()
        elif method == "PUT" and self.query.get("upload_id") in self.fake.sessions:
            self.put(self.fake.sessions[self.query["upload_id"]])
        else:
            self.send_json(404, google_error(404, "notFound", "no such upload session"))

    def injected(self, step: str) -> Failure | None:
        queue = self.fake.failures.get(step) or []
        return queue.pop(0) if queue else None

    def start(self) -> None:
        failure = self.injected("init")
        if failure is not None:
            self.send_json(
                failure.status, google_error(failure.status, "x", "injected"), failure.headers
            )
            return
        resource = self.json_body()
        problem = snippet_problem(resource)
        if problem:
            self.send_json(400, google_error(400, problem, f"invalid video resource: {problem}"))
            return
        upload_id = f"session-{len(self.fake.sessions) + 1}"
        size = int(self.headers.get("X-Upload-Content-Length", "-1"))
        self.fake.sessions[upload_id] = Session(resource, size)
        location = f"{self.fake.base_url}{PATH}?uploadType=resumable&upload_id={upload_id}"
        self.send_bytes(200, b"", headers={"Location": location})

    def put(self, session: Session) -> None:
        span, _, total = self.headers.get("Content-Range", "").removeprefix("bytes ").partition("/")
        if int(total) != session.size:
            self.send_json(400, google_error(400, "badContent", "size differs from the start"))
            return
        if span != "*":
            failure = self.injected("chunk")
            start, _, end = span.partition("-")
            if int(start) != len(session.received) or int(end) - int(start) + 1 != len(self.body):
                self.send_json(400, google_error(400, "badContent", "chunk out of order"))
                return
            if failure is not None and not failure.keep:
                self.send_json(
                    failure.status, google_error(failure.status, "backendError", "injected")
                )
                return
            session.received.extend(self.body)
            if failure is not None:
                self.send_json(failure.status, google_error(failure.status, "backendError", "lost"))
                return
        self.answer(session)

    def answer(self, session: Session) -> None:
        if len(session.received) < session.size:
            held = {"Range": f"bytes=0-{len(session.received) - 1}"} if session.received else {}
            self.send_bytes(308, b"", headers=held)
            return
        if not session.video_id:
            session.video_id = f"vid{len(self.fake.videos) + 1:08d}"
            self.fake.videos[session.video_id] = (session.resource, bytes(session.received))
        self.send_json(200, {"kind": "youtube#video", "id": session.video_id, **session.resource})


def snippet_problem(resource: dict[str, Any]) -> str:
    """YouTube's refusal reason for a video resource, or "" when it would be accepted."""
    snippet, status = resource.get("snippet", {}), resource.get("status", {})
    title, description = snippet.get("title", ""), snippet.get("description", "")
    if not title or len(title) > 100 or "<" in title or ">" in title:
        return "invalidTitle"
    if len(description.encode()) > 5000 or "<" in description or ">" in description:
        return "invalidDescription"
    if len(",".join(snippet.get("tags", []))) > 500:
        return "invalidTags"
    if status.get("privacyStatus") not in ("public", "unlisted", "private"):
        return "invalidPrivacyStatus"
    return ""


@contextmanager
def fake_youtube() -> Iterator[FakeYouTube]:
    fake = FakeYouTube()
    with serve(YouTubeHandler, fake) as base_url:
        fake.base_url = base_url
        yield fake


def youtube_for_test(
    request: pytest.FixtureRequest, sleeps: list[float] | None = None, **options: Any
) -> tuple[FakeYouTube, YouTubePublisher]:
    """A publisher on a loopback YouTube (stopped when the test ends); waits go to ``sleeps``."""
    running = fake_youtube()
    fake = running.__enter__()
    request.addfinalizer(lambda: running.__exit__(None, None, None))
    waits = [] if sleeps is None else sleeps
    http = PlatformHttp("YouTube", backoff=Backoff(retries=3), sleep=waits.append, rng=lambda: 0.5)
    request.addfinalizer(http.close)
    options.setdefault("chunk_size", 256 * 1024)
    return fake, YouTubePublisher(http, base_url=fake.base_url, **options)
