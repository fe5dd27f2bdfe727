"""A loopback YouTube Data API v3: resumable video uploads and ``thumbnails.set``, checked the
way YouTube documents them.

A session starts with ``POST /upload/youtube/v3/videos?uploadType=resumable`` and the video
resource as JSON; the bytes go to the session URL with ``PUT``, ``Content-Range`` and the
video's ``Content-Type`` (the one announced in ``X-Upload-Content-Type``). The fake is strict:

- a chunk must start where the session's bytes end (a client that resends after a lost answer
  without asking ``bytes */TOTAL`` first gets 400), and must carry the video's MIME type;
- a session can be made to expire (``expire_sessions``): from then on every request to its URL
  is answered 404 (or 410), as the guide says an expired session is, and a client must start
  a new session and upload the whole file again;
- the video resource is refused as YouTube refuses it: a snippet over its limits (tags counted
  with commas and quotation marks), an unknown category, a status without
  ``selfDeclaredMadeForKids``, a ``publishAt`` on a video that is not private, or not a
  future RFC 3339 time;
- ``thumbnails.set`` takes JPEG or PNG bytes of at most 2 MB for a video that exists, and
  answers 403 for a channel that may not set custom thumbnails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs
import pytest

from clipnet.adapters.http_resilience import Backoff
from clipnet.adapters.publishing import YouTubePublisher
from clipnet.adapters.publishing.http import PlatformHttp
from tests.loopback.server import JsonHandler, serve

PATH = "/upload/youtube/v3/videos"
THUMBNAILS = "/upload/youtube/v3/thumbnails/set"
#: Category ids a video can be put in (videoCategories.list with assignable=true, for the US).
ASSIGNABLE_CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
)
THUMBNAIL_TYPES = frozenset({"image/jpeg", "image/png", "application/octet-stream"})


@attrs.define
class Failure:
    status: int
    headers: dict[str, str] = attrs.Factory(dict)
    keep: bool = False
    """For a chunk: store its bytes, then answer the failure (an answer lost on the way)."""


@attrs.define
class Expiry:
    after_chunks: int
    """The session answers ``status`` once it has been sent this many chunks."""
    status: int = 404


@attrs.define
class Session:
    resource: dict[str, Any]
    size: int
    mime: str
    received: bytearray = attrs.Factory(bytearray)
    video_id: str = ""
    chunks: int = 0
    expiry: Expiry | None = None

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.chunks >= self.expiry.after_chunks


@attrs.define
class FakeYouTube:
    tokens: set[str] = attrs.Factory(lambda: {"access-secret-token"})
    base_url: str = ""
    sessions: dict[str, Session] = attrs.Factory(dict)
    videos: dict[str, tuple[dict[str, Any], bytes]] = attrs.Factory(dict)
    uploaded_at: dict[str, float] = attrs.Factory(dict)
    """video id -> when its last byte arrived (``clock()``, seconds since the epoch)."""
    failures: dict[str, list[Failure]] = attrs.Factory(dict)
    requests: list[str] = attrs.Factory(list)
    expiries: list[Expiry] = attrs.Factory(list)
    """Given to the next sessions started, in order."""
    thumbnails: dict[str, tuple[str, bytes]] = attrs.Factory(dict)
    """video id -> (Content-Type, image bytes) set with thumbnails.set."""
    custom_thumbnails: bool = True
    """False: the channel may not set custom thumbnails (thumbnails.set answers 403)."""
    clock: Callable[[], float] = time.time
    lock: threading.Lock = attrs.Factory(threading.Lock)
    """Held while a request is answered: uploads from several processes at once must not
    share a session or video id (both are numbered by count)."""

    def fail(self, step: str, status: int, *, times: int = 1, **options: Any) -> None:
        """Answer the next ``times`` requests of ``step`` ("init", "chunk", "thumbnail")."""
        self.failures.setdefault(step, []).extend(Failure(status, **options) for _ in range(times))

    def expire_sessions(self, *after_chunks: int, status: int = 404) -> None:
        """The next sessions expire after receiving these many chunks (one number each)."""
        self.expiries.extend(Expiry(n, status) for n in after_chunks)

    def chunk_puts(self) -> list[str]:
        return [r for r in self.requests if r.startswith("PUT")]


def google_error(status: int, reason: str, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}}


class YouTubeHandler(JsonHandler):
    @property
    def fake(self) -> FakeYouTube:
        return self.server.state  # type: ignore[attr-defined, no-any-return]

    def route(self, method: str) -> None:
        with self.fake.lock:
            self.answer_request(method)

    def answer_request(self, method: str) -> None:
        self.fake.requests.append(f"{method} {self.path}")
        if self.route_path not in (PATH, THUMBNAILS):
            self.send_json(404, google_error(404, "notFound", "no such route"))
        elif self.headers.get("Authorization", "") not in {f"Bearer {t}" for t in self.fake.tokens}:
            self.send_json(401, google_error(401, "authError", "Invalid Credentials"))
        elif method == "POST" and self.route_path == THUMBNAILS:
            self.set_thumbnail()
        elif method == "POST" and self.query.get("uploadType") == "resumable":
            self.start()
        elif method == "PUT" and self.query.get("upload_id") in self.fake.sessions:
            session = self.fake.sessions[self.query["upload_id"]]
            if session.expired:
                assert session.expiry is not None
                status = session.expiry.status
                self.send_json(status, google_error(status, "notFound", "upload session expired"))
            else:
                self.put(session)
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
        problem = snippet_problem(resource, self.fake.clock()) or media_problem(self.headers)
        if problem:
            self.send_json(400, google_error(400, problem, f"invalid video resource: {problem}"))
            return
        upload_id = f"session-{len(self.fake.sessions) + 1}"
        size = int(self.headers.get("X-Upload-Content-Length", "-1"))
        expiry = self.fake.expiries.pop(0) if self.fake.expiries else None
        mime = self.headers.get("X-Upload-Content-Type", "")
        self.fake.sessions[upload_id] = Session(resource, size, mime, expiry=expiry)
        location = f"{self.fake.base_url}{PATH}?uploadType=resumable&upload_id={upload_id}"
        self.send_bytes(200, b"", headers={"Location": location})

    def put(self, session: Session) -> None:
        span, _, total = self.headers.get("Content-Range", "").removeprefix("bytes ").partition("/")
        if int(total) != session.size:
            self.send_json(400, google_error(400, "badContent", "size differs from the start"))
            return
        if span != "*":
            session.chunks += 1
            failure = self.injected("chunk")
            start, _, end = span.partition("-")
            if self.headers.get("Content-Type") != session.mime:
                self.send_json(
                    400, google_error(400, "badContent", "a chunk must carry the video's type")
                )
                return
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
            self.fake.uploaded_at[session.video_id] = self.fake.clock()
        self.send_json(200, {"kind": "youtube#video", "id": session.video_id, **session.resource})

    def set_thumbnail(self) -> None:
        failure = self.injected("thumbnail")
        if failure is not None:
            self.send_json(failure.status, google_error(failure.status, "backendError", "injected"))
            return
        video_id = self.query.get("videoId", "")
        kind = self.headers.get("Content-Type", "")
        if video_id not in self.fake.videos:
            self.send_json(404, google_error(404, "videoNotFound", "no such video"))
        elif not self.fake.custom_thumbnails:
            self.send_json(
                403, google_error(403, "forbidden", "the user may not set custom thumbnails")
            )
        elif not self.body:
            self.send_json(400, google_error(400, "mediaBodyRequired", "no image"))
        elif len(self.body) > 2 * 1024 * 1024:
            self.send_json(413, google_error(413, "mediaBodyTooLarge", "over 2 MB"))
        elif kind not in THUMBNAIL_TYPES or not self.body.startswith((b"\xff\xd8\xff", b"\x89PNG")):
            self.send_json(400, google_error(400, "invalidImage", "not a JPEG or PNG image"))
        else:
            self.fake.thumbnails[video_id] = (kind, self.body)
            self.send_json(
                200,
                {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": "x"}}]},
            )


def tags_length(tags: list[str]) -> int:
    """YouTube's count: commas between tags, quotation marks around a tag with a space."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


