"""Looking at frames: captions (BLIP), prompt similarity and tags (CLIP), motion; and where
the subject is (faces, motion, letterbox bars, a webcam overlay) for framing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import attrs

from clipnet.domain.framing.model import SubjectScan
from clipnet.domain.shared.converters import strings
from clipnet.domain.shared.spans import TimeSpan


@attrs.frozen
class VisionResult:
    """What the vision models made of one segment's frames."""

    captions: tuple[str, ...] = attrs.field(converter=strings, default=())
    tags: tuple[str, ...] = attrs.field(converter=strings, default=())
    similarity: float = 0.0
    """Best similarity in [0, 1] between the frames and the template's prompts."""
    motion: float = 0.0
    """Motion in [0, 1] from frame differences."""
    used_fallback: bool = False
    """True when CLIP tags stood in for captions because BLIP failed."""


class VisionScorer(Protocol):
    def score(self, frames: Sequence[Sequence[str]], prompts: Sequence[str]) -> list[VisionResult]:
        """One result per segment; each segment is a list of frame references (paths or URLs)."""


class SubjectScanner(Protocol):
    def scan(
        self, path: Path, span: TimeSpan, *, faces: bool = True, face_cam: bool = False
    ) -> SubjectScan:
        """What ``span`` of the video at ``path`` shows: its picture without letterbox bars,
        scene cuts, and (``faces``) faces and motion in frames sampled a few times a second,
        and (``face_cam``) a webcam overlay's rectangle. Times are span-relative. Raises
        ``MediaError``."""
