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
