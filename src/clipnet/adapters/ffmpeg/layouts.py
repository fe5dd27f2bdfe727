"""Fitting a landscape picture into the template's vertical frame (sizes computed up front,
so filter arguments are plain numbers and need no expression escaping)."""

from __future__ import annotations

from typing import Any

import ffmpeg

from clipnet.domain.framing.model import CropPath, Framing
from clipnet.domain.framing.service import SPLIT_TOP_SHARE
from clipnet.domain.highlights.templates import Layout, Template
from clipnet.domain.shared.geometry import Box

#: The file (in the polish's scratch folder) of ``sendcmd`` commands that move the crop.
CROP_COMMANDS = "crop-path.cmd"
#: The named crop filter that the commands move.
_MOVING_CROP = "crop@reframe"
#: The blurred background is made at this fraction of the output size (blur is cheap there).
BLUR_SCALE = 4
BLUR_RADIUS = 12


def even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def cover_crop(
    width: int, height: int, aspect: float, box: tuple[int, int, int, int] | None = None
) -> tuple[int, int, int, int]:
    """The largest (w, h, x, y) crop of aspect ``aspect`` (w/h), centred in ``box``."""
    bx, by, bw, bh = box or (0, 0, width, height)
    if bw / bh > aspect:
        w, h = even(bh * aspect), even(bh)
    else:
        w, h = even(bw), even(bw / aspect)
    x = bx + (bw - w) // 2
    y = by + (bh - h) // 2
    return w, h, max(0, x), max(0, y)


def fit_inside(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The size of a ``width`` x ``height`` picture scaled to fit inside the box."""
    scale = min(box_w / width, box_h / height)
    return even(width * scale), even(height * scale)


def keep_clear(template: Template, framing: Framing | None = None) -> tuple[Box, ...]:
    """Parts of the output frame that show a face, which captions must not cover: where the
    framing saw faces, else (``split``) the face cam's third."""
    if framing is not None and framing.face_area is not None:
        fx, fy, fw, fh = framing.face_area
        w, h = template.width, template.height
        return (Box(int(fx * w), int(fy * h), max(1, round(fw * w)), max(1, round(fh * h))),)
    if template.layout is Layout.SPLIT:
        return (Box(0, 0, template.width, even(template.height * SPLIT_TOP_SHARE)),)
    return ()


def frame(
    video: Any, template: Template, width: int, height: int, framing: Framing | None = None
) -> Any:
    """``video`` (of display size ``width`` x ``height``) framed by the template's layout.

    With a ``framing``, its letterbox-free picture is used; ``reframe`` follows its crop path
    (whose commands :func:`crop_commands` wrote to ``CROP_COMMANDS``) and ``split`` takes its
    face cam. Without one: the whole frame, a centred crop, the template's face-cam box.
    """
    out_w, out_h = template.width, template.height
    picture = _box(framing.picture) if framing else None
    if template.layout is Layout.BLUR_PAD:
        if picture is not None:
            video, (width, height) = video.filter("crop", *picture[2:], *picture[:2]), picture[2:]
        return _blur_pad(video, width, height, out_w, out_h)
    if template.layout is Layout.SPLIT:
        face_cam = _box(framing.face_cam) if framing and framing.face_cam else None
        return _split(video, template, width, height, out_w, out_h, face_cam, picture)
    if template.layout is Layout.REFRAME and framing and framing.crop:
        return _moving(video, framing.crop, out_w, out_h)
    return _cover(video, width, height, out_w, out_h, picture)


def crop_commands(path: CropPath) -> str:
    """``sendcmd`` lines: at each segment's start, the crop's x and y become straight lines in
    time (``t``: seconds from the clip's start), so the window glides between keys."""
    lines = []
    for segment in path.segments:
        for axis, start, end in (("x", segment.x0, segment.x1), ("y", segment.y0, segment.y1)):
            slope = (end - start) / segment.duration if segment.duration > 0 else 0.0
            lines.append(
                f"{segment.start:.4f} {_MOVING_CROP} {axis} "
                f"{start:.2f}{slope:+.4f}*(t-{segment.start:.4f});"
            )
    return "\n".join(lines) + "\n"


def _moving(video: Any, path: CropPath, out_w: int, out_h: int) -> Any:
    first = path.segments[0]
    return (
        video.filter("sendcmd", f=CROP_COMMANDS)
        .filter(_MOVING_CROP, path.width, path.height, int(first.x0), int(first.y0))
        .filter("scale", out_w, out_h)
    )


def _box(box: Box) -> tuple[int, int, int, int]:
    """A box as even whole pixels (x, y, w, h), as crop needs for 4:2:0 video."""
    x, y = int(box.x) // 2 * 2, int(box.y) // 2 * 2
    return x, y, even(box.right - x), even(box.bottom - y)


def _cover(video: Any, width: int, height: int, out_w: int, out_h: int, box: Any = None) -> Any:
    w, h, x, y = cover_crop(width, height, out_w / out_h, box)
    return video.filter("crop", w, h, x, y).filter("scale", out_w, out_h)


def _blur_pad(video: Any, width: int, height: int, out_w: int, out_h: int) -> Any:
    split = video.filter_multi_output("split", 2)
    background, foreground = split[0], split[1]
    small_w, small_h = even(out_w / BLUR_SCALE), even(out_h / BLUR_SCALE)
    blurred = (
        _cover(background, width, height, small_w, small_h)
        .filter("boxblur", BLUR_RADIUS, 2)
        .filter("scale", out_w, out_h)
    )
    fit_w, fit_h = fit_inside(width, height, out_w, out_h)
    picture = foreground.filter("scale", fit_w, fit_h)
    return blurred.overlay(picture, x=(out_w - fit_w) // 2, y=(out_h - fit_h) // 2)


def _split(
    video: Any,
    template: Template,
    width: int,
    height: int,
    out_w: int,
    out_h: int,
    face_cam: tuple[int, int, int, int] | None = None,
    picture: tuple[int, int, int, int] | None = None,
) -> Any:
    top_h = even(out_h * SPLIT_TOP_SHARE)
    bottom_h = out_h - top_h
    if face_cam is None:
        face_cam = _box(Box.from_fractions(template.face_cam, width, height))
    split = video.filter_multi_output("split", 2)
    face_part, game_part = split[0], split[1]
    face = _cover(face_part, width, height, out_w, top_h, face_cam)
    game = _cover(game_part, width, height, out_w, bottom_h, picture)
    return ffmpeg.filter([face, game], "vstack", inputs=2)
