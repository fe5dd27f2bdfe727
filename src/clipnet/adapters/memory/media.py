"""A stand-in media processor: it knows its files' properties up front and writes small files.

For unit tests of services that use media without running FFmpeg.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import attrs

from clipnet.domain.framing.model import Framing
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.templates import Template
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.shared.media import MediaInfo
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.media import MediaError


class FakeMediaProcessor:
    def __init__(self) -> None:
        self.files: dict[str, tuple[MediaInfo, FeatureTimeline | None]] = {}
        self.analyzed: list[str] = []

    def register(
        self, path: Path | str, info: MediaInfo, timeline: FeatureTimeline | None = None
    ) -> None:
        self.files[str(path)] = (info, timeline)

    def _known(self, path: Path) -> tuple[MediaInfo, FeatureTimeline | None]:
        try:
            return self.files[str(path)]
        except KeyError:
            raise MediaError(f"{path}: not a media file this fake knows") from None

    def probe(self, path: Path) -> MediaInfo:
        return self._known(path)[0]

    def extract_audio(self, path: Path, out: Path, span: TimeSpan | None = None) -> Path:
        return self._write(out, {"audio_of": str(path), "span": _span(span)})

    def analyze(
        self, path: Path, progress: Callable[[float], None] | None = None
    ) -> FeatureTimeline:
        _info, timeline = self._known(path)
        if progress is not None and timeline is not None:
            progress(1.0)
        self.analyzed.append(str(path))
        if timeline is None:
            raise MediaError(f"{path}: no timeline registered")
        return timeline

    def cut(self, path: Path, span: TimeSpan, out: Path, *, exact: bool = True) -> Path:
        self._known(path)
        return self._write(out, {"cut_of": str(path), "span": _span(span), "exact": exact})

    def polish(
        self,
        path: Path,
        span: TimeSpan,
        template: Template,
        out: Path,
        *,
        transcript: Transcript | None = None,
        title: str = "",
        framing: Framing | None = None,
    ) -> Path:
        self._known(path)
        return self._write(
            out,
            {
                "polish_of": str(path),
                "span": _span(span),
                "template": template.name,
                "size": [template.width, template.height],
                "caption_style": template.captions.look.value if template.captions else "none",
                "captions": transcript.text if transcript else "",
                "title": title,
                "framing": _framing(framing),
            },
        )

    def thumbnail(self, path: Path, at: float, out: Path) -> Path:
        return self._write(out, {"thumbnail_of": str(path), "at": at})

    def sample_frames(self, path: Path, span: TimeSpan, count: int, out_dir: Path) -> list[Path]:
        step = span.duration / max(1, count)
        return [
            self._write(Path(out_dir) / f"frame-{i:03d}.jpg", {"at": span.start + i * step})
            for i in range(count)
        ]

    @staticmethod
    def _write(out: Path, record: dict[str, object]) -> Path:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(record))
        return out


def _framing(framing: Framing | None) -> dict[str, object] | None:
    if framing is None:
        return None
    return {
        "picture": list(attrs.astuple(framing.picture)),
        "crop_segments": len(framing.crop.segments) if framing.crop else 0,
        "face_cam": list(attrs.astuple(framing.face_cam)) if framing.face_cam else None,
    }


def _span(span: TimeSpan | None) -> list[float] | None:
    return [span.start, span.end] if span else None
