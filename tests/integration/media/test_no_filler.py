"""No splits, on real media: a generated recording whose one exciting part lasts 25 s, analysed
by FFmpeg, gives one clip covering that part however many are asked for (the command-line
run on the sample in test_clip_command.py shows the same for ``--top 3``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.domain.highlights.candidates import LengthBounds, find_highlights
from clipnet.domain.shared.spans import TimeSpan

pytestmark = pytest.mark.ffmpeg

LONG_MOMENT = TimeSpan(30.0, 55.0)
SPEC = SampleSpec(
    seconds=90.0, exciting=LONG_MOMENT, width=320, height=180, fps=20, preset="ultrafast"
)


def test_a_25_second_highlight_is_one_clip_covering_it(
    processor: FfmpegMediaProcessor, media_dir: Path
) -> None:
    # given: calm, 25 s of loud, busy, cut-heavy picture and sound, calm again
    recording = make_sample(media_dir / "long-moment.mp4", SPEC)
    timeline = processor.analyze(recording)
    # when: three clips of 15-60 s are asked for
    chosen = find_highlights(timeline, 3, LengthBounds(15, 60), duration=SPEC.seconds)
    # then: one clip, covering the whole moment (not two 15 s clips side by side)
    (clip,) = chosen
    span = clip.segment.span
    assert span.start <= LONG_MOMENT.start + 1 and span.end >= LONG_MOMENT.end - 1, span
    assert span.duration <= 60
