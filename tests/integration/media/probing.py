"""Looking at finished files from the outside: ffprobe, FFmpeg's own loudness meter, frames."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from tests.integration.media.conftest import ffmpeg, ffmpeg_binary


def streams(path: Path) -> dict[str, Any]:
    """ffprobe's view: {"video": stream, "audio": stream, "duration": seconds}."""
    ffprobe = shutil.which("ffprobe")
    assert ffprobe is not None
    result = subprocess.run(
        [
            ffprobe,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    data = json.loads(result.stdout)
    by_type = {s["codec_type"]: s for s in data["streams"]}
    return {**by_type, "duration": float(data["format"]["duration"])}


def integrated_loudness(path: Path) -> float:
    """Integrated loudness (LUFS) as FFmpeg's EBU R128 meter reports it."""
    return r128(path)["I"]


def r128(path: Path) -> dict[str, float]:
    """FFmpeg's EBU R128 meter (``ebur128=peak=true``) on the file's audio: integrated
    loudness ``I`` (LUFS), loudness range ``LRA`` (LU) and true peak ``TP`` (dBTP)."""
    meter = ["-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"]
    result = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostats", "-i", str(path), *meter],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary = result.stderr[result.stderr.rfind("Summary:") :]
    patterns = {"I": r"I:\s+(-?[\d.]+) LUFS", "LRA": r"LRA:\s+(-?[\d.]+) LU\b"}
    patterns["TP"] = r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS"
    found = {name: re.search(pattern, summary) for name, pattern in patterns.items()}
    assert all(found.values()), result.stderr[-500:]
    return {name: float(match.group(1)) for name, match in found.items() if match}


def frame(path: Path, at: float, out: Path) -> np.ndarray:
    """The picture at ``at`` seconds, as an RGB array."""
    ffmpeg("-ss", f"{at:.3f}", "-i", str(path), "-frames:v", "1", str(out))
    with Image.open(out) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def moov_before_mdat(path: Path) -> bool:
    """An MP4 made with faststart has its index (moov) before the media data (mdat)."""
    data = path.read_bytes()
    moov, mdat = data.find(b"moov"), data.find(b"mdat")
    return 0 <= moov < mdat
