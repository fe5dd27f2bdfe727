"""``OPTIONS``: an ``Allow`` header that lists every method of the path.

Litestar makes the automatic ``OPTIONS`` handler when the first handler of a path is
registered, and it keeps answering that handler's methods alone after more handlers join the
path (``GET /clips/`` and ``POST /clips/`` gave ``Allow: OPTIONS, POST``). This hook rewrites the
header from the path's finished route, so the answer is the truth whatever the order.
"""

from __future__ import annotations

from typing import Any

from litestar.routes import HTTPRoute
from litestar.types import Message, Scope


async def allow_every_method(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: fix ``Allow`` on the automatic OPTIONS answer."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    handler: Any = scope.get("route_handler")
    if handler is None or getattr(handler, "handler_name", "") != "options_handler":
        return  # a CORS preflight, or an OPTIONS route of our own
    methods = _methods(scope["app"].routes, scope.get("path_template", ""))
    if methods:
        allow = ", ".join(sorted(methods)).encode()
        headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
        message["headers"] = [*headers, (b"allow", allow)]


def _methods(routes: Any, path_template: str) -> set[str]:
    return {
        method
        for route in routes
        if isinstance(route, HTTPRoute) and route.path_format == path_template
        for method in route.methods
    }
