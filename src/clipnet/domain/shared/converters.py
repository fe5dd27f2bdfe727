"""Typed converters for attrs fields (so mypy sees the field types the converters produce)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType


def strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def floats(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def float_map(values: Mapping[str, float]) -> Mapping[str, float]:
    """A read-only name -> float mapping in name order (equal inputs give equal outputs)."""
    return MappingProxyType({str(k): float(v) for k, v in sorted(values.items())})
