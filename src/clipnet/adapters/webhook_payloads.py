"""The JSON bodies of webhook deliveries, read only after their signature was checked."""

from __future__ import annotations

import json
from typing import Any


class BadPayload(ValueError):
    """A verified body that is not the JSON shape the platform documents."""


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or ``BadPayload``."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadPayload(f"the body is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise BadPayload("the body is not a JSON object")
    return value
