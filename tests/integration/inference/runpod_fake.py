"""A loopback HTTP server that speaks RunPod's serverless protocol and runs a handler behind it.

It keeps a queue of jobs worked by one background thread (IN_QUEUE -> IN_PROGRESS ->
COMPLETED / FAILED / CANCELLED / TIMED_OUT), checks the bearer key, records every request, and
can be told to answer the next requests with 429 or 5xx, to make jobs slow, or to time jobs
out after a limit — the behaviours the client must cope with.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

Handler = Callable[[Mapping[str, Any]], dict[str, Any]]
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"}


@attrs.define
class FakeJob:
    id: str
    input: dict[str, Any]
    status: str = "IN_QUEUE"
    output: Any = None
    error: str = ""
    done: threading.Event = attrs.field(factory=threading.Event)
    served: list[str] = attrs.field(factory=list)
    """Every status this job was reported with, in order (submission, status polls, runsync)."""

    def view(self) -> dict[str, Any]:
        self.served.append(self.status)
        body: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.status == "COMPLETED":
            body["output"] = self.output
        if self.error:
            body["error"] = self.error
        return body


@attrs.frozen
class Recorded:
    method: str
    path: str
    authorization: str
    body: Any


class FakeRunPod:
    def __init__(
        self,
        handler: Handler,
        *,
        endpoint: str = "ep-test",
        api_key: str = "test-key",
        execution_timeout: float | None = None,
    ) -> None:
        self.handler = handler
        self.endpoint = endpoint
        self.api_key = api_key
        self.execution_timeout = execution_timeout
        self.job_delay = 0.0
        """Seconds every job sleeps before its handler runs (a slow or busy GPU)."""
        self.runsync_wait_cap = 30.0
        self.jobs: dict[str, FakeJob] = {}
        self.requests: list[Recorded] = []
        self._faults: deque[tuple[int, str | None]] = deque()
        self._ids = itertools.count(1)
        self._queue: queue.Queue[FakeJob | None] = queue.Queue()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_handler())
        self._threads = [
            threading.Thread(target=self._server.serve_forever, daemon=True),
            threading.Thread(target=self._work, daemon=True),
        ]

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *statuses: int, retry_after: str | None = None) -> None:
        """Answer the next ``len(statuses)`` requests with these HTTP statuses."""
        with self._lock:
            self._faults.extend((status, retry_after) for status in statuses)

    def paths(self) -> list[str]:
        with self._lock:
            return [f"{r.method} {r.path}" for r in self.requests]

    def start(self) -> FakeRunPod:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        for job in list(self.jobs.values()):  # a job still queued or running stops early
            if job.status not in TERMINAL:
                job.status = "CANCELLED"
        self._queue.put(None)
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    # -- the GPU worker ------------------------------------------------------------------------

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            if job.status == "CANCELLED":
                continue
            job.status = "IN_PROGRESS"
            started = time.monotonic()
            if not self._wait(job, self.job_delay):
                continue
            try:
                output = self.handler({"id": job.id, "input": job.input})
            except Exception as error:  # the SDK reports a crashing handler as FAILED
                output = {"error": f"{type(error).__name__}: {error}"}
            self._finish(job, output, time.monotonic() - started)

    def _wait(self, job: FakeJob, seconds: float) -> bool:
        """Sleep ``seconds`` unless the job is cancelled meanwhile; False if it was."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if job.status == "CANCELLED":
                return False
            time.sleep(0.01)
        return job.status != "CANCELLED"

    def _finish(self, job: FakeJob, output: Any, elapsed: float) -> None:
        with self._lock:
            if job.status == "CANCELLED":
                return
            if self.execution_timeout is not None and elapsed > self.execution_timeout:
                job.status, job.error = "TIMED_OUT", "execution timeout exceeded"
            elif isinstance(output, dict) and "error" in output:
                job.status, job.error = "FAILED", str(output["error"])
            else:
                job.status, job.output = "COMPLETED", output
            job.done.set()

    # -- HTTP ----------------------------------------------------------------------------------

    def _request_handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

        return RequestHandler

    def _serve(self, request: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = "<not json>"
        with self._lock:
            self.requests.append(
                Recorded(method, url.path, request.headers.get("Authorization", ""), body)
            )
            fault = self._faults.popleft() if self._faults else None
        if fault is not None:
            status, retry_after = fault
            headers = {"Retry-After": retry_after} if retry_after else {}
            return _send(request, status, {"error": "injected fault"}, headers)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _send(request, 401, {"error": "Unauthorized"})
        parts = url.path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "v2" or parts[1] != self.endpoint:
            return _send(request, 404, {"error": "endpoint not found"})
        status, answer = self._route(method, parts[2:], body, parse_qs(url.query))
        _send(request, status, answer)

    def _route(
        self, method: str, parts: list[str], body: Any, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any]]:
        match method, parts:
            case "POST", ["run"]:
                return self._submit(body)
            case "POST", ["runsync"]:
                status, answer = self._submit(body)
                if status == 200:
                    wait = float(query.get("wait", ["90000"])[0]) / 1000
                    job = self.jobs[answer["id"]]
                    job.done.wait(min(wait, self.runsync_wait_cap))
                    answer = job.view()
                return status, answer
            case "GET", ["status", job_id] if job_id in self.jobs:
                return 200, self.jobs[job_id].view()
            case "POST", ["cancel", job_id] if job_id in self.jobs:
                job = self.jobs[job_id]
                with self._lock:
                    if job.status not in TERMINAL:
                        job.status = "CANCELLED"
                        job.done.set()
                return 200, {"id": job.id, "status": job.status}
        return 404, {"error": f"no route for {method} /{'/'.join(parts)}"}

    def _submit(self, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            return 400, {"error": "the body must be an object with an input object"}
        job = FakeJob(f"job-{next(self._ids)}", body["input"])
        self.jobs[job.id] = job
        answer = job.view()  # IN_QUEUE: the worker has not seen it yet
        self._queue.put(job)
        return 200, answer


def _send(
    request: BaseHTTPRequestHandler,
    status: int,
    body: dict[str, Any],
    headers: Mapping[str, str] | None = None,
) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(data)


@contextmanager
def running(handler: Handler, **kwargs: Any) -> Iterator[FakeRunPod]:
    server = FakeRunPod(handler, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()
