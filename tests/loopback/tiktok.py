"""A loopback TikTok Content Posting API: direct post by file upload.

``creator_info/query`` answers each token's creator (``Creator``: the privacy levels a public
or a private account offers, the interactions the creator turned off, the longest video they may
post). ``init`` checks what the Direct Post reference and its UX guidelines ask: creator info
was queried before this post, the privacy level is one the creator offers
(``privacy_level_option_mismatch`` otherwise), ``disable_comment``/``disable_duet``/
``disable_stitch`` are given and none is enabled that the creator disabled, the caption's
length, and the chunk plan (``total_chunk_count == video_size // chunk_size``, one chunk for a
small video). Each chunk ``PUT`` must start where the upload's bytes end and be the planned size
(the last one takes the remainder). ``status/fetch`` answers PROCESSING_UPLOAD for
``processing_polls`` polls, then PUBLISH_COMPLETE, or FAILED with ``duration_check_failed``
when the uploaded video (probed with ffprobe, when it is a real video) is longer than the
creator may post.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest

from clipnet.adapters.http_resilience import Backoff
from clipnet.adapters.publishing import TikTokPublisher
from clipnet.adapters.publishing.http import PlatformHttp
from tests.loopback.server import JsonHandler, serve
from tests.loopback.youtube import Failure

PRIVACY_LEVELS = frozenset(
    {"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"}
)
#: What the reference lists for a public and for a private creator account.
PUBLIC_ACCOUNT = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")
PRIVATE_ACCOUNT = ("FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")
INTERACTIONS = ("comment", "duet", "stitch")


@attrs.define
class Creator:
    username: str = "streamer"
    privacy_level_options: tuple[str, ...] = PUBLIC_ACCOUNT
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int = 600
    queried: int = 0
    """creator_info/query calls not yet followed by an init."""

    def info(self) -> dict[str, Any]:
        return {
            "creator_avatar_url": "https://p16.tiktokcdn.example/avatar.jpeg",
            "creator_username": self.username,
            "creator_nickname": self.username.title(),
            "privacy_level_options": list(self.privacy_level_options),
            "comment_disabled": self.comment_disabled,
            "duet_disabled": self.duet_disabled,
            "stitch_disabled": self.stitch_disabled,
            "max_video_post_duration_sec": self.max_video_post_duration_sec,
        }


@attrs.define
class Upload:
    post_info: dict[str, Any]
    size: int
    chunk_size: int
    count: int
    creator: Creator
    received: bytearray = attrs.Factory(bytearray)
    polls: int = 0
    post_id: str = ""


@attrs.define
class FakeTikTok:
    creators: dict[str, Creator] = attrs.Factory(lambda: {"access-secret-token": Creator()})
    """Access token -> its creator."""
    base_url: str = ""
    uploads: dict[str, Upload] = attrs.Factory(dict)
    failures: dict[str, list[Failure]] = attrs.Factory(dict)
    processing_polls: int = 1
    public: bool = True
    fail_reason: str = ""
    """When set, processing ends FAILED with this reason."""
    requests: list[str] = attrs.Factory(list)

    def fail(self, step: str, status: int, *, times: int = 1, **options: Any) -> None:
        """Answer the next ``times`` requests of ``step`` ("init", "chunk", "status")."""
        self.failures.setdefault(step, []).extend(Failure(status, **options) for _ in range(times))

    def posted(self) -> list[Upload]:
        return [u for u in self.uploads.values() if u.post_id]

    @property
    def creator(self) -> Creator:
        """The creator of the default test account."""
        return self.creators["access-secret-token"]


def answer(data: dict[str, Any], code: str = "ok", message: str = "") -> dict[str, Any]:
    return {"data": data, "error": {"code": code, "message": message, "log_id": "log-1"}}


class TikTokHandler(JsonHandler):
    @property
    def fake(self) -> FakeTikTok:
        return self.server.state  # type: ignore[attr-defined, no-any-return]

    def route(self, method: str) -> None:
        self.fake.requests.append(f"{method} {self.route_path}")
        if method == "PUT" and self.route_path == "/upload/":
            self.chunk()
            return
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        creator = self.fake.creators.get(token)
        if creator is None:
            self.send_json(401, answer({}, "access_token_invalid", "The access token is invalid"))
        elif method == "POST" and self.route_path == "/v2/post/publish/creator_info/query/":
            creator.queried += 1
            self.send_json(200, answer(creator.info()))
        elif method == "POST" and self.route_path == "/v2/post/publish/video/init/":
            self.init(creator)
        elif method == "POST" and self.route_path == "/v2/post/publish/status/fetch/":
            self.status()
        else:
            self.send_json(404, answer({}, "not_found", self.route_path))

    def injected(self, step: str) -> bool:
        queue = self.fake.failures.get(step) or []
        if not queue:
            return False
        failure = queue.pop(0)
        code = "rate_limit_exceeded" if failure.status == 429 else "internal_error"
        self.send_json(failure.status, answer({}, code, "injected"), failure.headers)
        return True

    def init(self, creator: Creator) -> None:
        if self.injected("init"):
            return
        body = self.json_body()
        post_info, source = body.get("post_info", {}), body.get("source_info", {})
        if post_info.get("privacy_level") in PRIVACY_LEVELS and (
            post_info["privacy_level"] not in creator.privacy_level_options
        ):
            self.send_json(
                400,
                answer({}, "privacy_level_option_mismatch", "not one of the creator's options"),
            )
            return
        problem = creator_problem(creator, post_info) or plan_problem(post_info, source)
        if problem:
            self.send_json(400, answer({}, "invalid_params", problem))
            return
        creator.queried = 0
        publish_id = f"v_pub_file~v2-1.{len(self.fake.uploads) + 1}"
        self.fake.uploads[publish_id] = Upload(
            post_info,
            source["video_size"],
            source["chunk_size"],
            source["total_chunk_count"],
            creator,
        )
        upload_url = f"{self.fake.base_url}/upload/?upload_id={publish_id}&upload_token=t"
        self.send_json(200, answer({"publish_id": publish_id, "upload_url": upload_url}))

    def chunk(self) -> None:
        upload = self.fake.uploads.get(self.query.get("upload_id", ""))
        if upload is None or self.query.get("upload_token") != "t":
            self.send_json(404, answer({}, "not_found", "no such upload"))
            return
        if self.injected("chunk"):
            return
        span, _, total = self.headers.get("Content-Range", "").removeprefix("bytes ").partition("/")
        start, end = (int(x) for x in span.split("-"))
        index = start // upload.chunk_size
        last = index == upload.count - 1
        planned = upload.size - start if last else upload.chunk_size
        if (
            int(total) != upload.size
            or start != len(upload.received)
            or end - start + 1 != len(self.body)
            or len(self.body) != planned
            or self.headers.get("Content-Type") != "video/mp4"
        ):
            self.send_json(400, answer({}, "invalid_params", "chunk does not follow the plan"))
            return
        upload.received.extend(self.body)
        self.send_bytes(201 if len(upload.received) == upload.size else 206, b"")

    def status(self) -> None:
        if self.injected("status"):
            return
        upload = self.fake.uploads.get(self.json_body().get("publish_id", ""))
        if upload is None:
            self.send_json(400, answer({}, "invalid_params", "unknown publish_id"))
            return
        upload.polls += 1
        if len(upload.received) < upload.size or upload.polls <= self.fake.processing_polls:
            self.send_json(200, answer({"status": "PROCESSING_UPLOAD"}))
        elif self.fake.fail_reason or too_long(upload):
            reason = self.fake.fail_reason or "duration_check_failed"
            self.send_json(200, answer({"status": "FAILED", "fail_reason": reason}))
        else:
            upload.post_id = upload.post_id or f"73{len(self.fake.posted()) + 1:017d}"
            ids = [int(upload.post_id)] if self.fake.public else []
            self.send_json(
                200, answer({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": ids})
            )


def creator_problem(creator: Creator, post_info: dict[str, Any]) -> str:
    """What the UX guidelines forbid for this creator, or ""."""
    if creator.queried == 0:
        return "creator_info/query must be called before each post"
    for name in INTERACTIONS:
        disabled = post_info.get(f"disable_{name}")
        if not isinstance(disabled, bool):
            return f"disable_{name} must be given (no interaction is on by default)"
        if not disabled and getattr(creator, f"{name}_disabled"):
            return f"the creator turned {name} off"
    return ""


def too_long(upload: Upload) -> bool:
    seconds = probe_seconds(bytes(upload.received))
    return seconds is not None and seconds > upload.creator.max_video_post_duration_sec


def probe_seconds(data: bytes) -> float | None:
    """The video's duration as ffprobe reads it; None for bytes that are not a video."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None or not data:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.mp4"
        path.write_bytes(data)
        result = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    try:
        return float(result.stdout.strip())
    except ValueError:
        return None


