"""Before/after frames of each layout for docs/media-pipeline.md, made from generated scenes
with a real face photograph (scikit-image's astronaut, see tests/framing_scenes.py).

    .venv/bin/python -m bench.framing_frames [--out docs/images/framing]

Each PNG puts the plain result (centre crop, bars kept, the old top-left face-cam box) beside
ClipNET's framing of the same moment, at 270x480 per frame.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import attrs
from PIL import Image, ImageDraw
from tests.framing_scenes import GameplayWithFaceCam, Letterboxed, MovingFace

from clipnet.adapters.ffmpeg import EncodeOptions, FfmpegMediaProcessor
from clipnet.adapters.opencv import OpencvSubjectScanner
from clipnet.domain.framing.service import FramingService
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.shared.spans import TimeSpan

SIZE = (270, 480)
CASES = (
    # file, scene, before template, after template, moment (s), label
    ("reframe", MovingFace(), "center-crop", "reframe", 3.8, "face right of centre"),
    ("letterbox", Letterboxed(), "center-crop", "center-crop", 1.5, "2.35:1 letterboxed"),
    ("split", GameplayWithFaceCam(), "split", "split", 2.0, "webcam top right"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images/framing"))
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    media = FfmpegMediaProcessor(encode=EncodeOptions(preset="ultrafast"))
    planner = FramingService(OpencvSubjectScanner(media))
    catalogue = TemplateCatalogue()
    with tempfile.TemporaryDirectory(prefix="clipnet-frames-") as name:
        work = Path(name)
        for stem, scene, before, after, moment, label in CASES:
            source = scene.write(work / f"{stem}.mp4")
            span = TimeSpan(0.0, scene.seconds)
            frames = [_still(media, source, moment, work / f"{stem}-source.png")]
            for kind, template_name in (("before", before), ("after", after)):
                template = attrs.evolve(catalogue.get(template_name), width=SIZE[0], height=SIZE[1])
                framing = planner.plan(source, span, template) if kind == "after" else None
                clip = media.polish(
                    source, span, template, work / f"{stem}-{kind}.mp4", framing=framing
                )
                frames.append(_still(media, clip, moment, work / f"{stem}-{kind}.png"))
            sheet = _sheet(frames, ["source", f"before: {before}", f"after: {after}"], label)
            sheet.quantize(128).save(out / f"{stem}.png")
            print(out / f"{stem}.png")


def _still(media: FfmpegMediaProcessor, video: Path, at: float, out: Path) -> Image.Image:
    media.thumbnail(video, at, out.with_suffix(".jpg"))
    return Image.open(out.with_suffix(".jpg")).convert("RGB")


def _sheet(frames: list[Image.Image], captions: list[str], label: str) -> Image.Image:
    source, *clips = frames
    scale = SIZE[1] / source.height
    source = source.resize((round(source.width * scale), SIZE[1]))
    gap, top = 12, 28
    width = source.width + sum(c.width for c in clips) + gap * (len(clips) + 1)
    sheet = Image.new("RGB", (width, SIZE[1] + top), "white")
    draw = ImageDraw.Draw(sheet)
    x = 0
    for image, caption in zip([source, *clips], captions, strict=True):
        sheet.paste(image, (x, top))
        draw.text((x + 4, 8), caption if x else f"{caption} ({label})", fill="black")
        x += image.width + gap
    return sheet


if __name__ == "__main__":
    main()
