"""Two-pass loudness normalisation: the first pass (FFmpeg's R128 meter) measures what
loudnorm itself would, and silent or missing audio still gives a clip with an AAC track."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.shared.spans import TimeSpan
from tests.integration.media.conftest import EXCITING, ffmpeg, ffmpeg_binary
from tests.integration.media.probing import integrated_loudness, streams

pytestmark = pytest.mark.ffmpeg

SPAN = TimeSpan(EXCITING.start - 4, EXCITING.start + 4)  # calm, then the loud burst


def loudnorm_first_pass(path: Path, span: TimeSpan) -> dict[str, str]:
    args = [ffmpeg_binary(), "-hide_banner", "-nostats", "-ss", str(span.start)]
    args += ["-t", str(span.duration), "-i", str(path), "-map", "0:a"]
    args += ["-af", "loudnorm=I=-14:TP=-1.5:LRA=11:print_format=json", "-f", "null", "-"]
    stderr = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stderr
    data: dict[str, str] = json.loads(stderr[stderr.rfind("{") : stderr.rfind("}") + 1])
    return data


def test_the_first_pass_measures_what_loudnorm_itself_measures(
    processor: FfmpegMediaProcessor, sample_video: Path
) -> None:
    ours = processor.measure_loudness(sample_video, SPAN)
    theirs = loudnorm_first_pass(sample_video, SPAN)
    assert ours is not None
    # Integrated loudness and true peak set the linear pass's gain and its limit. The gating
    # threshold and loudness range are computed differently by loudnorm's own meter (its LRA
    # over a short span is not R128's), so only their presence is checked.
    assert {"input_thresh", "input_lra", "target_offset"} <= set(ours)
    tolerances = {"input_i": 0.3, "input_tp": 0.5}
    for name, tolerance in tolerances.items():
        assert float(ours[name]) == pytest.approx(float(theirs[name]), abs=tolerance), name


def test_a_silent_soundtrack_is_left_silent(
    processor: FfmpegMediaProcessor, tmp_path: Path
) -> None:
    # given: a picture with an all-zero soundtrack
    source = tmp_path / "silent.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=s=320x180:r=20:d=6"),
        *("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "6"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(source)),
    )
    # when
    assert processor.measure_loudness(source, TimeSpan(1, 5)) is None
    out = processor.polish(source, TimeSpan(1, 5), TemplateCatalogue().default, tmp_path / "o.mp4")
    # then: no gain was pushed into silence, and the clip still has its AAC track
    assert streams(out)["audio"]["codec_name"] == "aac"


def test_a_source_without_audio_gets_a_silent_aac_track(
    processor: FfmpegMediaProcessor, tmp_path: Path
) -> None:
    source = tmp_path / "mute.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=20:d=6", "-c:v", "libx264",
           "-preset", "ultrafast", str(source))  # fmt: skip
    out = processor.polish(source, TimeSpan(1, 5), TemplateCatalogue().default, tmp_path / "o.mp4")
    probed = streams(out)
    assert probed["audio"]["codec_name"] == "aac"
    assert abs(probed["duration"] - 4.0) < 0.25


def test_a_span_that_goes_from_calm_to_loud_still_ends_at_minus_14_lufs(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    # given: a wide loudness range (the linear pass may fall back to loudnorm's dynamic mode)
    measured = processor.measure_loudness(sample_video, SPAN)
    assert measured is not None and float(measured["input_lra"]) > 3
    # when
    out = processor.polish(sample_video, SPAN, TemplateCatalogue().default, tmp_path / "o.mp4")
    # then
    assert integrated_loudness(out) == pytest.approx(-14.0, abs=1.5)
