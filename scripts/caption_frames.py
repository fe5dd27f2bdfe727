"""Makes the before/after caption frames of docs/media-pipeline.md (docs/images/captions-*.png).

The source is generated: scikit-image's astronaut photograph (a registry package's image) over
a 1280x720 test pattern with a quiet tone, 4 s long. Each template renders it twice through
``FfmpegMediaProcessor.polish``, without and with a scripted transcript, and the frame at the
third word's time is saved side by side, shrunk to a third, in 256 colours.

    PYTHONPATH=src .venv/bin/python scripts/caption_frames.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import attrs
from PIL import Image
from skimage import data

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.ffmpeg.runner import find_ffmpeg
from clipnet.domain.highlights.captions import CAPTION_STYLES
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.spans import TimeSpan

OUT = Path(__file__).resolve().parent.parent / "docs" / "images"
SENTENCE = "Did you see that? He jumped the whole gap, first try!"
SHOWN_WORD = 2  # the frame is taken while this word (0-based) is being spoken


def words() -> list[Word]:
    return [
        Word(text, 0.3 + 0.35 * i, 0.3 + 0.35 * i + 0.3) for i, text in enumerate(SENTENCE.split())
    ]


def source(folder: Path, ffmpeg: str) -> Path:
    photo = folder / "astronaut.png"
    Image.fromarray(data.astronaut()).save(photo)  # type: ignore[no-untyped-call]
    out = folder / "source.mp4"
    subprocess.run(
        [
            *(ffmpeg, "-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", "smptehdbars=s=1280x720:r=25:d=4"),
            *("-loop", "1", "-t", "4", "-i", str(photo)),
            *("-f", "lavfi", "-i", "sine=f=220:d=4"),
            "-filter_complex",
            "[1:v]scale=640:640[p];[0:v][p]overlay=(W-w)/2:(H-h)/2,format=yuv420p[v]",
            *("-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-c:a", "aac", "-shortest"),
            str(out),
        ],
        check=True,
    )
    return out


def still(ffmpeg: str, video: Path, at: float, out: Path) -> Image.Image:
    subprocess.run(
        [
            *(ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-ss", f"{at:.2f}"),
            *("-i", str(video), "-frames:v", "1", str(out)),
        ],
        check=True,
    )
    return Image.open(out).convert("RGB")


def main() -> None:
    ffmpeg = find_ffmpeg("")
    processor = FfmpegMediaProcessor(ffmpeg)
    OUT.mkdir(parents=True, exist_ok=True)
    transcript = Transcript(words(), "en")
    at = transcript.words[SHOWN_WORD].start + 0.1
    catalogue = TemplateCatalogue()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        video = source(folder, ffmpeg)
        span = TimeSpan(0.0, 4.0)
        for name, style in CAPTION_STYLES.items():
            template = attrs.evolve(catalogue.get("center-crop"), captions=style)
            plain = processor.polish(video, span, template, folder / f"{name}-plain.mp4")
            captioned = processor.polish(
                video, span, template, folder / f"{name}.mp4", transcript=transcript
            )
            before = still(ffmpeg, plain, at, folder / "before.png")
            after = still(ffmpeg, captioned, at, folder / "after.png")
            pair = Image.new("RGB", (before.width * 2 + 20, before.height), "white")
            pair.paste(before, (0, 0))
            pair.paste(after, (before.width + 20, 0))
            pair = pair.resize((pair.width // 3, pair.height // 3), Image.Resampling.LANCZOS)
            target = OUT / f"captions-{name}.png"
            # 256 colours: a third of the size, and the captions' flat colours stay exact
            pair.quantize(256, dither=Image.Dither.NONE).save(target, optimize=True)
            print(target.relative_to(OUT.parent.parent), file=sys.stderr)


if __name__ == "__main__":
    main()
