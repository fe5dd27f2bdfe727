"""The HTTP API (Litestar): ``create_app(container)``."""

from clipnet.entrypoints.http.app import CORE_ROUTES, create_app

__all__ = ["CORE_ROUTES", "create_app"]
