"""The JSON bodies of webhook deliveries, read only after their signature was checked."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from clipnet.adapters.json_depth import MAX_JSON_DEPTH, too_deep

P = ParamSpec("P")
R = TypeVar("R")


class BadPayload(ValueError):
    """A verified body that is not the JSON shape the platform documents."""


#: What reading a body of the wrong shape raises: a missing key, a string where an object
#: belongs (``'str' object has no attribute 'get'``), a list where a number belongs, ...
WRONG_SHAPE = (LookupError, TypeError, AttributeError, ValueError)


def payload_reader(platform: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a reader of ``platform``'s verified bodies raise ``BadPayload``, and only that,
    for any body that is not the documented shape: the route answers 400, never 500."""

    def decorate(read: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(read)
        def reading(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return read(*args, **kwargs)
            except BadPayload:
                raise
            except WRONG_SHAPE as error:
                detail = f"{type(error).__name__}: {error}"[:160]
                raise BadPayload(f"not the shape {platform} documents ({detail})") from None

        return reading

    return decorate


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or ``BadPayload``."""
    if too_deep(body):
        raise BadPayload(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadPayload(f"the body is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise BadPayload("the body is not a JSON object")
    return value
