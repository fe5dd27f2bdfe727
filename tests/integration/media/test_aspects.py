"""Every aspect ratio with every layout, on real FFmpeg: 9:16 is 1080x1920, 1:1 1080x1080 and
16:9 1920x1080, whether framed by the subject (reframe, with its real scan), cropped, padded
over a blur or split."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.opencv import OpencvSubjectScanner
from clipnet.domain.framing.service import FramingService
from clipnet.domain.highlights.aspects import ASPECTS
from clipnet.domain.highlights.templates import DEFAULT_TEMPLATES, Template
from clipnet.domain.shared.spans import TimeSpan
from tests.integration.media.conftest import EXCITING
from tests.integration.media.probing import streams

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

SPAN = TimeSpan(EXCITING.start + 1, EXCITING.start + 3)


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("template", DEFAULT_TEMPLATES, ids=lambda t: t.name)
def test_every_layout_frames_to_every_aspects_size(
    template: Template,
    aspect: str,
    processor: FfmpegMediaProcessor,
    sample_video: Path,
    tmp_path: Path,
) -> None:
    # given: the template at the aspect asked for, framed as the pipeline frames it
    sized = template.at_aspect(aspect)
    framing = FramingService(OpencvSubjectScanner(processor)).plan(sample_video, SPAN, sized)
    # when
    out = processor.polish(sample_video, SPAN, sized, tmp_path / "clip.mp4", framing=framing)
    # then
    video = streams(out)["video"]
    assert (video["width"], video["height"]) == ASPECTS[aspect]
    assert video.get("sample_aspect_ratio", "1:1") in ("1:1", "N/A")  # square pixels
