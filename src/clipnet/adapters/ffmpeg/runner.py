"""Finding the FFmpeg binaries and running them with a time limit, never outliving us.

Every FFmpeg or ffprobe run gets its own process group (so a kill reaches every child it
starts) and, on Linux, a parent-death signal: when the process that started it dies, even by
SIGKILL, the kernel sends FFmpeg SIGKILL, so a killed worker leaves no FFmpeg writing on.

Caveat: Linux sends the parent-death signal when the *thread* that forked exits, not the
process. That is safe here because :func:`run` waits for FFmpeg in the thread that started it
(the worker's job threads live as long as the worker); never hand a running FFmpeg to another
thread or start one from a short-lived thread that returns before FFmpeg ends.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from clipnet.adapters.processes import die_with_parent
from clipnet.ports.media import MediaError

log = logging.getLogger(__name__)


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
    on_progress: Callable[[float], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one FFmpeg command; past ``timeout`` seconds its whole process group is killed.

    With ``check``, a non-zero exit raises :class:`MediaError` naming ``subject`` and
    FFmpeg's own reason. With ``on_progress`` (an ffmpeg command only), FFmpeg reports on
    standard output (``-progress pipe:1``) and ``on_progress`` is told the seconds of output
    written so far, about twice a second, from a reader thread.
    """
    if on_progress is not None:
        args = [args[0], "-progress", "pipe:1", "-nostats", *args[1:]]
    process = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        cwd=cwd,
        start_new_session=True,  # its own group, so a kill reaches every child it started
        preexec_fn=die_with_parent(signal.SIGKILL),
    )
    try:
        if on_progress is None:
            stdout, stderr = process.communicate(timeout=timeout)
        else:
            stdout, stderr = _communicate_reporting(process, timeout, on_progress)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise MediaError(
            f"{file_name(subject)}: ffmpeg took longer than {timeout:g} s and was stopped"
        ) from None
    except BaseException:
        _kill_group(process)
        raise
    if check and process.returncode != 0:
        raise MediaError(f"{file_name(subject)}: {ffmpeg_reason(stderr)}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _communicate_reporting(
    process: subprocess.Popen[str], timeout: float, on_progress: Callable[[float], None]
) -> tuple[str, str]:
    """``communicate`` that reads FFmpeg's ``-progress`` lines as they come. The pipes are
    drained by threads; this thread, the one that started FFmpeg, waits for it (see the
    module's caveat)."""
    stdout: list[str] = []
    stderr: list[str] = []

    def read_progress() -> None:
        assert process.stdout is not None
        reporting = True
        for line in process.stdout:
            stdout.append(line)
            key, _, value = line.strip().partition("=")
            if reporting and key == "out_time_us" and value.isdigit():
                try:
                    on_progress(int(value) / 1e6)
                except Exception:  # a report must never stop the pipe being drained
                    log.exception("progress reports stopped: one failed")
                    reporting = False

    def read_errors() -> None:
        assert process.stderr is not None
        stderr.append(process.stderr.read())

    readers = [threading.Thread(target=f, daemon=True) for f in (read_progress, read_errors)]
    for reader in readers:
        reader.start()
    process.wait(timeout=timeout)
    for reader in readers:
        reader.join()
    return "".join(stdout), "".join(stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def file_name(path: Path | str) -> str:
    """How an error names a file: by its name, never its folder (error texts reach API
    responses, and a server's temp and storage paths are nobody's business)."""
    return Path(path).name or str(path)


#: An absolute path in FFmpeg's words (``file:/tmp/x/y.mp4``, ``'/srv/a b.mp4'`` aside).
_ABSOLUTE_PATH = re.compile(r"(?:file:)?/(?:[^/\s'\"]+/)+([^/\s'\"]*)")

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
    return _ABSOLUTE_PATH.sub(r"\1", _plain(reason))


def _plain(reason: str) -> str:
    known = {
        "Invalid data found when processing input": "not a media file FFmpeg can read",
        "moov atom not found": "truncated or incomplete MP4 (moov atom not found)",
    }
    for needle, meaning in known.items():
        if needle in reason:
            return meaning
    return reason[:300]
