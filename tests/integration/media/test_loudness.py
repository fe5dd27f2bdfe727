"""Loudness that holds: every clip at -14 ±1 LUFS and at most -1 dBTP, whatever the span's
loudness range (measured on the finished clip by FFmpeg's ``ebur128=peak=true``); the first
pass measures what loudnorm itself would; silent or missing audio still gives an AAC track."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.shared.spans import TimeSpan
from tests.conftest import require_service
from tests.integration.media.conftest import EXCITING, ffmpeg, ffmpeg_binary
from tests.integration.media.probing import r128, streams

pytestmark = pytest.mark.ffmpeg

SPAN = TimeSpan(EXCITING.start - 4, EXCITING.start + 4)  # calm, then the loud burst
TARGET, TOLERANCE, PEAK_CEILING = -14.0, 1.0, -1.0
PICTURE = "color=c=gray:s=320x180:r=10:d={seconds}"
LINES = (
    "Okay so we are just walking around here, nothing much happening. Let me check the map "
    "and see where to go next. Wait, what is that over there."
)


@pytest.fixture(scope="module")
def spoken(media_dir: Path) -> Path:
    """About 10 s of espeak-ng speech, 48 kHz mono."""
    require_service(shutil.which("espeak-ng") is not None, "espeak-ng")
    raw, out = media_dir / "lines-raw.wav", media_dir / "lines.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), LINES], check=True, timeout=60)
    ffmpeg("-i", str(raw), "-ar", "48000", str(out))
    return out


def _source(out: Path, seconds: int, audio_inputs: list[str], graph: str) -> Path:
    """A grey picture with the audio ``graph`` makes (its output is [a]), 16-bit PCM, so
    clipping in the graph stays clipped in the file."""
    ffmpeg(
        *("-f", "lavfi", "-i", PICTURE.format(seconds=seconds)),
        *audio_inputs,
        "-filter_complex",
        f"{graph},aformat=sample_fmts=s16[a]",
        *("-map", "0:v", "-map", "[a]", "-t", str(seconds)),
        *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le", str(out)),
    )
    return out


@pytest.fixture(scope="module")
def calm_to_very_loud(media_dir: Path, spoken: Path) -> Path:
    """10 s of calm talk (about -26 LUFS), then 10 s of the same talk shouted, clipped, over
    a pulsing crowd of pink noise (about -10 LUFS): a loudness range over 20 LU."""
    crowd = "anoisesrc=c=pink:a=0.5:d=10:r=48000"
    return _source(
        media_dir / "calm-to-very-loud.mov",
        20,
        ["-i", str(spoken), "-f", "lavfi", "-i", crowd],
        "[1:a]asplit[s1][s2];[s1]volume=0.2,apad,atrim=0:10[calm];"
        "[s2]volume=3,apad,atrim=0:10[shout];"
        "[2:a]volume='0.3+0.7*gt(sin(2*PI*2*t),0.3)':eval=frame[crowd];"
        "[shout][crowd]amix=inputs=2:normalize=0[loud];[calm][loud]concat=n=2:v=0:a=1",
    )


@pytest.fixture(scope="module")
def whisper_quiet(media_dir: Path, spoken: Path) -> Path:
    """Talk 30 dB down (about -50 LUFS): the gain it needs would lift its peaks over 0 dBTP."""
    return _source(
        media_dir / "whisper.mov", 12, ["-i", str(spoken)], "[1:a]volume=0.03,apad,atrim=0:12"
    )


@pytest.fixture(scope="module")
def clipped_square(media_dir: Path) -> Path:
    """A 220 Hz square wave driven 3 dB past full scale and clipped (about 0 LUFS)."""
    square = "aevalsrc='1.4*if(lt(mod(t*220,1),0.5),1,-1)':s=48000:d=12"
    return _source(media_dir / "square.mov", 12, ["-f", "lavfi", "-i", square], "[1:a]anull")


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
    # Integrated loudness and true peak set the linear gain and whether the limiter is
    # needed (the sample is stereo, so measuring it as the 48 kHz stereo output changes
    # nothing). loudnorm's own loudness range over a short span is not R128's: not compared.
    assert ours.integrated == pytest.approx(float(theirs["input_i"]), abs=0.3)
    assert ours.true_peak == pytest.approx(float(theirs["input_tp"]), abs=0.5)


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
    # given: a wide loudness range (the old linear loudnorm fell back to its dynamic mode)
    measured = processor.measure_loudness(sample_video, SPAN)
    assert measured is not None and measured.loudness_range > 3
    # when
    out = processor.polish(sample_video, SPAN, TemplateCatalogue().default, tmp_path / "o.mp4")
    # then
    _assert_on_target(r128(out))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "span", "before"),
    [
        ("calm_to_very_loud", TimeSpan(0, 20), lambda m: m["LRA"] > 15),
        ("whisper_quiet", TimeSpan(0, 12), lambda m: m["I"] < -45),
        ("clipped_square", TimeSpan(0, 12), lambda m: m["I"] > -3 and m["TP"] >= 0),
    ],
    ids=["calm to very loud", "whisper-quiet", "clipped square wave"],
)
def test_every_kind_of_span_lands_at_minus_14_lufs_under_minus_1_dbtp(
    fixture: str,
    span: TimeSpan,
    before: object,
    processor: FfmpegMediaProcessor,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    # given: a source far from the target in its own way
    source: Path = request.getfixturevalue(fixture)
    assert callable(before) and before(r128(source)), r128(source)
    # when
    out = processor.polish(source, span, TemplateCatalogue().default, tmp_path / "clip.mp4")
    # then: measured on the finished clip, as a platform would
    _assert_on_target(r128(out))
    assert abs(streams(out)["duration"] - span.duration) < 0.25


def _assert_on_target(measured: dict[str, float]) -> None:
    assert measured["I"] == pytest.approx(TARGET, abs=TOLERANCE), measured
    assert measured["TP"] <= PEAK_CEILING, measured
