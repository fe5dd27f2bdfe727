"""A Redis that cannot be reached, told in the domain's terms: :class:`ServiceUnavailable`.

Only connection trouble is translated (refused, reset, timed out, still loading its data, a
read-only replica after a failover); any other Redis error is a bug and stays what it is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from redis import exceptions

from clipnet.domain.shared.errors import ServiceUnavailable

P = ParamSpec("P")
T = TypeVar("T")

#: What a Redis that is down, restarting or failing over raises.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    exceptions.ConnectionError,
    exceptions.TimeoutError,
    exceptions.ReadOnlyError,
)


@contextmanager
def redis_outage(what: str) -> Iterator[None]:
    """Raise :class:`ServiceUnavailable` (``dependency=what``) for a Redis that is down."""
    try:
        yield
    except OUTAGE_ERRORS as error:
        raise ServiceUnavailable(
            f"{what} (Redis) is unavailable: {error}", dependency=what
        ) from error


def unavailable_as(what: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A method decorator: the method's Redis outages raise ``ServiceUnavailable(what)``."""

    def decorate(method: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(method)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
            with redis_outage(what):
                return method(*args, **kwargs)

        return guarded

    return decorate
