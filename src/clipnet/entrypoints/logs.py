"""How ClipNET's processes write their logs: ``CLIPNET_LOG_FORMAT=text`` (a readable line) or
``json`` (one JSON object a line, for a log collector), each line carrying the request id it
belongs to (``clipnet.domain.shared.correlation``) when there is one."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from clipnet.domain.shared.correlation import current_request_id
from clipnet.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

#: What every LogRecord has; anything else on a record is an extra field worth writing out.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record (``record.request_id``; "" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class TextFormatter(logging.Formatter):
    """The plain line, with ``[request <id>]`` at the end when the record has one."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT, datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", "")
        return f"{line} [request {request_id}]" if request_id else line


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request_id
    when there is one, the record's extra fields, and the exception's traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD_ATTRIBUTES and name not in entry and value not in ("", None):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra field that is not JSON (a Path, a datetime) is written as text
        return json.dumps(entry, default=str, ensure_ascii=False)


def log_handler(log_format: str, stream: Any = None) -> logging.Handler:
    """A stream handler (stderr by default) in ``log_format`` (text or json)."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return handler


def configure_logging(settings: Settings) -> None:
    """The root logger writes ``CLIPNET_LOG_LEVEL`` and up in ``CLIPNET_LOG_FORMAT`` (once:
    like ``logging.basicConfig``, nothing changes when the root logger has a handler)."""
    logging.basicConfig(
        level=settings.log_level, handlers=[log_handler(settings.observability.log_format)]
    )
