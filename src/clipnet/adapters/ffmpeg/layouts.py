"""Fitting a landscape picture into the template's vertical frame (sizes computed up front,
so filter arguments are plain numbers and need no expression escaping)."""

from __future__ import annotations

from typing import Any

import ffmpeg

from clipnet.domain.highlights.templates import Layout, Template
from clipnet.domain.shared.geometry import Box

#: The face cam's share of the frame's height in the ``split`` layout.
SPLIT_TOP_SHARE = 1 / 3
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


def keep_clear(template: Template) -> tuple[Box, ...]:
    """Parts of the output frame that show a face, which captions must not cover."""
    if template.layout is Layout.SPLIT:
        return (Box(0, 0, template.width, even(template.height * SPLIT_TOP_SHARE)),)
    return ()


def frame(video: Any, template: Template, width: int, height: int) -> Any:
    """``video`` (of display size ``width`` x ``height``) framed by the template's layout."""
    out_w, out_h = template.width, template.height
    if template.layout is Layout.BLUR_PAD:
        return _blur_pad(video, width, height, out_w, out_h)
    if template.layout is Layout.SPLIT:
        return _split(video, template, width, height, out_w, out_h)
    return _cover(video, width, height, out_w, out_h)


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


def _split(video: Any, template: Template, width: int, height: int, out_w: int, out_h: int) -> Any:
    top_h = even(out_h * SPLIT_TOP_SHARE)
    bottom_h = out_h - top_h
    fx, fy, fw, fh = template.face_cam
    face_box = (
        int(fx * width),
        int(fy * height),
        max(2, int(fw * width)),
        max(2, int(fh * height)),
    )
    split = video.filter_multi_output("split", 2)
    face_part, game_part = split[0], split[1]
    face = _cover(face_part, width, height, out_w, top_h, face_box)
    game = _cover(game_part, width, height, out_w, bottom_h)
    return ffmpeg.filter([face, game], "vstack", inputs=2)
