"""FramingService: scans a clip's span and plans how each layout frames it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from clipnet.domain.framing.model import CropPath, Framing, SubjectScan
from clipnet.domain.framing.path import DEFAULT_LIMITS, PathLimits, crop_path, crop_size
from clipnet.domain.framing.subjects import track_subject
from clipnet.domain.highlights.templates import Layout, Template
from clipnet.domain.shared.geometry import Box
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.vision import SubjectScanner

#: The face cam's share of the output's height in the ``split`` layout.
SPLIT_TOP_SHARE = 1 / 3

FaceCam = tuple[float, float, float, float]


class FramingService:
    """Plans a clip's :class:`Framing` from what the scanner sees in its span.

    ``face_cams`` maps a source's channel, title or file name to its face-cam box (fractions
    of the frame: x, y, width, height); such a source's box is used as it is, never detected.
    """

    def __init__(
        self,
        scanner: SubjectScanner,
        *,
        face_cams: Mapping[str, FaceCam] | None = None,
        limits: PathLimits = DEFAULT_LIMITS,
    ) -> None:
        self._scanner = scanner
        self._face_cams = dict(face_cams or {})
        self._limits = limits

    def plan(
        self, path: Path, span: TimeSpan, template: Template, source_names: Iterable[str] = ()
    ) -> Framing:
        if template.layout is Layout.SPLIT:
            return self._split(path, span, template, self._face_cam_for(source_names))
        faces = template.layout is Layout.REFRAME
        scan = self._scanner.scan(path, span, faces=faces, face_cam=False)
        if not faces:
            return Framing(picture=scan.picture)
        aspect = template.width / template.height
        size = crop_size(scan.picture, aspect)
        track = track_subject(scan.samples, size[0], scan.cuts)
        path_ = crop_path(
            scan.picture,
            size,
            span.duration,
            track.points,
            breaks=(*scan.cuts, *track.switches),
            limits=self._limits,
        )
        return Framing(picture=scan.picture, crop=path_, face_area=_face_area(scan, path_))

    def _split(
        self, path: Path, span: TimeSpan, template: Template, override: FaceCam | None
    ) -> Framing:
        scan = self._scanner.scan(path, span, faces=False, face_cam=override is None)
        if override is not None:
            face_cam = Box.from_fractions(override, scan.width, scan.height)
        else:
            face_cam = scan.face_cam or Box.from_fractions(
                template.face_cam, scan.width, scan.height
            )
        return Framing(
            picture=scan.picture, face_cam=face_cam, face_area=(0.0, 0.0, 1.0, SPLIT_TOP_SHARE)
        )

    def _face_cam_for(self, names: Iterable[str]) -> FaceCam | None:
        for name in names:
            if name and name in self._face_cams:
                return self._face_cams[name]
        return None


def _face_area(scan: SubjectScan, path: CropPath) -> tuple[float, float, float, float] | None:
    """The union of the faces seen inside the window, as fractions of the window."""
    seen: Sequence[Box] = [
        inside
        for sample in scan.samples
        for face in sample.faces
        if (inside := _in_window(face.box, path, sample.time)) is not None
    ]
    if not seen:
        return None
    union = seen[0]
    for box in seen[1:]:
        union = union.union(box)
    return union.fractions_of(path.width, path.height)


def _in_window(box: Box, path: CropPath, time: float) -> Box | None:
    x, y = path.at(time)
    window = Box(x, y, path.width, path.height)
    inside = box.intersection(window)
    return None if inside is None else Box(inside.x - x, inside.y - y, inside.w, inside.h)
