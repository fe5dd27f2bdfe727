"""``clipnet serve`` against slow clients: 200 idle connections and 50 slowloris-style
requests (a header line now and then, never the blank line that ends the headers) do not stop
a health check from answering, and every one of them is closed after the read timeout
(``CLIPNET_HTTP_READ_TIMEOUT``, set short here)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.http.test_serve import CLIPNET, _answers, wait_until
from tests.loopback.asgi import free_port

pytestmark = pytest.mark.slow

READ_TIMEOUT = 2.0
IDLE, SLOWLORIS = 200, 50
CLOSE_WITHIN = 60.0
"""A generous bound for 'closed after the read timeout' (not a speed measurement)."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLIPNET_")} | {
        "CLIPNET_DATA_DIR": str(tmp_path / "data"),
        "CLIPNET_HTTP_READ_TIMEOUT": str(READ_TIMEOUT),
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CLIPNET), "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{base}/health/live"), "the server to start", log, 60)
        yield base, port, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setblocking(False)
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False  # still open, nothing to read
    except OSError:
        return True  # reset


def test_idle_and_slowloris_connections_neither_block_a_health_check_nor_stay_open(
    server: tuple[str, int, Path],
) -> None:
    base, port, log = server
    idle = [connect(port) for _ in range(IDLE)]
    slow = [connect(port) for _ in range(SLOWLORIS)]
    try:
        for sock in slow:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert httpx.get(f"{base}/health/live", timeout=10).status_code == 200

        open_ones = set(idle + slow)
        deadline = time.monotonic() + CLOSE_WITHIN
        line = 0
        while open_ones and time.monotonic() < deadline:
            line += 1
            for sock in list(open_ones):
                if closed_by_server(sock):
                    open_ones.discard(sock)
                elif sock in slow:
                    try:  # keep trickling headers: a timeout between reads would never fire
                        sock.send(f"X-Slow-{line}: 1\r\n".encode())
                    except OSError:
                        open_ones.discard(sock)
            time.sleep(0.25)
        assert not open_ones, f"{len(open_ones)} of {IDLE + SLOWLORIS} connections still open"
        # and the server is still answering, no traceback in its log
        assert httpx.get(f"{base}/health/live", timeout=10).status_code == 200
        assert "Traceback" not in log.read_text()
    finally:
        for sock in idle + slow:
            sock.close()


def test_a_request_whose_body_stops_arriving_is_closed_after_the_read_timeout(
    server: tuple[str, int, Path],
) -> None:
    _, port, _ = server
    sock = connect(port)
    try:
        sock.sendall(
            b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"email": '
        )
        deadline = time.monotonic() + CLOSE_WITHIN
        while not closed_by_server(sock) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert time.monotonic() < deadline, "the stalled request was never closed"
    finally:
        sock.close()
