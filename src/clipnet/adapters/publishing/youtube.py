"""Publishing on YouTube with the Data API v3 resumable upload, then ``thumbnails.set``.

    POST {base}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status
         {"snippet": …, "status": …}                 -> 200, Location: the session URL
    PUT  <session>  Content-Type: video/…  Content-Range: bytes A-B/TOTAL
                                                     -> 308 Range: bytes=0-B (more), 200 video
    PUT  <session>  Content-Range: bytes */TOTAL     -> where the session stands (after a failure)
    POST {base}/upload/youtube/v3/thumbnails/set?videoId=ID&uploadType=media  (image bytes)

Chunks are multiples of 256 KiB, as Google requires, and carry the video's MIME type (the
guide's ``Content-Type`` of step 3). After a failed chunk the adapter asks the session how much
it holds and goes on from there, so nothing is sent twice and a lost answer to the last chunk
does not make a second video. A session that answers 404 or 410 has expired: the guide says to
start again from the beginning, so a new session is started and the whole file sent again, at
most ``MAX_SESSIONS`` times in all.

An upload outlives its worker: the session's URL is kept under the post's idempotency key
(``UploadSessions``, in the database) before the first byte is sent. The job's next run after
a crash, in whatever process, asks that session where it stands (``bytes */TOTAL``): a
finished upload answers with its video, which is the post (no second video); an unfinished
one goes on from where YouTube stands; an expired one is replaced as above.

A custom thumbnail is set after the video exists. YouTube refuses it for channels that may not
use custom thumbnails (403); the video is then kept as it is, and the refusal logged: failing
the post would only upload the same video a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from clipnet.adapters.http_resilience import BoundedMemo, json_object
from clipnet.adapters.memory.platforms import InMemoryUploadSessions
from clipnet.adapters.publishing.http import Gone, PlatformHttp, Transient, bearer_header
from clipnet.adapters.publishing.text import youtube_snippet
from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.publishing.model import PostOptions
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import Published, PublishError, TokenExpired, UploadSessions

log = logging.getLogger(__name__)

CHUNK_UNIT = 256 * 1024
GAMING = "20"
#: Upload sessions one publish may use: the first and two fresh ones after expiries.
MAX_SESSIONS = 3
#: thumbnails.set takes JPEG or PNG files of at most 2 MB.
THUMBNAIL_BYTES = 2 * 1024 * 1024
THUMBNAIL_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
}

#: The YouTube Data API's documented base URL (CLIPNET_YOUTUBE_API_BASE moves it).
YOUTUBE_API_BASE = "https://www.googleapis.com"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def video_type(video: Path) -> str:
    """The MIME type YouTube is told for ``video`` (``application/octet-stream`` if unknown,
    which the guide also accepts)."""
    return VIDEO_TYPES.get(video.suffix.lower(), "application/octet-stream")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class YouTubePublisher:
    platform = Platform.YOUTUBE

    def __init__(
        self,
        http: PlatformHttp,
        *,
        base_url: str = "",
        privacy: str = "private",
        category_id: str = GAMING,
        made_for_kids: bool = False,
        tags: Iterable[str] = (),
        publish_delay: float = 0.0,
        thumbnails: bool = True,
        chunk_size: int = 32 * CHUNK_UNIT,
        now: Callable[[], datetime] = _utc_now,
        sessions: UploadSessions | None = None,
    ) -> None:
        """The keyword arguments are the defaults of every post (``PostOptions`` overrides
        them per post). ``publish_delay`` > 0 schedules each video that many seconds after
        its upload (private until then); ``thumbnails`` sets the clip's thumbnail.
        ``sessions``: where upload sessions are kept for the next run of a post, in another
        process too (without it: in this process only)."""
        if chunk_size % CHUNK_UNIT:
            raise ValueError(f"YouTube chunks must be multiples of {CHUNK_UNIT} bytes")
        self._http = http
        self._base = (base_url or YOUTUBE_API_BASE).rstrip("/")  # "": the documented API
        self._privacy = privacy
        self._category = category_id
        self._made_for_kids = made_for_kids
        self._tags = tuple(tags)
        self._delay = publish_delay
        self._thumbnails = thumbnails
        self._chunk = chunk_size
        self._now = now
        self._sessions = sessions if sessions is not None else InMemoryUploadSessions()
        # This process's results of recent idempotency keys (a first line only: the Post
        # record is the guard across processes).
        self._done: BoundedMemo[str, Published] = BoundedMemo(1000)

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
        options: PostOptions | None = None,
    ) -> Published:
        remembered = self._done.get(idempotency_key)
        if remembered is not None:
            return remembered
        options = options or PostOptions()
        headers = bearer_header(account, Platform.YOUTUBE, "YouTube")
        video = Path(video)
        size = video.stat().st_size
        if size == 0:
            raise PublishError(f"{video} is empty", permanent=True)
        resource = self._upload_once(
            video, size, self.video_resource(metadata, options), headers, idempotency_key
        )
        video_id = str(resource.get("id", ""))
        if not video_id:
            raise PublishError("YouTube accepted the upload but named no video id")
        published = Published(video_id, f"https://www.youtube.com/watch?v={video_id}")
        self._done.put(idempotency_key, published)
        if self._thumbnails and options.thumbnail is not None:
            self._set_thumbnail(video_id, Path(options.thumbnail), headers)
        return published

    def video_resource(self, metadata: ClipMetadata, options: PostOptions) -> dict[str, Any]:
        """The ``snippet`` and ``status`` of the video to insert. Raises a permanent
        ``PublishError`` for choices YouTube would refuse (publishAt not private or past)."""
        snippet = youtube_snippet(
            metadata, options.category_id or self._category, (*options.tags, *self._tags)
        )
        made_for_kids = (
            self._made_for_kids if options.made_for_kids is None else options.made_for_kids
        )
        privacy = (options.privacy or self._privacy).lower()
        status: dict[str, Any] = {
            "privacyStatus": privacy,
            "selfDeclaredMadeForKids": made_for_kids,
        }
        publish_at = options.publish_at
        if publish_at is None and self._delay > 0:
            publish_at = self._now() + timedelta(seconds=self._delay)
        if publish_at is not None:
            status["privacyStatus"] = self._scheduled_privacy(options.privacy, publish_at)
            status["publishAt"] = rfc3339(publish_at)
        return {"snippet": snippet, "status": status}

    def _scheduled_privacy(self, asked: str, publish_at: datetime) -> str:
        # YouTube takes status.publishAt only on a private video, and only in the future.
        if publish_at.utcoffset() is None:
            raise PublishError(f"publish_at {publish_at} has no timezone", permanent=True)
        if publish_at <= self._now():
            raise PublishError(
                f"publish_at {rfc3339(publish_at)} is not in the future", permanent=True
            )
        if asked and asked.lower() != "private":
            raise PublishError(
                f"a scheduled video must be private until it is published, not {asked!r}",
                permanent=True,
            )
        return "private"

    def _upload_once(
        self, video: Path, size: int, resource: dict[str, Any], headers: dict[str, str], key: str
    ) -> dict[str, Any]:
        """The video uploaded under ``key``: through the session an earlier run left (it may
        be done, or part done), else through new sessions."""
        earlier = self._sessions.session_for(key)
        if earlier:
            try:
                return self._upload(video, size, earlier, headers, resume=True)
            except TokenExpired:
                raise
            except PublishError as refused:
                if not refused.permanent:
                    raise
                # Expired (404/410), or refusing this file (another size under the same key):
                # either way that session never made a video, so a new one cannot make two.
                log.info("YouTube upload session of %s is over (%s); starting anew", key, refused)
        return self._upload_in_sessions(video, size, resource, headers, key)

    def _upload_in_sessions(
        self, video: Path, size: int, resource: dict[str, Any], headers: dict[str, str], key: str
    ) -> dict[str, Any]:
        """Upload through a session; when one expires, the whole file through a new one.
        Each session is kept under ``key`` before its first byte is sent."""
        for number in range(1, MAX_SESSIONS + 1):
            session = self._start(resource, size, video_type(video), headers)
            self._sessions.remember_session(key, session)
            try:
                return self._upload(video, size, session, headers)
            except Gone as expired:
                log.warning(
                    "YouTube upload session %d of %d expired (%s); starting a new one",
                    number,
                    MAX_SESSIONS,
                    expired,
                )
        raise PublishError(
            f"YouTube's upload session expired {MAX_SESSIONS} times in a row; try again later"
        )

    def _start(
        self, resource: dict[str, Any], size: int, mime: str, headers: dict[str, str]
    ) -> str:
        response = self._http.request(
            "POST",
            f"{self._base}/upload/youtube/v3/videos",
            "starting an upload",
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=resource,
            headers={
                **headers,
                "X-Upload-Content-Length": str(size),
                "X-Upload-Content-Type": mime,
            },
        )
        location = str(response.headers.get("Location", ""))
        if not location:
            raise PublishError("YouTube started an upload without a session URL")
        return location

    def _upload(
        self, video: Path, size: int, session: str, headers: dict[str, str], *, resume: bool = False
    ) -> dict[str, Any]:
        """Send the bytes from where the session stands (``resume``: ask it first, it may be
        done). Raises ``Gone`` when it expired."""
        offset, failures = 0, 0
        if resume:
            response = self._where(session, size, headers, "asking how far an earlier upload got")
            finished = _finished(response)
            if finished is not None:
                return finished
            offset = _next_offset(response)
        with video.open("rb") as file:
            while True:
                file.seek(offset)
                chunk = file.read(self._chunk)
                last = offset + len(chunk) - 1
                try:
                    response = self._http.once(
                        "PUT",
                        session,
                        "uploading the video",
                        content=chunk,
                        headers={
                            **headers,
                            "Content-Type": video_type(video),
                            "Content-Range": f"bytes {offset}-{last}/{size}",
                        },
                    )
                except Transient as failure:
                    failures += 1
                    self._http.pause(failure, failures, "uploading the video")
                    response = self._where(
                        session, size, headers, "asking how much of the upload arrived"
                    )
                finished = _finished(response)
                if finished is not None:
                    return finished
                offset = _next_offset(response)

    def _where(self, session: str, size: int, headers: dict[str, str], what: str) -> httpx.Response:
        """The session's state: 308 with the bytes it holds, or 200/201 with the video."""
        return self._http.request(
            "PUT", session, what, headers={**headers, "Content-Range": f"bytes */{size}"}
        )

    def _set_thumbnail(self, video_id: str, thumbnail: Path, headers: dict[str, str]) -> None:
        """``thumbnails.set``; a refusal keeps the video without its custom thumbnail."""
        mime = THUMBNAIL_TYPES.get(thumbnail.suffix.lower())
        size = thumbnail.stat().st_size if thumbnail.exists() else 0
        if mime is None or not 0 < size <= THUMBNAIL_BYTES:
            log.warning(
                "YouTube video %s keeps its own thumbnail: %s is not a JPEG or PNG of at most 2 MB",
                video_id,
                thumbnail.name,
            )
            return
        try:
            self._http.request(
                "POST",
                f"{self._base}/upload/youtube/v3/thumbnails/set",
                "setting the thumbnail",
                params={"videoId": video_id, "uploadType": "media"},
                content=thumbnail.read_bytes(),
                headers={**headers, "Content-Type": mime},
            )
        except PublishError as refused:
            log.warning("YouTube video %s is up, without its thumbnail: %s", video_id, refused)


def _finished(response: httpx.Response) -> dict[str, Any] | None:
    """The video resource when the session is complete; None while it wants more."""
    if response.status_code == 308:
        return None
    if response.status_code not in (200, 201):
        raise PublishError(f"YouTube answered the upload with HTTP {response.status_code}")
    return json_object(response, "YouTube", PublishError, what="the upload")


def _next_offset(response: httpx.Response) -> int:
    """Where to go on from a 308: after ``Range: bytes=0-N``; at 0 without one."""
    held = response.headers.get("Range", "")
    if not held:
        return 0
    try:
        return int(held.rpartition("-")[2]) + 1
    except ValueError:
        raise PublishError(f"YouTube answered an unreadable Range: {held!r}") from None
