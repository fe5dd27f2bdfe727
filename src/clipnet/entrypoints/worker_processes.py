"""``clipnet worker --processes P``: P worker processes under one small supervisor.

Dramatiq's own model is processes x threads; here each process is a whole ``clipnet worker
--processes 1`` (its own container, Dramatiq workers per queue group, outbox relay and
heartbeat), started as a subprocess. Several relays are harmless: each claims outbox rows
with ``FOR UPDATE SKIP LOCKED``, so a job is handed over once whichever relay takes it.

The supervisor connects to nothing. It forwards SIGTERM and SIGINT to every child and exits
once all have stopped. It restarts none: a child that exits on its own is logged, the others
are stopped, and the supervisor exits non-zero, so the host's restart policy (compose,
Railway) restarts the whole worker, where it shows. Children get SIGTERM if the supervisor
itself dies (Linux), so none is left running unsupervised.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

from clipnet.adapters.processes import die_with_parent

log = logging.getLogger(__name__)

#: Seconds between looks at the children (a supervisor has nothing else to do).
POLL_SECONDS = 0.2


def child_command(threads: int) -> list[str]:
    """One worker process, with this interpreter (the console script may not be on PATH)."""
    return [
        sys.executable,
        "-m",
        "clipnet.entrypoints.cli",
        "worker",
        "--processes",
        "1",
        "--threads",
        str(threads),
    ]


class Supervisor:
    """Starts ``count`` copies of ``command`` and runs until every one has exited."""

    def __init__(self, command: Sequence[str], count: int) -> None:
        self._command = list(command)
        self._count = count
        self._signals: list[int] = []  # appended by the handler, taken by the loop (one thread)
        self._stopping = False
        self._code = 0

    def run(self) -> int:
        """The exit status: 0 when every child stopped cleanly after a signal, else the
        first failing child's (1 for a child that exited with 0 unasked)."""
        self._catch_signals()
        arm = die_with_parent(signal.SIGTERM)
        running = [subprocess.Popen(self._command, preexec_fn=arm) for _ in range(self._count)]
        log.info(
            "started %d worker processes (pids %s)",
            self._count,
            ", ".join(str(child.pid) for child in running),
        )
        while running:
            self._forward_signals(running)
            for child in [c for c in running if c.poll() is not None]:
                running.remove(child)
                self._exited(child, running)
            time.sleep(POLL_SECONDS)
        log.info("every worker process has stopped")
        return self._code

    def _exited(
        self, child: subprocess.Popen[bytes], running: list[subprocess.Popen[bytes]]
    ) -> None:
        status = _exit_status(child.returncode)
        if self._stopping:
            self._code = self._code or status
            return
        log.error(
            "worker process %d exited by itself (status %d): stopping the others and "
            "restarting none (the host's restart policy restarts clipnet worker)",
            child.pid,
            status,
        )
        self._code = status or 1
        self._stopping = True
        for other in running:
            other.send_signal(signal.SIGTERM)

    def _forward_signals(self, running: list[subprocess.Popen[bytes]]) -> None:
        while self._signals:
            signum = self._signals.pop(0)
            name = signal.Signals(signum).name
            log.info("got %s: passing it to %d worker process(es)", name, len(running))
            self._stopping = True
            for child in running:
                child.send_signal(signum)

    def _catch_signals(self) -> None:
        def handle(signum: int, _frame: FrameType | None) -> None:
            self._signals.append(signum)

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)


def _exit_status(returncode: int) -> int:
    """A shell's status: a child killed by signal N is 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def supervise(processes: int, threads: int) -> int:
    """Run ``processes`` worker processes of ``threads`` threads per queue group."""
    return Supervisor(child_command(threads), processes).run()
