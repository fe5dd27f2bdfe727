"""Small real videos made by FFmpeg for ClipBOT's end-to-end tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_service


def generated_video(path: Path, seconds: float = 40.0) -> Path:
    """A 320x240 test-pattern video with a 440 Hz tone, ``seconds`` long."""
    ffmpeg = shutil.which("ffmpeg")
    require_service(ffmpeg is not None, "ffmpeg")
    assert ffmpeg is not None
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate=15:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path
