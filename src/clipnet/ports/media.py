"""Reading and writing media: probe, audio, analysis, cuts, polish, thumbnails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from clipnet.domain.framing.model import Framing
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.templates import Template
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.shared.media import MediaInfo
from clipnet.domain.shared.spans import TimeSpan


class MediaError(Exception):
    """A media file could not be read or written. The message names the file and why."""


class MediaProcessor(Protocol):
    def probe(self, path: Path) -> MediaInfo:
        """Duration, streams, size, frame rate and rotation. Raises ``MediaError``."""

    def extract_audio(self, path: Path, out: Path, span: TimeSpan | None = None) -> Path:
        """16 kHz mono WAV of the whole file or of ``span``, written to ``out``."""

    def analyze(
        self, path: Path, progress: Callable[[float], None] | None = None
    ) -> FeatureTimeline:
        """Per-second loudness, speech, motion and scene changes, in one decode pass;
        ``progress`` is told the share of the file done (0 to 1) now and then."""

    def cut(self, path: Path, span: TimeSpan, out: Path, *, exact: bool = True) -> Path:
        """The span as its own file: re-encoded frame-accurately, or stream-copied if not exact."""

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
        """The finished clip: framed by ``template`` (following ``framing``, from
        :class:`~clipnet.domain.framing.service.FramingService`, when given; else the whole
        frame, centred), loudness-normalised, captioned."""

    def thumbnail(self, path: Path, at: float, out: Path) -> Path:
        """A JPEG of the frame at ``at`` seconds."""

    def sample_frames(self, path: Path, span: TimeSpan, count: int, out_dir: Path) -> list[Path]:
        """``count`` JPEG frames evenly spread over ``span`` (for vision models)."""
