"""Real media for the media pipeline's tests, made by FFmpeg's test sources and espeak-ng.

Everything is small (320x180, 20 fps, ultrafast x264) so the folder runs in well under a few
minutes on two cores; the sample's exciting part is known, so the right answer is too.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clipnet.adapters.ffmpeg import EncodeOptions, FfmpegMediaProcessor
from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.cli import app
from tests.conftest import require_service

#: Where the generated sample's loud, busy part lies.
EXCITING = TimeSpan(36.0, 48.0)
SAMPLE = SampleSpec(
    seconds=80.0, exciting=EXCITING, width=320, height=180, fps=20, preset="ultrafast"
)


def ffmpeg_binary() -> str:
    found = shutil.which("ffmpeg")
    require_service(found is not None, "ffmpeg")
    assert found is not None
    return found


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; the test fails on a non-zero exit."""
    command = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args]
    subprocess.run(command, check=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def sample_video(media_dir: Path) -> Path:
    """80 s at 320x180: calm (still picture, quiet hum), exciting 36-48 s, calm again."""
    ffmpeg_binary()
    return make_sample(media_dir / "sample.mp4", SAMPLE)


@pytest.fixture(scope="session")
def short_stream(media_dir: Path) -> Path:
    """30 s at 320x180, 10 fps, exciting from 12 to 20 s: long enough for one clip, quick to
    serve as a VOD link."""
    ffmpeg_binary()
    spec = SampleSpec(
        seconds=30, exciting=TimeSpan(12, 20), width=320, height=180, fps=10, preset="ultrafast"
    )
    return make_sample(media_dir / "stream.mp4", spec)


@pytest.fixture(scope="session")
def speech_video(media_dir: Path) -> Path:
    """A still picture over 6 s of steady tone, 1.5 s of silence, espeak-ng speech, 1.5 s of
    silence and 6 s of tone."""
    require_service(shutil.which("espeak-ng") is not None, "espeak-ng")
    speech = media_dir / "speech.wav"
    words = "Hello there. This is a test of speech detection, with several short sentences."
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(speech), words], check=True, timeout=60)
    out = media_dir / "speech.mp4"
    tone, pause = "sine=f=220:r=22050:d=6", "anullsrc=r=22050:cl=mono:d=1.5"
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=gray:s=320x180:r=10:d=30"),
        *("-f", "lavfi", "-i", tone, "-f", "lavfi", "-i", pause, "-i", str(speech)),
        *("-f", "lavfi", "-i", pause, "-f", "lavfi", "-i", tone),
        "-filter_complex",
        "[3:a]aresample=22050[s];[1:a][2:a][s][4:a][5:a]concat=n=5:v=0:a=1,volume=0.3[a]",
        *("-map", "0:v", "-map", "[a]", "-shortest"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"),
        str(out),
    )
    return out


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """An empty folder that the processor must leave empty (its temporary files go there)."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


@pytest.fixture
def processor(scratch: Path) -> Iterator[FfmpegMediaProcessor]:
    ffmpeg_binary()
    yield FfmpegMediaProcessor(
        timeout=300, encode=EncodeOptions(preset="ultrafast"), temp_dir=scratch
    )
    assert list(scratch.iterdir()) == []


def clip_command(*args: str) -> tuple[int, str]:
    """Run ``clipnet clip`` in-process; its exit code and everything it printed."""
    result = CliRunner().invoke(app, ["clip", *args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
