"""A Redis and a PostgreSQL of a test's own, on spare ports, that the test may stop and start.

Outage tests stop these, never the shared servers on 5432 and 6379. Each server keeps its data
across a stop and a start (Redis saves on the way down), so a test can check that what was
written before an outage is still there after it. The fixtures stop every process they start
and delete its files, whether the test passes or fails.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from tests.conftest import require_service

#: How long a server may take to answer after it was started.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


def spare_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (``initdb`` and ``postgres``), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_major, reverse=True)
    if found:
        return Path(found[0]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path and shutil.which("initdb") else None


def _major(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


class PrivateProcess:
    """A server process of this test's own, its output in ``log``."""

    def __init__(self, what: str, log: Path) -> None:
        self.what = what
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _spawn(self, argv: list[str], user: str | None = None) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=user,
                group=user,
                extra_groups=[] if user else None,
            )

    def _wait_answering(self, answers: Callable[[], bool]) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers():
            if not self.running:
                pytest.fail(f"{self.what} exited at start:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{self.what} did not answer in {START_TIMEOUT} s:\n{self._log_tail()}")
            time.sleep(0.1)

    def end(self, sig: int = signal.SIGKILL) -> None:
        """Signal the server and wait for it; kill it if it does not go in time."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


class PrivateRedis(PrivateProcess):
    """``redis-server`` on a spare port; no background saves, but a save on the way down."""

    def __init__(self, folder: Path) -> None:
        super().__init__("private Redis", folder / "redis.log")
        self.folder = folder
        self.port = spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            "redis-server",
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.folder),
        ]  # fmt: skip
        self._spawn(argv)
        self._wait_answering(self._answers)

    def stop(self) -> None:
        """An outage: Redis saves what it holds (so the restart has it) and stops."""
        if self.running:
            with contextlib.suppress(redis.ConnectionError):  # it may go before it answers
                self.client().shutdown(save=True)
        self.end(signal.SIGTERM)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def _answers(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False


class PrivatePostgres(PrivateProcess):
    """A PostgreSQL cluster in a temporary folder, served on a spare port of 127.0.0.1.

    PostgreSQL refuses to run as root, so under root the cluster belongs to the ``postgres``
    OS user and every command runs as that user.
    """

    def __init__(self, folder: Path, binaries: Path) -> None:
        super().__init__("private PostgreSQL", folder / "postgres.log")
        self.folder = folder
        self.binaries = binaries
        self.data = folder / "data"
        self.port = spare_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/clipnet"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(folder, self.user, self.user)

    def initialise(self) -> None:
        """A new cluster (trust authentication on loopback) with an empty ``clipnet`` database."""
        subprocess.run(
            [str(self.binaries / "initdb"), "-D", str(self.data), "-U", "postgres",
             "-A", "trust", "--no-sync", "-E", "UTF8"],
            check=True,
            capture_output=True,
            user=self.user,
            group=self.user,
            extra_groups=[] if self.user else None,
        )  # fmt: skip
        self.start()
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE clipnet")

    def start(self) -> None:
        argv = [
            str(self.binaries / "postgres"),
            "-D", str(self.data),
            "-p", str(self.port),
            "-k", str(self.folder),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off",
        ]  # fmt: skip
        self._spawn(argv, self.user)
        self._wait_answering(self._answers)

    def stop(self) -> None:
        """An outage: a fast shutdown, which ends every open connection (SIGINT)."""
        self.end(signal.SIGINT)

    def _dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _answers(self) -> bool:
        try:
            with psycopg.connect(self._dsn("postgres"), connect_timeout=1):
                return True
        except psycopg.Error:
            return False


def _private_folder(prefix: str) -> Path:
    # Not under pytest's tmp_path: its parents are root's alone, and PostgreSQL runs as postgres.
    return Path(tempfile.mkdtemp(prefix=prefix))


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A running Redis of this test's own; stopped and deleted afterwards, however it ended."""
    require_service(shutil.which("redis-server") is not None, "redis-server")
    folder = _private_folder("clipnet-redis-")
    server = PrivateRedis(folder)
    try:
        server.start()
        yield server
    finally:
        server.end(signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL of this test's own, with an empty ``clipnet`` database."""
    binaries = postgres_binaries()
    require_service(binaries is not None, "PostgreSQL server binaries (initdb, postgres)")
    assert binaries is not None
    folder = _private_folder("clipnet-postgres-")
    server = PrivatePostgres(folder, binaries)
    try:
        server.initialise()
        yield server
    finally:
        server.end(signal.SIGQUIT)  # immediate shutdown: nothing to keep
        shutil.rmtree(folder, ignore_errors=True)
