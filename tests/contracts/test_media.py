"""The media processor contract, for the stand-in processor and FFmpeg on a generated file.

What each adapter writes is looked at by a witness that knows its kind of output: FFmpeg's are
real WAV, MP4 and JPEG files (read by ffprobe, ``wave`` and Pillow, not by the adapter); the
stand-in's are JSON records of what was asked, which must name the source and the request.
The sample is 6 s of 320x180 video at 20 fps, made once for the module.
"""

from __future__ import annotations

import json
import math
import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from PIL import Image

from clipnet.adapters.ffmpeg import EncodeOptions, FfmpegMediaProcessor
from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.adapters.memory.media import FakeMediaProcessor
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.templates import DEFAULT_TEMPLATES, Template
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.media import MediaInfo
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.media import MediaError, MediaProcessor
from tests.conftest import require_service

SECONDS, WIDTH, HEIGHT, FPS = 6.0, 320, 180, 20
SPEC = SampleSpec(
    seconds=SECONDS,
    exciting=TimeSpan(2.0, 4.5),  # calm stretches of unequal length (ffmpeg-python merges twins)
    width=WIDTH,
    height=HEIGHT,
    fps=FPS,
    preset="ultrafast",
)
#: A vertical template at a small size, so polishing stays quick.
SMALL_VERTICAL = attrs.evolve(DEFAULT_TEMPLATES[0], width=180, height=320)
PROCESSORS = ["fake", pytest.param("ffmpeg", marks=pytest.mark.ffmpeg)]


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")
    return make_sample(tmp_path_factory.mktemp("media-contract") / "sample.mp4", SPEC)


class FfmpegWitness:
    """Reads FFmpeg's outputs as media, with tools other than the adapter."""

    def audio_seconds(self, out: Path) -> float:
        with wave.open(str(out)) as audio:
            assert (audio.getframerate(), audio.getnchannels()) == (16000, 1)
            return audio.getnframes() / audio.getframerate()

    def video_seconds(self, out: Path) -> float:
        from tests.integration.media.probing import streams

        found = streams(out)
        assert "video" in found and "audio" in found
        return float(found["duration"])

    def polished(self, out: Path, template: Template) -> tuple[int, int, float]:
        from tests.integration.media.probing import streams

        found = streams(out)
        return found["video"]["width"], found["video"]["height"], float(found["duration"])

    def picture_at(self, out: Path) -> float | None:
        with Image.open(out) as image:
            assert image.format == "JPEG" and image.size == (WIDTH, HEIGHT)
        return None  # a JPEG does not say when its frame was


@attrs.frozen
class FakeWitness:
    """Reads the stand-in's records: each must name the source and what was asked."""

    source: Path

    def _record(self, out: Path, kind: str) -> dict[str, object]:
        record = json.loads(out.read_text())
        assert record[kind] == str(self.source)
        return record

    @staticmethod
    def _length(span: object) -> float:
        if span is None:
            return SECONDS
        start, end = span  # type: ignore[misc]
        return float(end) - float(start)

    def audio_seconds(self, out: Path) -> float:
        return self._length(self._record(out, "audio_of")["span"])

    def video_seconds(self, out: Path) -> float:
        return self._length(self._record(out, "cut_of")["span"])

    def polished(self, out: Path, template: Template) -> tuple[int, int, float]:
        record = self._record(out, "polish_of")
        assert record["template"] == template.name
        return template.width, template.height, self._length(record["span"])

    def picture_at(self, out: Path) -> float | None:
        return float(json.loads(out.read_text())["at"])


@attrs.frozen
class MediaUnderTest:
    media: MediaProcessor
    sample: Path
    witness: FfmpegWitness | FakeWitness


@pytest.fixture(params=PROCESSORS)
def media(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MediaUnderTest]:
    if request.param == "fake":
        sample = tmp_path / "registered.mp4"
        fake = FakeMediaProcessor()
        info = MediaInfo(SECONDS, True, True, WIDTH, HEIGHT, float(FPS), 0, "h264", "aac", "mp4")
        seconds = math.ceil(SECONDS)
        series = {name: [0.0] * seconds for name in ("motion", "speech")}
        timeline = FeatureTimeline(seconds, {**series, "loudness": [-30.0] * seconds}, [2.0, 4.0])
        fake.register(sample, info, timeline)
        yield MediaUnderTest(fake, sample, FakeWitness(sample))
        return
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    processor = FfmpegMediaProcessor(
        timeout=120, encode=EncodeOptions(preset="ultrafast"), temp_dir=scratch
    )
    yield MediaUnderTest(processor, request.getfixturevalue("sample_file"), FfmpegWitness())
    assert list(scratch.iterdir()) == [], "temporary files are cleaned up"


@pytest.fixture
def not_media(tmp_path: Path) -> Path:
    path = tmp_path / "notes.mp4"
    path.write_bytes(b"this is not a video, whatever its name says\n" * 50)
    return path


