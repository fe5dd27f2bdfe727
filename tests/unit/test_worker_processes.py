"""``clipnet worker --processes``'s supervisor, with stand-in children (a few lines of Python
each): it passes SIGTERM on, exits when all have stopped, and restarts none that dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clipnet.entrypoints.cli import app
from tests.waiting import wait_for

#: A worker stand-in: notes its pid in DIR once it handles SIGTERM, then waits for SIGTERM and
#: notes it; with DIR/die-first, the first to start exits 3 once both are up.
CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    folder = sys.argv[1]
    def stop(signum, frame):
        open(os.path.join(folder, f"term-{os.getpid()}"), "w").close()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    open(os.path.join(folder, f"up-{os.getpid()}"), "w").close()
    if os.path.exists(os.path.join(folder, "die-first")):
        try:
            os.close(os.open(os.path.join(folder, "first"), os.O_CREAT | os.O_EXCL))
            while len([n for n in os.listdir(folder) if n.startswith("up-")]) < 2:
                time.sleep(0.05)
            sys.exit(3)
        except FileExistsError:
            pass
    while True:
        time.sleep(0.05)
    """
)


def supervisor(folder: Path, count: int = 2) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", CHILD, str(folder)]
    code = (
        "import logging, sys; logging.basicConfig(level=logging.INFO);"
        "from clipnet.entrypoints.worker_processes import Supervisor;"
        f"sys.exit(Supervisor({command!r}, {count}).run())"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, start_new_session=True
    )


def marks(folder: Path, prefix: str) -> set[int]:
    return {int(p.name.split("-")[1]) for p in folder.glob(f"{prefix}-*")}


def stopped(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, err.decode()


def test_sigterm_reaches_every_child_and_the_supervisor_exits_once_all_stopped(
    tmp_path: Path,
) -> None:
    process = supervisor(tmp_path)
    wait_for(lambda: len(marks(tmp_path, "up")) == 2, 30, "two children")

    process.send_signal(signal.SIGTERM)
    code, log = stopped(process)

    assert code == 0, log
    assert marks(tmp_path, "term") == marks(tmp_path, "up")
    assert "every worker process has stopped" in log


def test_a_child_that_exits_by_itself_stops_the_others_and_is_not_restarted(
    tmp_path: Path,
) -> None:
    (tmp_path / "die-first").touch()
    process = supervisor(tmp_path)

    code, log = stopped(process)

    assert code == 3, log  # the failing child's status
    assert len(marks(tmp_path, "up")) == 2  # no third start
    assert len(marks(tmp_path, "term")) == 1  # the other one was stopped with SIGTERM
    assert "exited by itself (status 3): stopping the others and restarting none" in log


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--processes", "2"], "CLIPNET_WORKER_PROCESSES above 1 needs CLIPNET_QUEUE=dramatiq"),
        (["--threads", "0"], "Invalid value for '--threads'"),
    ],
)
def test_worker_options_that_cannot_run_stop_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], message: str
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))  # the embedded, in-process queue
    result = CliRunner().invoke(app, ["worker", *args])
    assert result.exit_code == 2
    assert message in result.output