def plan_problem(post_info: dict[str, Any], source: dict[str, Any]) -> str:
    """TikTok's refusal of an init request, or "" when it would be accepted."""
    title = post_info.get("title", "")
    if len(title.encode("utf-16-le")) // 2 > 2200:
        return "title longer than 2200 UTF-16 runes"
    if post_info.get("privacy_level") not in PRIVACY_LEVELS:
        return "unknown privacy_level"
    if source.get("source") != "FILE_UPLOAD":
        return "source must be FILE_UPLOAD"
    size, chunk, count = (
        source.get(k, 0) for k in ("video_size", "chunk_size", "total_chunk_count")
    )
    if size <= 0 or chunk <= 0 or count != max(1, size // chunk) or (count == 1 and chunk < size):
        return "chunk plan does not match video_size"
    return ""


@contextmanager
def fake_tiktok() -> Iterator[FakeTikTok]:
    fake = FakeTikTok()
    with serve(TikTokHandler, fake) as base_url:
        fake.base_url = base_url
        yield fake


def tiktok_for_test(
    request: pytest.FixtureRequest, sleeps: list[float] | None = None, **options: Any
) -> tuple[FakeTikTok, TikTokPublisher]:
    """A publisher on a loopback TikTok (stopped when the test ends); waits go to ``sleeps``."""
    running = fake_tiktok()
    fake = running.__enter__()
    request.addfinalizer(lambda: running.__exit__(None, None, None))
    waits = [] if sleeps is None else sleeps
    http = PlatformHttp("TikTok", backoff=Backoff(retries=3), sleep=waits.append, rng=lambda: 0.5)
    request.addfinalizer(http.close)
    options.setdefault("chunk_size", 100_000)
    options.setdefault("poll_interval", 0.0)
    options.setdefault("sleep", lambda _seconds: None)  # polls; retries go to ``sleeps``
    return fake, TikTokPublisher(http, base_url=fake.base_url, **options)
