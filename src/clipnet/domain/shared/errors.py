"""Errors the domain raises. Entrypoints map them to HTTP problems and CLI messages."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    #: A short stable identifier an entrypoint can expose (e.g. in a problem+json `type`).
    kind = "domain-error"


class InvalidInput(DomainError, ValueError):
    """A value offered to the domain breaks one of its rules."""

    kind = "invalid-input"


class NotFound(DomainError, LookupError):
    """The object asked for does not exist (or is not visible to the asker)."""

    kind = "not-found"

    def __init__(self, what: str, identifier: str) -> None:
        super().__init__(f"{what} {identifier!r} not found")
        self.what = what
        self.identifier = identifier


class IllegalTransition(DomainError):
    """A clip (or job) was asked to move between two states the lifecycle does not connect."""

    kind = "illegal-transition"

    def __init__(self, current: str, requested: str, entity: str = "clip") -> None:
        super().__init__(f"{entity} cannot go from {current!r} to {requested!r}")
        self.current = current
        self.requested = requested


class ConcurrencyConflict(DomainError):
    """Someone else changed the object since it was loaded; reload and try again."""

    kind = "conflict"


class PermanentJobError(DomainError):
    """A job failed in a way that retrying cannot fix (bad input, missing source)."""

    kind = "permanent-job-error"


class RetriesExhausted(DomainError):
    """An operation was retried as often as its policy allows."""

    kind = "retries-exhausted"


class ServiceUnavailable(Exception):
    """A service ClipNET depends on (the database, the session store) cannot be reached.

    Not a :class:`DomainError`: the request was fine and may be retried as it is, so code that
    turns domain errors into answers ("bad input", a chat reply) lets this one pass. The
    message is for the logs (it may name a host); ``dependency`` is what callers may be told.
    """

    #: What is down, in words a caller may see ("database", "session store").
    dependency = "backing service"
    #: Seconds a caller should wait before retrying (an HTTP ``Retry-After``).
    retry_after = 5

    def __init__(self, message: str, *, dependency: str | None = None) -> None:
        super().__init__(message)
        if dependency is not None:
            self.dependency = dependency
