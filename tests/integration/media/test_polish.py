"""Finished clips, checked by probing the files: 9:16, H.264/AAC, faststart, -14 LUFS, captions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.domain.highlights.templates import DEFAULT_TEMPLATES, TemplateCatalogue
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.spans import TimeSpan
from tests.integration.media.conftest import EXCITING, SAMPLE
from tests.integration.media.probing import (
    frame,
    integrated_loudness,
    moov_before_mdat,
    r128,
    streams,
)

pytestmark = pytest.mark.ffmpeg

TEMPLATES = TemplateCatalogue()
LOUD_SPAN = TimeSpan(EXCITING.start + 1, EXCITING.start + 5)
CALM_SPAN = TimeSpan(10.0, 14.0)
#: x264's default longest keyframe interval (250 frames) in the sample's seconds.
KEYINT_SECONDS = 250 / SAMPLE.fps


@pytest.mark.parametrize("name", [t.name for t in DEFAULT_TEMPLATES])
def test_every_template_makes_a_1080x1920_h264_aac_faststart_clip_of_the_span(
    name: str, processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    # when
    out = processor.polish(sample_video, LOUD_SPAN, TEMPLATES.get(name), tmp_path / "clip.mp4")
    # then
    probed = streams(out)
    video, audio = probed["video"], probed["audio"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1080, 1920)
    assert video["pix_fmt"] == "yuv420p"
    assert (audio["codec_name"], audio["sample_rate"]) == ("aac", "48000")
    assert abs(probed["duration"] - LOUD_SPAN.duration) < 0.25
    assert moov_before_mdat(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "scratch"]


@pytest.mark.parametrize("span", [LOUD_SPAN, CALM_SPAN], ids=["loud burst", "quiet hum"])
def test_a_clip_is_normalised_to_minus_14_lufs_whatever_the_source_level(
    span: TimeSpan, processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    # given: the source itself is far from -14 LUFS in both spans
    source_cut = processor.cut(sample_video, span, tmp_path / "cut.mp4")
    assert abs(integrated_loudness(source_cut) - -14.0) > 3
    # when
    out = processor.polish(sample_video, span, TEMPLATES.default, tmp_path / "clip.mp4")
    # then
    measured = r128(out)
    assert measured["I"] == pytest.approx(-14.0, abs=1.0), measured
    assert measured["TP"] <= -1.0, measured


def test_captions_from_word_timings_are_burned_into_the_frames(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    # given: a still stretch of the source, and words spoken 1-3 s into the clip
    words = [Word("HELLO", 1.0, 1.5), Word("caption", 1.5, 2.2), Word("world", 2.2, 3.0)]
    template = TEMPLATES.get("center-crop")
    # when
    plain = processor.polish(sample_video, CALM_SPAN, template, tmp_path / "plain.mp4")
    captioned = processor.polish(
        sample_video,
        CALM_SPAN,
        template,
        tmp_path / "captioned.mp4",
        transcript=Transcript(words),
    )
    # then: 2 s in, the lower part of the frame differs, the upper part does not
    a, b = frame(plain, 2.0, tmp_path / "a.png"), frame(captioned, 2.0, tmp_path / "b.png")
    difference = np.abs(a - b).max(axis=2)
    lower, upper = difference[1100:1800], difference[:900]
    assert (lower > 60).mean() > 0.005, "no caption text in the lower part of the frame"
    assert (upper > 60).mean() < 0.0005
    # and before the first word, nothing is written
    early = np.abs(
        frame(plain, 0.5, tmp_path / "c.png") - frame(captioned, 0.5, tmp_path / "d.png")
    )
    assert (early.max(axis=2) > 60).mean() < 0.0005


def test_a_title_overlay_appears_at_the_top_of_the_frame(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    template = TEMPLATES.get("blur-pad")
    plain = processor.polish(sample_video, CALM_SPAN, template, tmp_path / "plain.mp4")
    titled = processor.polish(
        sample_video, CALM_SPAN, template, tmp_path / "titled.mp4", title="Big Moment"
    )
    difference = np.abs(
        frame(plain, 1.0, tmp_path / "a.png") - frame(titled, 1.0, tmp_path / "b.png")
    )
    top, bottom = difference.max(axis=2)[:500], difference.max(axis=2)[1000:]
    assert (top > 60).mean() > 0.002
    assert (bottom > 60).mean() < 0.0005


def test_the_thumbnail_is_a_jpeg_of_the_finished_clip(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    clip = processor.polish(sample_video, LOUD_SPAN, TEMPLATES.default, tmp_path / "clip.mp4")
    thumbnail = processor.thumbnail(clip, 2.0, tmp_path / "thumb.jpg")
    assert thumbnail.read_bytes()[:3] == b"\xff\xd8\xff"
    probed = streams(thumbnail)
    assert (probed["video"]["width"], probed["video"]["height"]) == (1080, 1920)


@pytest.mark.parametrize("exact", [True, False], ids=["re-encoded", "stream copy"])
def test_a_cut_holds_the_span_of_the_source(
    exact: bool, processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    span = TimeSpan(20.0, 30.0)
    out = processor.cut(sample_video, span, tmp_path / "cut.mp4", exact=exact)
    probed = streams(out)
    # stream copy starts at the keyframe before the span, so it may run long; a re-encode is
    # exact
    longer = 0.15 if exact else KEYINT_SECONDS
    assert span.duration - 0.15 < probed["duration"] < span.duration + longer
    assert probed["video"]["width"] == 320


def test_audio_for_speech_models_is_16_khz_mono(
    processor: FfmpegMediaProcessor, sample_video: Path, tmp_path: Path
) -> None:
    out = processor.extract_audio(sample_video, tmp_path / "audio.wav", TimeSpan(5.0, 9.0))
    audio = streams(out)["audio"]
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == (
        "pcm_s16le",
        "16000",
        1,
    )
    assert float(audio["duration"]) == pytest.approx(4.0, abs=0.05)


@pytest.fixture(scope="module")
def sixty_fps_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample

    spec = SampleSpec(
        seconds=6, exciting=TimeSpan(2, 4), width=320, height=180, fps=60, preset="ultrafast"
    )
    return make_sample(tmp_path_factory.mktemp("fps") / "sixty.mp4", spec)


def _frame_rate(path: Path) -> float:
    numerator, denominator = streams(path)["video"]["avg_frame_rate"].split("/")
    return float(numerator) / float(denominator)


def test_a_60_fps_source_is_rendered_at_30_fps_unless_the_template_asks_for_more(
    processor: FfmpegMediaProcessor, sixty_fps_video: Path, tmp_path: Path
) -> None:
    import attrs

    span = TimeSpan(1.0, 4.0)
    template = TEMPLATES.get("center-crop")
    thirty = processor.polish(sixty_fps_video, span, template, tmp_path / "30.mp4")
    sixty = processor.polish(
        sixty_fps_video, span, attrs.evolve(template, max_fps=60), tmp_path / "60.mp4"
    )
    assert _frame_rate(thirty) == pytest.approx(30, abs=0.5)
    assert _frame_rate(sixty) == pytest.approx(60, abs=0.5)
    for clip in (thirty, sixty):  # the same span either way, sound included
        assert abs(streams(clip)["duration"] - span.duration) < 0.25