def media_problem(headers: Any) -> str:
    kind = headers.get("X-Upload-Content-Type", "")
    return "" if kind.startswith("video/") or kind == "application/octet-stream" else "badContent"


def snippet_problem(resource: dict[str, Any], now: float | None = None) -> str:
    """YouTube's refusal reason for a video resource, or "" when it would be accepted."""
    snippet, status = resource.get("snippet", {}), resource.get("status", {})
    title, description = snippet.get("title", ""), snippet.get("description", "")
    if not title or len(title) > 100 or "<" in title or ">" in title:
        return "invalidTitle"
    if len(description.encode()) > 5000 or "<" in description or ">" in description:
        return "invalidDescription"
    if tags_length(snippet.get("tags", [])) > 500:
        return "invalidTags"
    if snippet.get("categoryId") not in ASSIGNABLE_CATEGORIES:
        return "invalidCategoryId"
    if status.get("privacyStatus") not in ("public", "unlisted", "private"):
        return "invalidPrivacyStatus"
    if not isinstance(status.get("selfDeclaredMadeForKids"), bool):
        return "madeForKidsRequired"  # every upload must declare its audience
    if "publishAt" in status and not _schedulable(status, time.time() if now is None else now):
        return "invalidPublishAt"
    return ""


def _schedulable(status: dict[str, Any], now: float) -> bool:
    """publishAt is set only on a private video, as an RFC 3339 time in the future."""
    try:
        when = datetime.fromisoformat(str(status["publishAt"]).replace("Z", "+00:00"))
    except ValueError:
        return False
    return (
        status.get("privacyStatus") == "private"
        and when.utcoffset() is not None
        and when.timestamp() > now
    )


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
    return fake, publisher_on(request, fake, waits.append, **options)


def publisher_on(
    request: pytest.FixtureRequest,
    fake: FakeYouTube,
    sleep: Callable[[float], None],
    **options: Any,
) -> YouTubePublisher:
    """A publisher of its own (as in another worker process) on ``fake``; ``sleep`` waits."""
    http = PlatformHttp("YouTube", backoff=Backoff(retries=3), sleep=sleep, rng=lambda: 0.5)
    request.addfinalizer(http.close)
    options.setdefault("chunk_size", 256 * 1024)
    return YouTubePublisher(http, base_url=fake.base_url, **options)
