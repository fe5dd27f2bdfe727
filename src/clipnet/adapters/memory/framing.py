"""A subject scanner that reports a scripted scan (for tests and the embedded fake world)."""

from __future__ import annotations

from pathlib import Path

import attrs

from clipnet.domain.framing.model import SubjectScan
from clipnet.domain.shared.geometry import Box
from clipnet.domain.shared.spans import TimeSpan


class ScriptedSubjectScanner:
    """Implements :class:`clipnet.ports.vision.SubjectScanner`: answers ``scan`` (by default
    a 1920x1080 picture with nothing in it) and records what it was asked."""

    def __init__(self, scan: SubjectScan | None = None) -> None:
        self.scan_result = scan or SubjectScan(1920, 1080, Box(0.0, 0.0, 1920.0, 1080.0))
        self.calls: list[tuple[Path, TimeSpan, bool, bool]] = []

    def scan(
        self, path: Path, span: TimeSpan, *, faces: bool = True, face_cam: bool = False
    ) -> SubjectScan:
        self.calls.append((Path(path), span, faces, face_cam))
        result = self.scan_result
        if not faces:
            result = attrs.evolve(result, samples=())
        return result if face_cam else attrs.evolve(result, face_cam=None)
