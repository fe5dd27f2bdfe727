"""A sample recording made from FFmpeg's test sources: calm stretches and one exciting part.

Calm: a still, slightly grainy picture over a quiet, steady hum. Exciting: fast-changing
patterns with hard cuts every few seconds over loud, pulsing noise. Good for demos (the README
run command), tests and benchmarks: the right answer is known.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import ffmpeg

from clipnet.adapters.ffmpeg.runner import find_ffmpeg, run
from clipnet.domain.shared.spans import TimeSpan

#: Length of each shot in the exciting part (each boundary is a scene cut).
SHOT_SECONDS = 4.0


@attrs.frozen
class SampleSpec:
    seconds: float = 120.0
    exciting: TimeSpan = TimeSpan(50.0, 70.0)
    width: int = 960
    height: int = 540
    fps: int = 30
    preset: str = "veryfast"


def calm_stretch(spec: SampleSpec, seconds: float, seed: int) -> tuple[Any, Any]:
    """A calm stretch; ``seed`` keeps two stretches of one length distinct (ffmpeg-python
    merges identical nodes, and one node cannot feed concat twice)."""
    size = f"{spec.width}x{spec.height}"
    video = ffmpeg.input(
        f"color=c=0x2a3d55:s={size}:r={spec.fps}:d={seconds:.3f}", f="lavfi"
    ).filter("noise", alls=2, all_seed=seed)
    # samples_per_frame changes nothing heard; it only makes this stretch's node its own
    hum = ffmpeg.input(
        f"sine=f=120:r=48000:d={seconds:.3f}:samples_per_frame={1024 + seed}", f="lavfi"
    ).filter("volume", 0.05)
    return video, hum


def exciting_shot(spec: SampleSpec, index: int, seconds: float) -> tuple[Any, Any]:
    size = f"{spec.width}x{spec.height}"
    sources = (
        f"life=s={spec.width // 4}x{spec.height // 4}:r={spec.fps}:ratio=0.3:mold=8:seed={index}",
        f"mandelbrot=s={spec.width // 4}x{spec.height // 4}:r={spec.fps}",
        f"testsrc2=s={size}:r={spec.fps}",
    )
    # The hue turn differs per shot and comes first: ffmpeg-python merges identical nodes, so
    # two shots of the same source must differ from their first filter on.
    video = (
        ffmpeg.input(sources[index % len(sources)], f="lavfi", t=f"{seconds:.3f}")
        .filter("hue", h=f"t*{90 + 40 * index}")
        .filter("scale", spec.width, spec.height, flags="neighbor")
        .filter("format", "yuv420p")
    )
    noise = ffmpeg.input(
        f"anoisesrc=color=pink:amplitude=0.6:r=48000:d={seconds:.3f}:seed={index + 1}",
        f="lavfi",
    ).filter("volume", volume="0.25+0.75*abs(sin(PI*t*1.7))", eval="frame")
    return video, noise


def sample_graph(spec: SampleSpec, out: Path) -> Any:
    excite = spec.exciting
    pieces: list[tuple[Any, Any]] = [calm_stretch(spec, excite.start, 1)]
    shots = max(1, round(excite.duration / SHOT_SECONDS))
    for index in range(shots):
        pieces.append(exciting_shot(spec, index, excite.duration / shots))
    pieces.append(calm_stretch(spec, spec.seconds - excite.end, 2))
    return encoded(pieces, spec, out)


def encoded(pieces: list[tuple[Any, Any]], spec: SampleSpec, out: Path) -> Any:
    """The (video, audio) pieces joined in order and encoded as an H.264/AAC MP4 at ``out``."""
    streams = [stream for piece in pieces for stream in piece]
    joined = ffmpeg.concat(*streams, v=1, a=1).node
    return ffmpeg.output(
        joined[0],
        joined[1],
        f"file:{Path(out).resolve()}",
        pix_fmt="yuv420p",
        preset=spec.preset,
        crf=26,
        ac=2,
        movflags="+faststart",
        **{"c:v": "libx264", "c:a": "aac", "b:a": "128k"},
    )


def make_sample(out: Path, spec: SampleSpec | None = None, ffmpeg_binary: str = "") -> Path:
    """Write the sample video to ``out`` and return its path."""
    spec = spec or SampleSpec()
    if not 0 < spec.exciting.end < spec.seconds:
        raise ValueError("the exciting part must lie inside the sample")
    return write_media(
        lambda partial: sample_graph(spec, partial), out, spec.seconds, ffmpeg_binary
    )


def write_media(
    graph: Callable[[Path], Any], out: Path, seconds: float, ffmpeg_binary: str = ""
) -> Path:
    """Run the graph ``graph(path)`` writes to; ``out`` appears only once it is whole."""
    target = Path(out).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".partial-{target.name}")  # never a half-made file at ``out``
    quiet = graph(partial).global_args("-hide_banner", "-loglevel", "error")
    args = quiet.overwrite_output().compile(cmd=find_ffmpeg(ffmpeg_binary))
    try:
        run(args, timeout=max(120.0, seconds * 10), subject=Path(out))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return Path(out)
