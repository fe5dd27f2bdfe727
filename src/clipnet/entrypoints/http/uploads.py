"""Streaming a multipart upload to a temporary file, never holding it in memory.

The ``file`` part goes straight to disk as it arrives; small text parts (``title``,
``category``) are kept.
More than ``max_bytes`` of file (or a body far larger than that) stops the upload with 413,
before reading anything when the ``Content-Length`` already says so. A client that goes away
mid-upload is an ordinary event: one line at INFO, no traceback.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import attrs
from litestar import Request
from litestar.exceptions import ClientException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from multipart import (
    MultipartError,
    MultipartSegment,
    PushMultipartParser,
)

log = logging.getLogger(__name__)

MAX_TEXT_FIELD = 4096
FIELDS = frozenset({"file", "title", "category"})
"""The form's parts; any other is refused, as unknown fields of a JSON body are."""
OVERHEAD = 64 * 1024
"""Bytes of multipart framing and text fields allowed on top of the file."""


class UnsupportedUpload(ClientException):
    status_code = 415


class ClientDisconnected(ClientException):
    """The client closed the connection before the body was complete (nobody reads the 400)."""


@attrs.define
class Upload:
    path: Path
    filename: str
    fields: dict[str, str]


async def receive_upload(request: Request[Any, Any, Any], max_bytes: int, tmp_dir: Path) -> Upload:
    """Stream the request's ``file`` part into ``tmp_dir``; the caller deletes the file."""
    content_type, options = _content_type(request.headers.get("content-type", ""))
    if content_type != "multipart/form-data" or not options.get("boundary"):
        raise UnsupportedUpload("send the video as multipart/form-data with a 'file' part")
    announced = request.content_length  # a malformed header is a 400 here
    if announced is not None and announced > max_bytes + OVERHEAD:
        raise RequestEntityTooLarge(f"uploads are limited to {max_bytes} bytes")
    with tempfile.NamedTemporaryFile(dir=tmp_dir, prefix="upload-", delete=False) as target:
        try:
            return await _parse(_chunks(request), options["boundary"], target, max_bytes)
        except BaseException:
            target.close()
            Path(target.name).unlink(missing_ok=True)
            raise


async def _chunks(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    """The body as it arrives (the route sets no framework limit: ``_parse`` counts bytes)."""
    received = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            log.info(
                "upload on %s stopped: the client left after %d bytes", request.url.path, received
            )
            raise ClientDisconnected(f"the client disconnected after {received} bytes")
        chunk: bytes = message.get("body", b"")  # type: ignore[assignment]
        received += len(chunk)
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _parse(
    stream: AsyncIterator[bytes], boundary: str, target: IO[bytes], max_bytes: int
) -> Upload:
    fields: dict[str, str] = {}
    filename, file_bytes, total = "", 0, 0
    segment: MultipartSegment | None = None
    text = bytearray()
    try:
        with PushMultipartParser(boundary, max_segment_count=10) as parser:
            async for chunk in stream:
                total += len(chunk)
                if total > max_bytes + OVERHEAD:
                    raise RequestEntityTooLarge(f"uploads are limited to {max_bytes} bytes")
                for part in parser.parse(chunk):
                    if isinstance(part, MultipartSegment):
                        if part.name not in FIELDS:
                            raise ClientException(
                                f"unknown form field {part.name!r}: "
                                "send 'file', 'title' and 'category'"
                            )
                        segment, text = part, bytearray()
                        if part.name == "file":
                            if filename or not part.filename:
                                raise ClientException("send exactly one 'file' part, a file")
                            filename = part.filename
                    elif part and segment is not None:
                        if segment.name == "file":
                            file_bytes += len(part)
                            if file_bytes > max_bytes:
                                raise RequestEntityTooLarge(
                                    f"uploads are limited to {max_bytes} bytes"
                                )
                            target.write(part)
                        elif len(text) + len(part) <= MAX_TEXT_FIELD:
                            text.extend(part)
                        else:
                            raise ClientException(f"field {segment.name!r} is too long")
                    elif part is None and segment is not None:
                        if segment.name != "file":
                            fields[segment.name] = text.decode("utf-8", "replace")
                        segment = None
    except MultipartError as error:  # the parser's own errors, incl. a truncated body
        raise ClientException(f"malformed multipart body: {error}") from None
    if not filename:
        raise ClientException("the upload has no 'file' part")
    if file_bytes == 0:
        raise ClientException("the uploaded file is empty")
    return Upload(Path(target.name), filename, fields)


def _content_type(header: str) -> tuple[str, dict[str, str]]:
    kind, _, rest = header.partition(";")
    options = {}
    for item in rest.split(";"):
        key, eq, value = item.strip().partition("=")
        if eq:
            options[key.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), options


async def receive_body(request: Request[Any, Any, Any], max_bytes: int, tmp_dir: Path) -> Path:
    """Stream the whole request body into a file in ``tmp_dir`` (413 past ``max_bytes``)."""
    announced = request.content_length
    if announced is not None and announced > max_bytes:
        raise RequestEntityTooLarge(f"the body is limited to {max_bytes} bytes")
    with tempfile.NamedTemporaryFile(dir=tmp_dir, prefix="body-", delete=False) as target:
        try:
            received = 0
            async for chunk in _chunks(request):
                received += len(chunk)
                if received > max_bytes:
                    raise RequestEntityTooLarge(f"the body is limited to {max_bytes} bytes")
                target.write(chunk)
        except BaseException:
            target.close()
            Path(target.name).unlink(missing_ok=True)
            raise
    return Path(target.name)
