"""The Procfile's processes on the staging profile, for the tests that run them as deploys do:
the settings (a PostgreSQL schema and a Redis namespace of the test's own, local files, CPU
inference without model downloads) and the Procfile's own command lines, each runnable as a
subprocess in a process group of its own that a test may kill and start again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from clipnet.adapters.crypto import new_key
from tests.conftest import require_service
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace, redis_available
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "Procfile"


@contextmanager
def staging_env(folder: Path) -> Iterator[dict[str, str]]:
    """The staging profile on a PostgreSQL schema and a Redis namespace of its own (local
    files under ``folder`` and CPU inference: no Cloudinary or RunPod here); the schema is
    migrated, as the release step does, and both are dropped afterwards."""
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    namespace = fresh_namespace()
    with postgres_schema_url() as url, sql_database(url):
        try:
            yield {
                # the venv's clipnet first: the Procfile names the command, not a path
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                "CLIPNET_PROFILE": "staging",
                "CLIPNET_INFERENCE": "local",
                "CLIPNET_BLIP_MODEL": "",  # no vision models: none can be downloaded here
                "CLIPNET_CLIP_MODEL": "",
                "CLIPNET_HOST": "127.0.0.1",
                "CLIPNET_DATA_DIR": str(folder / "data"),
                "CLIPNET_DATABASE_URL": url,
                "CLIPNET_QUEUE": "dramatiq",
                "CLIPNET_REDIS_URL": REDIS_URL,
                "CLIPNET_REDIS_NAMESPACE": namespace,
                "CLIPNET_STORAGE": "local",
                "CLIPNET_SECRET_KEYS": new_key(),
                "CLIPNET_WHISPER_MODEL": "off",
                "CLIPNET_X264_PRESET": "ultrafast",
                "CLIPNET_LOG_LEVEL": "INFO",
                "CLIPNET_LOG_FORMAT": "json",
            }
        finally:
            delete_namespace(namespace)


def procfile_commands(procfile: Path = PROCFILE) -> dict[str, str]:
    """The Procfile's process types and their command lines (``web: clipnet serve ...``)."""
    commands = {}
    for line in procfile.read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and name.strip() and not name.lstrip().startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class ProcfileProcess:
    """One Procfile command run by the shell as honcho and Heroku-style hosts run it (``sh -c``,
    which expands ``${PORT:-8000}``; ``exec`` so the command is the process we signal), in a
    process group of its own: ``kill`` is SIGKILL to the group (no shutdown code runs; the
    FFmpeg a worker runs has a group of its own and dies with the worker, by its parent-death
    signal), ``start`` runs it again."""

    def __init__(self, name: str, command: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.command = command
        self.log = log
        self._env = {**os.environ, **env}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log_start = 0

    def start(self) -> None:
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {self.command}"],
                cwd=ROOT,
                env=self._env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def children(self) -> list[int]:
        """The ids of the processes this one started that are running now (e.g. FFmpeg)."""
        if self.process is None or self.process.poll() is not None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            # the command name (field 2) may hold spaces and parentheses: split after its ")"
            fields = stat.rsplit(")", 1)[-1].split()
            if len(fields) > 1 and int(fields[1]) == self.process.pid:
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """SIGKILL to the process group: no shutdown code runs."""
        assert self.process is not None
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait()
        _wait_group_gone(self.process.pid, 10)

    def stop(self, timeout: float = 90) -> int | None:
        """SIGTERM to the group, then SIGKILL if it has not exited within ``timeout``; the
        exit code (None when it had to be killed). Safe to call on a stopped process."""
        if self.process is None:
            return None
        group = self.process.pid
        code: int | None
        if self.process.poll() is None:
            _signal_group(group, signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(group, signal.SIGKILL)
            self.process.wait()
            code = None
        if not _wait_group_gone(group, 10):
            _signal_group(group, signal.SIGKILL)  # a child outlived the process: end it too
            _wait_group_gone(group, 10)
        return code

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def output_since_start(self) -> str:
        """What the process wrote since it was last started."""
        if not self.log.exists():
            return ""
        with self.log.open("rb") as log:
            log.seek(self._log_start)
            return log.read().decode(errors="replace")


def _signal_group(group: int, signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(group, signum)


def _wait_group_gone(group: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False
