"""The analysis pass on real media: what it measures, in one decode, and what it finds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor, analysis, runner
from clipnet.adapters.ffmpeg import processor as processor_module
from clipnet.domain.highlights.candidates import LengthBounds, find_highlights
from clipnet.domain.shared.spans import TimeSpan
from tests.integration.media.conftest import EXCITING, SAMPLE, ffmpeg

pytestmark = pytest.mark.ffmpeg


def _inside(values: Sequence[float], span: TimeSpan) -> list[float]:
    return list(values[int(span.start) + 1 : int(span.end) - 1])


def _outside(values: Sequence[float], span: TimeSpan) -> list[float]:
    return [v for i, v in enumerate(values) if not span.start - 2 <= i <= span.end + 2]


def test_probing_reports_duration_streams_size_and_frame_rate(
    processor: FfmpegMediaProcessor, sample_video: Path
) -> None:
    info = processor.probe(sample_video)
    assert info.duration == pytest.approx(SAMPLE.seconds, abs=0.1)
    assert (info.width, info.height, info.fps) == (320, 180, 20)
    assert info.has_video and info.has_audio
    assert (info.video_codec, info.audio_codec, info.rotation) == ("h264", "aac", 0)


def test_probing_reports_a_phone_videos_rotation(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    rotated = tmp_path / "rotated.mp4"
    ffmpeg(
        "-i",
        str(sample_video),
        "-t",
        "2",
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        str(rotated),
    )
    info = processor.probe(rotated)
    # FFmpeg versions disagree on the sign of a display matrix; either way it is a quarter turn
    assert info.rotation in (90, 270)
    assert info.display_size == (180, 320)


def test_the_exciting_part_is_louder_busier_and_full_of_cuts(
    processor: FfmpegMediaProcessor, sample_video: Path
) -> None:
    timeline = processor.analyze(sample_video)
    loudness, motion = timeline.series["loudness"], timeline.series["motion"]
    assert timeline.seconds == 80
    assert min(_inside(loudness, EXCITING)) > max(_outside(loudness, EXCITING)) + 10
    assert statistics.median(_inside(motion, EXCITING)) > 5 * max(
        max(_outside(motion, EXCITING)), 0.001
    )
    cuts = timeline.scene_cuts
    assert cuts, "no scene cuts found"
    assert all(EXCITING.start - 1 <= c <= EXCITING.end + 1 for c in cuts)
    assert len(cuts) >= 3  # into the burst, between its shots, out of it


def test_the_analysis_decodes_the_source_in_one_ffmpeg_run(
    processor: FfmpegMediaProcessor, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: every FFmpeg command the processor runs is recorded
    commands: list[list[str]] = []
    real_run = runner.run

    def recording(args: Sequence[str], **kwargs: Any) -> Any:
        commands.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(processor_module, "run", recording)
    # when
    processor.analyze(sample_video)
    # then: one probe (ffprobe) and one ffmpeg decode of the source, nothing else
    decoders = [c for c in commands if Path(c[0]).name == "ffmpeg"]
    probes = [c for c in commands if Path(c[0]).name == "ffprobe"]
    assert len(decoders) == 1 and len(probes) == 1
    assert decoders[0].count("-i") == 1


def test_skipping_the_deblocking_filter_leaves_what_the_analysis_finds(
    processor: FfmpegMediaProcessor, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the analysis as it runs (no in-loop deblocking) and with a full decode
    quick = processor.analyze(sample_video)
    monkeypatch.setattr(analysis, "ANALYSIS_DECODE", {})
    full = processor.analyze(sample_video)
    # then the cuts, silences and sound are the same, and motion moves by under 1% of its range
    assert (quick.scene_cuts, quick.silences) == (full.scene_cuts, full.silences)
    for name in ("loudness", "speech"):
        assert quick.series[name] == full.series[name]
    motion, exact = quick.series["motion"], full.series["motion"]
    assert max(abs(a - b) for a, b in zip(motion, exact, strict=True)) <= 0.01 * max(exact)
    # and the same moments are picked
    picked = [
        [moment.segment.span for moment in find_highlights(timeline, 3, LengthBounds(10, 20))]
        for timeline in (quick, full)
    ]
    assert picked[0] == picked[1]


def test_speech_scores_higher_than_a_steady_tone(
    processor: FfmpegMediaProcessor, speech_video: Path
) -> None:
    timeline = processor.analyze(speech_video)
    speech = timeline.series["speech"]
    talking, tone = speech[8:11], [*speech[0:5], *speech[-5:]]
    assert min(talking) > 0.2
    assert max(tone) < 0.05


def test_silences_and_cuts_are_kept_with_the_timeline(
    processor: FfmpegMediaProcessor, speech_video: Path, sample_video: Path
) -> None:
    calm = processor.analyze(sample_video)
    assert calm.silences == ()  # a steady hum is quiet but not silent
    talk = processor.analyze(speech_video)
    # the pauses before and after the speech
    assert any(5.5 < s.start < 6.5 and s.end < 8 for s in talk.silences)
    assert any(s.start > 8 and s.end > talk.seconds - 8 for s in talk.silences)


def test_the_top_highlight_of_a_real_recording_covers_its_exciting_part(
    processor: FfmpegMediaProcessor, sample_video: Path
) -> None:
    timeline = processor.analyze(sample_video)
    ranked = find_highlights(timeline, 3, LengthBounds(10, 20), duration=SAMPLE.seconds)
    best = ranked[0].segment.span
    covered = min(best.end, EXCITING.end) - max(best.start, EXCITING.start)
    assert covered >= 0.75 * min(EXCITING.duration, best.duration)
    # and it is the only one: the calm rest of the recording is filler under the score floor
    assert len(ranked) == 1, ranked


def test_the_analysis_pass_reports_its_progress_as_ffmpeg_decodes(
    processor: FfmpegMediaProcessor, sample_video: Path
) -> None:
    shares: list[float] = []
    timeline = processor.analyze(sample_video, shares.append)
    assert shares, "FFmpeg's -progress reports reached the callback"
    assert shares == sorted(shares)
    assert all(0 <= share <= 1 for share in shares)
    assert shares[-1] > 0.9  # its last report is (nearly) the whole file
    assert timeline == processor.analyze(sample_video)  # reporting changes nothing measured


def test_a_failing_progress_report_does_not_stop_the_analysis(
    processor: FfmpegMediaProcessor, sample_video: Path
) -> None:
    def broken(_share: float) -> None:
        raise RuntimeError("the event log is down")

    assert processor.analyze(sample_video, broken) == processor.analyze(sample_video)
