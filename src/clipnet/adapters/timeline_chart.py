"""The timeline picture: score and main features over the whole source, chosen clips shaded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1600, 560
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 30, 50, 60
BACKGROUND = (255, 255, 255)
GRID = (225, 228, 232)
TEXT = (40, 44, 52)
SCORE = (74, 58, 255)
SHADE = (255, 214, 102)
SHADE_EDGE = (214, 160, 20)
FEATURE_COLOURS = {
    "loudness": (220, 70, 60),
    "motion": (40, 150, 220),
    "speech": (60, 170, 90),
    "chat": (230, 140, 20),
}


@attrs.frozen
class ChosenClip:
    rank: int
    start: float
    end: float


@attrs.frozen
class TimelineChart:
    """Everything drawn: per-second curves (features in [0, 1], score in 0-100)."""

    duration: float
    score: Sequence[float]
    features: Mapping[str, Sequence[float]]
    clips: Sequence[ChosenClip] = ()
    cuts: Sequence[float] = ()
    title: str = ""


def render_timeline(chart: TimelineChart, out: Path) -> Path:
    """Draw the chart as a PNG at ``out``."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    plot = _Plot(chart.duration)
    _shade_clips(draw, plot, chart.clips, font)
    _grid(draw, plot, font)
    for name, values in chart.features.items():
        _line(draw, plot, values, 1.0, FEATURE_COLOURS.get(name, (120, 120, 120)), 2)
    _line(draw, plot, chart.score, 100.0, SCORE, 4)
    for cut in chart.cuts:
        x = plot.x(cut)
        draw.line([(x, plot.bottom), (x, plot.bottom + 8)], fill=TEXT, width=1)
    _legend(draw, chart, font)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return out


@attrs.frozen
class _Plot:
    duration: float

    left: int = MARGIN_LEFT
    right: int = WIDTH - MARGIN_RIGHT
    top: int = MARGIN_TOP
    bottom: int = HEIGHT - MARGIN_BOTTOM

    def x(self, seconds: float) -> float:
        return self.left + (self.right - self.left) * seconds / max(self.duration, 1e-9)

    def y(self, fraction: float) -> float:
        return self.bottom - (self.bottom - self.top) * min(1.0, max(0.0, fraction))


def _shade_clips(
    draw: ImageDraw.ImageDraw,
    plot: _Plot,
    clips: Sequence[ChosenClip],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    for clip in clips:
        box = (plot.x(clip.start), plot.top, plot.x(clip.end), plot.bottom)
        draw.rectangle(box, fill=SHADE, outline=SHADE_EDGE, width=2)
        draw.text((box[0] + 4, plot.top + 4), f"#{clip.rank}", fill=TEXT, font=font)


def _grid(
    draw: ImageDraw.ImageDraw, plot: _Plot, font: ImageFont.FreeTypeFont | ImageFont.ImageFont
) -> None:
    for tenth in range(0, 11, 2):
        y = plot.y(tenth / 10)
        draw.line([(plot.left, y), (plot.right, y)], fill=GRID, width=1)
        draw.text((8, y - 8), f"{tenth * 10:>3}", fill=TEXT, font=font)
    step = _tick_step(plot.duration)
    tick = 0.0
    while tick <= plot.duration + 1e-9:
        x = plot.x(tick)
        draw.line([(x, plot.bottom), (x, plot.bottom + 4)], fill=TEXT, width=1)
        draw.text((x - 16, plot.bottom + 12), _clock(tick), fill=TEXT, font=font)
        tick += step
    draw.rectangle((plot.left, plot.top, plot.right, plot.bottom), outline=TEXT, width=1)


def _tick_step(duration: float) -> float:
    for step in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if duration / step <= 12:
            return float(step)
    return 7200.0


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _line(
    draw: ImageDraw.ImageDraw,
    plot: _Plot,
    values: Sequence[float],
    full_scale: float,
    colour: tuple[int, int, int],
    width: int,
) -> None:
    points = [(plot.x(i + 0.5), plot.y(v / full_scale)) for i, v in enumerate(values)]
    if len(points) >= 2:
        draw.line(points, fill=colour, width=width, joint="curve")


def _legend(
    draw: ImageDraw.ImageDraw,
    chart: TimelineChart,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    entries = [
        ("score (0-100)", SCORE),
        *((n, FEATURE_COLOURS.get(n, (120, 120, 120))) for n in chart.features),
    ]
    entries.append(("chosen clips", SHADE))
    x = MARGIN_LEFT
    if chart.title:
        draw.text((x, 14), chart.title, fill=TEXT, font=font)
        x += int(draw.textlength(chart.title, font=font)) + 30
    for label, colour in entries:
        draw.rectangle((x, 16, x + 18, 30), fill=colour)
        draw.text((x + 24, 14), label, fill=TEXT, font=font)
        x += 24 + int(draw.textlength(label, font=font)) + 24
