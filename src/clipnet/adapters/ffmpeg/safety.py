"""Rules for untrusted input: which files FFmpeg may open, and how big they may be."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import attrs

from clipnet.adapters.ffmpeg.runner import file_name
from clipnet.domain.shared.media import MediaInfo
from clipnet.ports.media import MediaError

#: FFmpeg may read local files only: no http:, concat:, subfile:, data:, pipe: or tcp:.
PROTOCOLS = "file"
#: Container demuxers FFmpeg may use: no playlists (hls, concat, ffconcat), no image2 globs.
DEMUXERS = ",".join(
    [
        *("mov", "mp4", "m4a", "3gp", "3g2", "mj2"),
        *("matroska", "webm", "avi", "flv", "mpegts", "mpeg", "asf", "mxf", "ogg"),
        *("wav", "mp3", "aac", "flac", "w64"),
    ]
)
#: ``name:`` or FFmpeg's ``name,options,:`` (as in ``subfile,,start,0,end,9,,:x``).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(?::|,[^/]*:)")


@attrs.frozen
class MediaLimits:
    """The largest source ClipNET agrees to open."""

    max_bytes: int = 8 * 1024**3
    max_seconds: float = 6 * 3600.0
    max_pixels: int = 3840 * 2160
    """Width x height of the picture (4K by default)."""


def input_options() -> dict[str, str]:
    """Options for every FFmpeg input that came from outside."""
    return {"protocol_whitelist": PROTOCOLS, "format_whitelist": DEMUXERS}


def local_path(text: str) -> Path:
    """``text`` as a local path; ``MediaError`` for a URL or protocol (``concat:``, ``http:``).

    A file that really is named like ``concat:x`` in the current folder stays allowed: it is
    only ever opened as ``file:/abs/concat:x``.
    """
    if _SCHEME.match(text) and not Path(text).exists():
        raise MediaError(f"{text}: only local files can be opened, not URLs or protocols")
    return Path(text)


def checked_file(path: Path | str, limits: MediaLimits) -> Path:
    """The absolute path of a readable regular file within the size limit, or ``MediaError``."""
    text = str(path)
    candidate = local_path(text)
    try:
        info = candidate.stat()
    except FileNotFoundError:
        raise MediaError(f"{file_name(text)}: no such file") from None
    except OSError as error:
        raise MediaError(f"{file_name(text)}: cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise MediaError(f"{file_name(text)}: not a regular file")
    if info.st_size == 0:
        raise MediaError(f"{file_name(text)}: the file is empty")
    if info.st_size > limits.max_bytes:
        raise MediaError(
            f"{file_name(text)}: {info.st_size} bytes is over the limit of {limits.max_bytes}"
        )
    return candidate.resolve()


def ffmpeg_url(path: Path) -> str:
    """``file:`` + absolute path, so a name like ``concat:a|b`` is only ever a file name."""
    return f"file:{Path(path).resolve()}"


def check_limits(path: Path, info: MediaInfo, limits: MediaLimits) -> None:
    """A probed file is within the duration and picture-size limits."""
    if info.duration > limits.max_seconds:
        raise MediaError(
            f"{file_name(path)}: {info.duration:.0f} s is longer than the limit of "
            f"{limits.max_seconds:.0f} s"
        )
    if info.width * info.height > limits.max_pixels:
        raise MediaError(
            f"{file_name(path)}: {info.width}x{info.height} is over the limit of "
            f"{limits.max_pixels} pixels"
        )


def require_video(path: Path, info: MediaInfo) -> None:
    """A source to clip has a picture and a duration."""
    if not info.has_video:
        raise MediaError(f"{file_name(path)}: no video stream (audio-only files cannot be clipped)")
    if info.duration <= 0:
        raise MediaError(f"{file_name(path)}: no playable duration")
