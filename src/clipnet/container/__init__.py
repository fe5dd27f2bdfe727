"""The composition root: builds ClipNET from settings by choosing an adapter for each port.

One container per context, each extending the one before it (``core`` → ``jobs`` →
``inference`` → ``accounts`` → ``clips`` → ``publishing`` → ``clipbot``), so every provider has
one flat name on the finished :class:`Container` and each context's wiring sits in its own
module. Nothing is built at import time or by ``build_container``: each provider makes its part
on first use. Resources (database pools, Redis clients, the broker, the worker) are closed by
``container.shutdown_resources()``. Tests override providers to swap in fakes::

    container = build_container(settings)
    container.storage.override(providers.Object(InMemoryStorage()))
"""

from __future__ import annotations

from clipnet.container.clipbot import ClipBotContainer
from clipnet.settings import Settings

__all__ = ["Container", "build_container"]


class Container(ClipBotContainer):
    """Every context's providers, under one name each (``container.clips_service``)."""

    __self__ = ClipBotContainer.__self__


def build_container(settings: Settings) -> Container:
    """A container for ``settings``; its parts are made when first asked for."""
    return Container(settings=settings)
