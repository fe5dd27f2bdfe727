"""Finding the FFmpeg binaries and running them with a time limit."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from clipnet.ports.media import MediaError


def find_ffmpeg(configured: str = "") -> str:
    """The configured binary, else ``ffmpeg`` on PATH, else the one imageio-ffmpeg ships."""
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise MediaError(f"{configured}: ffmpeg not found (check CLIPNET_FFMPEG)")
        return found
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg  # imported late: only needed when no ffmpeg is installed
    except ImportError:  # pragma: no cover - it is a runtime dependency
        raise MediaError("ffmpeg: not installed and imageio-ffmpeg is missing") from None
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def find_ffprobe(ffmpeg: str) -> str | None:
    """``ffprobe`` next to ``ffmpeg`` or on PATH; None when only ffmpeg exists."""
    sibling = Path(ffmpeg).with_name("ffprobe")
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which("ffprobe")


def run(
    args: Sequence[str],
    *,
    timeout: float,
    subject: Path,
    cwd: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run one FFmpeg command; past ``timeout`` seconds its whole process group is killed.

    With ``check``, a non-zero exit raises :class:`MediaError` naming ``subject`` and
    FFmpeg's own reason.
    """
    process = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        cwd=cwd,
        start_new_session=True,  # its own group, so a kill reaches every child it started
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise MediaError(
            f"{subject}: ffmpeg took longer than {timeout:g} s and was stopped"
        ) from None
    except BaseException:
        _kill_group(process)
        raise
    if check and process.returncode != 0:
        raise MediaError(f"{subject}: {ffmpeg_reason(stderr)}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


_NOISE = ("Conversion failed!", "Exiting normally", "At least one output file")


def ffmpeg_reason(stderr: str) -> str:
    """FFmpeg's last meaningful error line, without the file name it repeats."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith(_NOISE)]
    if not meaningful:
        return "ffmpeg failed without saying why"
    reason = meaningful[-1]
    # "file:/x/y.mp4: Invalid data found..." -> "Invalid data found..."
    if ": " in reason and ("/" in reason.split(": ", 1)[0] or reason.startswith("file:")):
        reason = reason.rsplit(": ", 1)[1]
    return _plain(reason)


def _plain(reason: str) -> str:
    known = {
        "Invalid data found when processing input": "not a media file FFmpeg can read",
        "moov atom not found": "truncated or incomplete MP4 (moov atom not found)",
    }
    for needle, meaning in known.items():
        if needle in reason:
            return meaning
    return reason[:300]
