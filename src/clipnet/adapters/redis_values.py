"""Values as redis-py hands them back (bytes, unless a client decodes responses)."""

from __future__ import annotations


def text(value: bytes | str) -> str:
    """A key, field or value as text."""
    return value.decode() if isinstance(value, bytes) else value
