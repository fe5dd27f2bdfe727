"""CLIPNET_LOG_FORMAT: text lines, or one JSON object a line; both carry the request id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from clipnet.domain.shared.correlation import current_request_id, request_id_bound
from clipnet.entrypoints.logs import log_handler


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO, io.StringIO]]:
    """A logger that writes to a JSON stream and a text stream."""
    as_json, as_text = io.StringIO(), io.StringIO()
    logger = logging.getLogger("clipnet.test.logs")
    handlers = [log_handler("json", as_json), log_handler("text", as_text)]
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, as_json, as_text
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
        logger.propagate = True


def json_lines(stream: io.StringIO) -> list[dict[str, object]]:
    lines = stream.getvalue().splitlines()
    return [json.loads(line) for line in lines]  # each line alone is one JSON object


def test_each_json_line_has_time_level_logger_message_and_the_extra_fields(
    written: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, as_json, _ = written
    logger.info("clip %s is ready", "clip-1", extra={"clip_id": "clip-1", "seconds": 2.5})
    logger.warning('a "quoted"\nmulti-line message')
    try:
        raise ValueError("bad frame")
    except ValueError:
        logger.exception("analysis failed")

    first, second, third = json_lines(as_json)
    assert first["level"] == "INFO" and first["logger"] == "clipnet.test.logs"
    assert first["message"] == "clip clip-1 is ready"
    assert (first["clip_id"], first["seconds"]) == ("clip-1", 2.5)
    assert str(first["time"]).endswith("+00:00") and "T" in str(first["time"])
    assert "request_id" not in first  # outside any request
    assert second["message"] == 'a "quoted"\nmulti-line message'
    assert third["level"] == "ERROR" and "ValueError: bad frame" in str(third["exception"])


def test_a_line_logged_inside_a_request_carries_its_id_in_both_formats(
    written: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, as_json, as_text = written
    with request_id_bound("req-42"):
        logger.info("inside")
        with request_id_bound("req-43"):  # a nested binding, as a job run inside a request
            logger.info("nested")
        logger.info("inside again")
    logger.info("outside")

    ids = [line.get("request_id") for line in json_lines(as_json)]
    assert ids == ["req-42", "req-43", "req-42", None]
    text = as_text.getvalue().splitlines()
    assert text[0].endswith("clipnet.test.logs: inside [request req-42]")
    assert text[3].endswith("clipnet.test.logs: outside")
    assert current_request_id() == ""
