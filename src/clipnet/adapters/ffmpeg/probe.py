"""Probing: ffprobe's JSON when ffprobe exists, else what ``ffmpeg -i`` prints."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from clipnet.domain.shared.media import MediaInfo


def parse_ffprobe(text: str) -> MediaInfo:
    """MediaInfo from ``ffprobe -print_format json -show_format -show_streams``."""
    data = json.loads(text or "{}")
    streams: list[Mapping[str, Any]] = data.get("streams", [])
    video = next((s for s in streams if _is_picture(s)), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    fmt = data.get("format", {})
    duration = _number(fmt.get("duration")) or _number((video or audio or {}).get("duration"))
    return MediaInfo(
        duration=duration,
        has_video=video is not None,
        has_audio=audio is not None,
        width=int((video or {}).get("width", 0)),
        height=int((video or {}).get("height", 0)),
        fps=_rate((video or {}).get("avg_frame_rate")) or _rate((video or {}).get("r_frame_rate")),
        rotation=_rotation(video or {}),
        video_codec=str((video or {}).get("codec_name", "")),
        audio_codec=str((audio or {}).get("codec_name", "")),
        format_name=str(fmt.get("format_name", "")),
    )


def _is_picture(stream: Mapping[str, Any]) -> bool:
    # Cover art in an MP3 or M4A is a one-frame "video" stream; it is not a picture to clip.
    attached = stream.get("disposition", {}).get("attached_pic", 0)
    return stream.get("codec_type") == "video" and not attached


def _number(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _rate(value: object) -> float:
    text = str(value or "")
    if "/" in text:
        num, den = text.split("/", 1)
        return _number(num) / _number(den) if _number(den) else 0.0
    return _number(text)


def _rotation(video: Mapping[str, Any]) -> int:
    degrees = _number(video.get("tags", {}).get("rotate", 0))
    for side in video.get("side_data_list", []):
        if "rotation" in side:
            degrees = -_number(side["rotation"])  # display matrix counts anticlockwise
    return round(degrees) % 360


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_INPUT = re.compile(r"^Input #0, ([^,]+(?:,[^,\s]+)*), from", re.MULTILINE)
_VIDEO = re.compile(r"Stream #0:\d+[^:]*: Video: (\w+)(?!.*attached pic)(.*)$", re.MULTILINE)
_AUDIO = re.compile(r"Stream #0:\d+[^:]*: Audio: (\w+)", re.MULTILINE)
_SIZE = re.compile(r"(?:,|^)\s*(\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"([\d.]+) (?:fps|tbr)")
_ROTATE = re.compile(r"(?:rotate\s*:\s*(-?\d+))|(?:rotation of (-?[\d.]+) degrees)")


def parse_ffmpeg_banner(text: str) -> MediaInfo:
    """MediaInfo from the stderr of ``ffmpeg -i FILE`` (for installs without ffprobe)."""
    duration = 0.0
    if match := _DURATION.search(text):
        hours, minutes, seconds = match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    video, audio = _VIDEO.search(text), _AUDIO.search(text)
    width = height = 0
    fps = 0.0
    if video:
        if size := _SIZE.search(video.group(2)):
            width, height = int(size.group(1)), int(size.group(2))
        if rate := _FPS.search(video.group(2)):
            fps = float(rate.group(1))
    rotation = 0
    if rotate := _ROTATE.search(text):
        tag, matrix = rotate.groups()
        rotation = int(tag) if tag is not None else -round(float(matrix))
    fmt = _INPUT.search(text)
    return MediaInfo(
        duration=duration,
        has_video=video is not None,
        has_audio=audio is not None,
        width=width,
        height=height,
        fps=fps,
        rotation=rotation % 360,
        video_codec=video.group(1) if video else "",
        audio_codec=audio.group(1) if audio else "",
        format_name=fmt.group(1) if fmt else "",
    )
