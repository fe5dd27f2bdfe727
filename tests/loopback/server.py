"""A threaded HTTP server on 127.0.0.1 with a free port, and helpers for its handlers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class JsonHandler(BaseHTTPRequestHandler):
    """Parses the request once; subclasses implement ``route(method)``."""

    server_version = "ClipnetLoopback/1"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        self.route_path = parts.path
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        self.route(method)

    def route(self, method: str) -> None:
        raise NotImplementedError

    def json_body(self) -> Any:
        return json.loads(self.body or b"{}")

    def send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode()
        self.send_bytes(status, payload, "application/json", headers)

    def send_bytes(
        self,
        status: int,
        payload: bytes,
        content_type: str = "application/octet-stream",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean


@contextmanager
def serve(
    handler: type[BaseHTTPRequestHandler], state: object, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Run ``handler`` on a free port of ``host`` (a loopback address); yields the base URL.
    ``state`` is on ``self.server.state`` in the handler."""
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    server.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def parse_multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    """Fields of a multipart/form-data body (the last value of a repeated name wins)."""
    boundary = content_type.split("boundary=", 1)[1].strip().strip('"').encode()
    fields: dict[str, bytes] = {}
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part.partition(b"\r\n\r\n")
        name = _disposition_name(head.decode("utf-8", "replace"))
        fields[name] = value[:-2] if value.endswith(b"\r\n") else value
    return fields


def _disposition_name(head: str) -> str:
    for line in head.split("\r\n"):
        if line.lower().startswith("content-disposition"):
            for item in line.split(";"):
                key, _, value = item.strip().partition("=")
                if key == "name":
                    return value.strip('"')
    raise ValueError("a multipart part without a name")
