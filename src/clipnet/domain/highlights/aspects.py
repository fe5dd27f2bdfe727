"""Output geometry: the aspect ratios a finished clip can have, and the size of each.

A template has one (``Template.aspect``, default 9:16); a request may ask for another
(``clipnet clip --aspect``, ``aspect`` in ``POST /clips/``), kept on the clip so a later
render gives the same. Every layout frames to the size here (``Template.at_aspect``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from clipnet.domain.shared.errors import InvalidInput

#: Aspect ratio (width:height) -> the finished clip's size in pixels.
ASPECTS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"9:16": (1080, 1920), "1:1": (1080, 1080), "16:9": (1920, 1080)}
)
DEFAULT_ASPECT = "9:16"


def check_aspect(name: str) -> None:
    """``InvalidInput`` naming the known aspects unless ``name`` is one ("" = the template's)."""
    if name and name not in ASPECTS:
        known = ", ".join(ASPECTS)
        raise InvalidInput(f"unknown aspect {name!r} (known: {known})")


def output_size(name: str) -> tuple[int, int]:
    """The finished clip's (width, height) for aspect ``name``."""
    check_aspect(name)
    return ASPECTS[name or DEFAULT_ASPECT]
