"""Publishing on TikTok with the Content Posting API (direct post, file upload).

    POST {base}/v2/post/publish/creator_info/query/
                                               -> {"data": {"privacy_level_options",
                                                   "comment_disabled", "duet_disabled",
                                                   "stitch_disabled",
                                                   "max_video_post_duration_sec", …}}
    POST {base}/v2/post/publish/video/init/    {"post_info", "source_info": FILE_UPLOAD}
                                               -> {"data": {"publish_id", "upload_url"}}
    PUT  <upload_url>  Content-Range: bytes A-B/TOTAL  -> 206 (more), 201 (all there)
    POST {base}/v2/post/publish/status/fetch/  {"publish_id"}
                                               -> {"data": {"status", "fail_reason", …}}

TikTok's chunk rules: a video under 5 MB goes whole; otherwise chunks of 5 to 64 MB, as many as
``size // chunk_size``, the last one taking the remainder. Every answer carries
``error.code`` ("ok" on success). Once the bytes are uploaded TikTok owns the post: a status
still processing at our deadline is reported permanent, since publishing again would post twice.

TikTok's UX guidelines for direct posts, kept here for a bot that posts on the creator's behalf:
the creator's info is queried before every post and only its ``privacy_level_options`` are
used (``choose_privacy``: the configured level, else the nearest more private one the creator
offers, else a refusal); comments, duets and stitches are off unless configured on, and a
creator who disabled one in the app keeps it off; a clip longer than the creator's
``max_video_post_duration_sec`` is refused before anything is uploaded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx

from clipnet.adapters.http_resilience import BoundedMemo, json_body
from clipnet.adapters.publishing.http import DAILY_CAPS, PlatformHttp, bearer_header
from clipnet.adapters.publishing.text import tiktok_caption
from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.publishing.model import PRIVACY_LEVELS, PostOptions
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import Published, PublishError

log = logging.getLogger(__name__)

MIN_CHUNK = 5 * 1024 * 1024
PROCESSING = frozenset({"PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"})
#: TikTok's privacy levels, most public first.
PRIVACY_ORDER = tuple(level.upper() for level in PRIVACY_LEVELS[Platform.TIKTOK])


@attrs.frozen
class CreatorInfo:
    """What ``creator_info/query`` says this creator may post now."""

    username: str
    privacy_levels: tuple[str, ...]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_duration: float | None
    """``max_video_post_duration_sec``; None when TikTok names none."""

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CreatorInfo:
        levels = data.get("privacy_level_options")
        limit = data.get("max_video_post_duration_sec")
        return cls(
            username=str(data.get("creator_username", "")),
            privacy_levels=tuple(str(x).upper() for x in levels)
            if isinstance(levels, list)
            else (),
            comment_disabled=data.get("comment_disabled") is True,
            duet_disabled=data.get("duet_disabled") is True,
            stitch_disabled=data.get("stitch_disabled") is True,
            max_duration=float(limit) if isinstance(limit, int | float) and limit > 0 else None,
        )


def choose_privacy(wanted: str, offered: tuple[str, ...]) -> str:
    """``wanted`` if the creator offers it, else the most public level the creator offers that
    is still more private than ``wanted`` (a private account offers no PUBLIC_TO_EVERYONE:
    FOLLOWER_OF_CREATOR is then used). Never more public than asked; raises a permanent
    ``PublishError`` when nothing offered is private enough."""
    wanted = wanted.upper()
    if wanted in offered:
        return wanted
    if wanted not in PRIVACY_ORDER:
        raise PublishError(f"TikTok has no privacy level {wanted!r}", permanent=True)
    for level in PRIVACY_ORDER[PRIVACY_ORDER.index(wanted) + 1 :]:
        if level in offered:
            log.info("TikTok: the creator does not offer %s; posting as %s", wanted, level)
            return level
    raise PublishError(
        f"the TikTok account offers only {', '.join(offered) or 'no privacy level'}; none is "
        f"as private as {wanted}",
        permanent=True,
    )


#: The TikTok Content Posting API's documented base URL (CLIPNET_TIKTOK_API_BASE moves it).
TIKTOK_API_BASE = "https://open.tiktokapis.com"


@attrs.frozen
class ChunkPlan:
    size: int
    chunk_size: int
    count: int

    @classmethod
    def for_size(cls, size: int, chunk_size: int) -> ChunkPlan:
        if size <= chunk_size:
            return cls(size, size, 1)
        return cls(size, chunk_size, size // chunk_size)

    def span(self, index: int) -> tuple[int, int]:
        """First and last byte of chunk ``index``; the last chunk takes the remainder."""
        start = index * self.chunk_size
        end = self.size - 1 if index == self.count - 1 else start + self.chunk_size - 1
        return start, end


class TikTokPublisher:
    platform = Platform.TIKTOK

    def __init__(
        self,
        http: PlatformHttp,
        *,
        base_url: str = "",
        privacy_level: str = "SELF_ONLY",
        allow_comments: bool = False,
        allow_duet: bool = False,
        allow_stitch: bool = False,
        chunk_size: int = 2 * MIN_CHUNK,
        poll_interval: float = 5.0,
        processing_timeout: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._base = (base_url or TIKTOK_API_BASE).rstrip("/")  # "": the documented API
        self._privacy = privacy_level.upper()  # settings hold it lower-case
        # The guidelines: no interaction is on unless the creator chose it.
        self._allow = {"comment": allow_comments, "duet": allow_duet, "stitch": allow_stitch}
        self._chunk = chunk_size
        self._poll = poll_interval
        self._timeout = processing_timeout
        self._sleep = sleep
        self._clock = clock
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
        headers = bearer_header(account, Platform.TIKTOK, "TikTok")
        plan = ChunkPlan.for_size(Path(video).stat().st_size, self._chunk)
        if plan.size == 0:
            raise PublishError(f"{video} is empty", permanent=True)
        creator = CreatorInfo.from_data(
            self._call(
                f"{self._base}/v2/post/publish/creator_info/query/", None, headers, "creator info"
            )
        )
        post_info = self.post_info(metadata, options, creator)
        publish_id, upload_url = self._init(post_info, plan, headers)
        self._upload(Path(video), plan, upload_url)
        published = self._wait(publish_id, headers)
        self._done.put(idempotency_key, published)
        return published

    def post_info(
        self, metadata: ClipMetadata, options: PostOptions, creator: CreatorInfo
    ) -> dict[str, Any]:
        """The init request's ``post_info`` for this creator; raises a permanent
        ``PublishError`` for a clip longer than the creator may post."""
        limit = creator.max_duration
        if options.duration is not None and limit is not None and options.duration > limit:
            raise PublishError(
                f"the clip is {options.duration:.1f} s long and TikTok account "
                f"{creator.username or '(unnamed)'} may post videos of at most {limit:.0f} s",
                permanent=True,
            )
        wanted = {
            "comment": options.allow_comments,
            "duet": options.allow_duet,
            "stitch": options.allow_stitch,
        }
        disabled_by_creator = {
            "comment": creator.comment_disabled,
            "duet": creator.duet_disabled,
            "stitch": creator.stitch_disabled,
        }
        allowed = {
            name: (self._allow[name] if choice is None else choice)
            and not disabled_by_creator[name]
            for name, choice in wanted.items()
        }
        return {
            "title": tiktok_caption(metadata),
            "privacy_level": choose_privacy(
                options.privacy or self._privacy, creator.privacy_levels
            ),
            "disable_comment": not allowed["comment"],
            "disable_duet": not allowed["duet"],
            "disable_stitch": not allowed["stitch"],
            "video_cover_timestamp_ms": 1000,
        }

    def _init(
        self, post_info: dict[str, Any], plan: ChunkPlan, headers: dict[str, str]
    ) -> tuple[str, str]:
        body = {
            "post_info": post_info,
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": plan.size,
                "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.count,
            },
        }
        data = self._call(f"{self._base}/v2/post/publish/video/init/", body, headers, "init")
        publish_id, upload_url = data.get("publish_id"), data.get("upload_url")
        if not isinstance(publish_id, str) or not isinstance(upload_url, str):
            raise PublishError(f"TikTok's init answer lacks publish_id or upload_url: {data!r}")
        return publish_id, upload_url

    def _upload(self, video: Path, plan: ChunkPlan, upload_url: str) -> None:
        with video.open("rb") as file:
            for index in range(plan.count):
                start, end = plan.span(index)
                file.seek(start)
                # A failed chunk is sent again as a whole: TikTok keeps what it had.
                response = self._http.request(
                    "PUT",
                    upload_url,
                    f"uploading chunk {index + 1} of {plan.count}",
                    content=file.read(end - start + 1),
                    headers={
                        "Content-Type": "video/mp4",
                        "Content-Range": f"bytes {start}-{end}/{plan.size}",
                    },
                )
                if response.status_code not in (200, 201, 206):
                    raise PublishError(f"TikTok answered a chunk with {response.status_code}")

    def _wait(self, publish_id: str, headers: dict[str, str]) -> Published:
        deadline = self._clock() + self._timeout
        url = f"{self._base}/v2/post/publish/status/fetch/"
        while True:
            data = self._call(url, {"publish_id": publish_id}, headers, "status")
            status = data.get("status")
            if status in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"):
                return _published(publish_id, data)
            if status == "FAILED":
                raise PublishError(
                    f"TikTok did not publish {publish_id}: {data.get('fail_reason', 'unknown')}",
                    permanent=True,
                )
            if status not in PROCESSING:
                raise PublishError(f"TikTok answered an unknown status {status!r}", permanent=True)
            if self._clock() >= deadline:
                raise PublishError(
                    f"TikTok has the video ({publish_id}) but it is still {status}; not "
                    "publishing again, as that would post twice",
                    permanent=True,
                )
            self._sleep(self._poll)

    def _call(
        self, url: str, body: dict[str, Any] | None, headers: dict[str, str], what: str
    ) -> dict[str, Any]:
        response = self._http.request(
            "POST",
            url,
            f"calling {what}",
            # creator_info/query takes no body, only the JSON content type.
            **({"json": body} if body is not None else {}),
            headers={**headers, "Content-Type": "application/json; charset=UTF-8"},
        )
        return _data(response, what)


def _data(response: httpx.Response, what: str) -> dict[str, Any]:
    """``data`` of a TikTok answer whose ``error.code`` is "ok"."""
    answer = json_body(response, "TikTok", PublishError, what=what)
    error = answer.get("error") if isinstance(answer, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if code != "ok":
        message = error.get("message", "") if isinstance(error, dict) else ""
        raise PublishError(
            f"TikTok refused {what}: {code}: {message}", permanent=code not in DAILY_CAPS
        )
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def _published(publish_id: str, data: dict[str, Any]) -> Published:
    # TikTok's own spelling. Private (SELF_ONLY) posts have no public id and no public URL.
    post_ids = data.get("publicaly_available_post_id") or []
    if not post_ids:
        return Published(publish_id, "")
    post_id = str(post_ids[0])
    return Published(post_id, f"https://www.tiktok.com/@/video/{post_id}")
