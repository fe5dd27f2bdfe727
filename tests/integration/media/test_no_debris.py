"""A killed worker or ``clipnet clip`` leaves nothing running and, after the next start,
nothing on disk: FFmpeg dies with the process that started it (a parent-death signal), and
a start removes the scratch folders of processes that are gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clipnet.adapters.ffmpeg.runner import run
from clipnet.container import build_container
from clipnet.domain.jobs.model import JobType
from clipnet.settings import load_settings
from tests.integration.media.conftest import ffmpeg_binary
from tests.waiting import wait_for

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
#: In the command line of the polish's encoding pass (the long, quiet one).
ENCODING = "libx264"
#: Seconds a polish may take to reach its encoding pass: it first measures the span's loudness
#: and scans it for the subject to frame, which takes a while on a busy two-core machine.
ENCODE_START = 180


def children_of(pid: int) -> set[int]:
    """PIDs of the live (not zombie) processes whose parent is ``pid``, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Spawned:
    """A process this test started, ended when the test ends whatever happens."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.pid = self.process.pid

    def ffmpeg_children(self, doing: str = "") -> set[int]:
        """Its FFmpeg children; with ``doing``, only those whose command line holds it."""
        commands = {pid: command_of(pid) for pid in children_of(self.pid)}
        return {pid for pid, text in commands.items() if "ffmpeg" in text and doing in text}

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


@pytest.fixture
def spawned() -> Iterator[list[Spawned]]:
    started: list[Spawned] = []
    yield started
    for one in started:
        one.end()


@pytest.fixture
def scratch_root(tmp_path: Path) -> Path:
    """The spawned processes' temporary folder (TMPDIR), so the test sees only their folders."""
    root = tmp_path / "tmp"
    root.mkdir()
    return root


def environment(tmp_path: Path, scratch_root: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLIPNET_")},
        "CLIPNET_PROFILE": "embedded",
        "CLIPNET_DATA_DIR": str(tmp_path / "data"),
        "CLIPNET_QUEUE": "inprocess",
        "CLIPNET_WORKER_SHUTDOWN_TIMEOUT": "1",
        "CLIPNET_LOG_LEVEL": "INFO",
        "TMPDIR": str(scratch_root),
    }


def queue_a_polish(env: dict[str, str]) -> None:
    """One ffmpeg:polish job in the outbox, as a request leaves it (sent by the worker)."""
    container = build_container(load_settings(env))
    try:
        with container.uow_factory()() as uow:
            container.outbox().add(uow, JobType.FFMPEG_POLISH, {}, "test:endless")
            uow.commit()
    finally:
        container.shutdown_resources()


@pytest.fixture(scope="module")
def long_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Half an hour of small video and tone: FFmpeg is busy with it for a long while."""
    path = tmp_path_factory.mktemp("long") / "long.mp4"
    run(
        [
            *(ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-f", "lavfi"),
            *("-i", "testsrc2=s=320x180:r=25:d=1800", "-f", "lavfi", "-i", "sine=d=1800"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-crf", "40", "-c:a", "aac"),
            *("-shortest", str(path)),
        ],
        timeout=600,
        subject=path,
    )
    return path


def test_a_killed_worker_leaves_no_ffmpeg_running_and_its_next_start_removes_its_scratch(
    tmp_path: Path, scratch_root: Path, spawned: list[Spawned], long_source: Path
) -> None:
    env = {**environment(tmp_path, scratch_root), "CLIPNET_TEST_SOURCE": str(long_source)}
    queue_a_polish(env)
    worker_args = [sys.executable, "-m", "tests.integration.ffmpeg_worker_process"]

    # given a worker in the middle of a long FFmpeg render, in a scratch folder of its own
    first = Spawned(worker_args, env, tmp_path / "worker.log")
    spawned.append(first)
    # (the encoding pass: quiet, so no broken pipe on stderr can stop it instead)
    wait_for(lambda: bool(first.ffmpeg_children(ENCODING)), ENCODE_START, "the worker to encode")
    renders = first.ffmpeg_children(ENCODING)
    stale = [p for p in scratch_root.iterdir() if p.name.startswith(f"clipnet-{first.pid}.")]
    assert stale, f"no scratch folder of the worker in {list(scratch_root.iterdir())}"

    # when it is killed with SIGKILL (no clean-up code runs)
    os.kill(first.pid, signal.SIGKILL)
    first.process.wait(timeout=10)

    # then its FFmpeg is gone within 2 s, though its scratch folder is still there
    wait_for(lambda: not any(running(pid) for pid in renders), 2, "FFmpeg to die with its worker")
    assert all(folder.exists() for folder in stale)

    # and the next start removes the dead worker's scratch (and picks the job up again)
    second = Spawned(worker_args, env, tmp_path / "worker.log")
    spawned.append(second)
    wait_for(lambda: not any(f.exists() for f in stale), 30, "the stale scratch to be removed")
    wait_for(lambda: bool(second.ffmpeg_children(ENCODING)), ENCODE_START, "the job to encode")
    renders = second.ffmpeg_children(ENCODING)

    # and SIGTERM stops it too: FFmpeg does not outlive the worker
    second.process.terminate()
    second.process.wait(timeout=60)
    wait_for(lambda: not any(running(pid) for pid in renders), 2, "FFmpeg to die on SIGTERM")


def test_clipnet_clip_stopped_by_sigterm_leaves_no_ffmpeg_and_its_next_run_no_scratch(
    tmp_path: Path, scratch_root: Path, spawned: list[Spawned], long_source: Path
) -> None:
    env = environment(tmp_path, scratch_root)
    clipnet = str(Path(sys.executable).with_name("clipnet"))
    out = ["--out", str(tmp_path / "out")]
    command = Spawned([clipnet, "clip", str(long_source), *out], env, tmp_path / "clip.log")
    spawned.append(command)
    wait_for(lambda: bool(command.ffmpeg_children()), 60, "clipnet clip to start FFmpeg")
    renders = command.ffmpeg_children()
    stale = [p for p in scratch_root.iterdir() if p.name.startswith(f"clipnet-{command.pid}.")]
    assert stale, f"no scratch folder of the command in {list(scratch_root.iterdir())}"

    command.process.terminate()
    command.process.wait(timeout=30)

    wait_for(lambda: not any(running(pid) for pid in renders), 2, "FFmpeg to die with the command")
    # the next run (even one that fails at once, on a missing file) removes the stale scratch
    missing = str(tmp_path / "missing.mp4")
    subprocess.run([clipnet, "clip", missing, *out], env=env, capture_output=True, timeout=120)
    assert not any(folder.exists() for folder in stale)