def test_probing_reports_duration_streams_size_and_frame_rate(media: MediaUnderTest) -> None:
    info = media.media.probe(media.sample)
    assert info.duration == pytest.approx(SECONDS, abs=0.25)
    assert info.has_video and info.has_audio
    assert (info.width, info.height, info.rotation) == (WIDTH, HEIGHT, 0)
    assert info.display_size == (WIDTH, HEIGHT)
    assert info.fps == pytest.approx(FPS, abs=0.5)


def test_a_file_that_is_not_media_raises_media_error_naming_it(
    media: MediaUnderTest, not_media: Path, tmp_path: Path
) -> None:
    span = TimeSpan(0.0, 1.0)
    calls = {
        "probe": lambda: media.media.probe(not_media),
        "analyze": lambda: media.media.analyze(not_media),
        "cut": lambda: media.media.cut(not_media, span, tmp_path / "cut.mp4"),
        "polish": lambda: media.media.polish(not_media, span, SMALL_VERTICAL, tmp_path / "p.mp4"),
    }
    for name, call in calls.items():
        with pytest.raises(MediaError, match=r"notes\.mp4"):
            call()
        assert not (tmp_path / "cut.mp4").exists() and not (tmp_path / "p.mp4").exists(), name


def test_a_missing_file_raises_media_error(media: MediaUnderTest, tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"gone\.mp4"):
        media.media.probe(tmp_path / "gone.mp4")


def test_the_whole_audio_is_extracted_where_asked(media: MediaUnderTest, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder" / "audio.wav"
    assert media.media.extract_audio(media.sample, out) == out
    assert media.witness.audio_seconds(out) == pytest.approx(SECONDS, abs=0.25)


def test_the_audio_of_a_span_lasts_as_long_as_the_span(
    media: MediaUnderTest, tmp_path: Path
) -> None:
    out = tmp_path / "span.wav"
    assert media.media.extract_audio(media.sample, out, TimeSpan(1.0, 3.5)) == out
    assert media.witness.audio_seconds(out) == pytest.approx(2.5, abs=0.05)


def test_an_exact_cut_is_frame_accurate(media: MediaUnderTest, tmp_path: Path) -> None:
    out = tmp_path / "cuts" / "exact.mp4"
    assert media.media.cut(media.sample, TimeSpan(1.5, 4.0), out) == out
    assert media.witness.video_seconds(out) == pytest.approx(2.5, abs=1.5 / FPS + 0.03)


def test_a_stream_copied_cut_covers_the_span(media: MediaUnderTest, tmp_path: Path) -> None:
    out = tmp_path / "copy.mp4"
    assert media.media.cut(media.sample, TimeSpan(1.0, 3.0), out, exact=False) == out
    # A stream copy starts at a key frame, so it may begin early, but it never falls short.
    assert media.witness.video_seconds(out) >= 2.0 - 0.1


def test_a_polished_clip_is_framed_by_its_template_and_lasts_the_span(
    media: MediaUnderTest, tmp_path: Path
) -> None:
    transcript = Transcript([Word("nice", 0.2, 0.6), Word("shot", 0.7, 1.1)], "en")
    out = tmp_path / "final" / "clip.mp4"

    made = media.media.polish(
        media.sample, TimeSpan(2.0, 4.0), SMALL_VERTICAL, out, transcript=transcript, title="GG"
    )

    assert made == out
    width, height, seconds = media.witness.polished(out, SMALL_VERTICAL)
    assert (width, height) == (SMALL_VERTICAL.width, SMALL_VERTICAL.height)
    assert seconds == pytest.approx(2.0, abs=0.1)


def test_a_thumbnail_is_a_jpeg_of_the_frame_asked_for(
    media: MediaUnderTest, tmp_path: Path
) -> None:
    out = tmp_path / "thumbs" / "t.jpg"
    assert media.media.thumbnail(media.sample, 2.5, out) == out
    at = media.witness.picture_at(out)
    assert at is None or at == pytest.approx(2.5)


@pytest.mark.parametrize("count", [1, 3])
def test_sampled_frames_are_count_jpegs_spread_over_the_span(
    media: MediaUnderTest, tmp_path: Path, count: int
) -> None:
    span = TimeSpan(1.0, 5.0)
    out_dir = tmp_path / "frames"

    frames = media.media.sample_frames(media.sample, span, count, out_dir)

    assert len(frames) == count == len(set(frames))
    assert all(frame.parent == out_dir and frame.is_file() for frame in frames)
    times = [media.witness.picture_at(frame) for frame in frames]
    if all(t is not None for t in times):  # the adapter says when each frame was
        assert times == sorted(times) and all(span.start <= t <= span.end for t in times)  # type: ignore[operator]


def test_analysis_samples_every_second_of_the_source(media: MediaUnderTest) -> None:
    timeline = media.media.analyze(media.sample)

    assert timeline.seconds == math.ceil(SECONDS)
    assert {"loudness", "speech", "motion"} <= set(timeline.series)
    assert all(0.0 <= v <= 1.0 for name in ("speech", "motion") for v in timeline.series[name])
    assert all(0.0 <= cut <= timeline.seconds for cut in timeline.scene_cuts)
    assert all(0.0 <= s.start < s.end <= timeline.seconds for s in timeline.silences)
