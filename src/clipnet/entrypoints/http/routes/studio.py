"""The studio: the web dashboard's files, served at ``/`` (the page) and ``/studio/*`` (its
modules and stylesheet), on every profile.

The studio is plain HTML, CSS and JavaScript modules of this package (``studio/``) that call
only the public API, so the same files can also be hosted on an origin of their own (see
``CLIPNET_CORS_ORIGINS``). Nothing here reads a user's data: the page is the same for all.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from litestar import MediaType, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

#: Revalidate on every load: a new release's files replace the old ones at once.
HEADERS = {"Cache-Control": "no-cache", "Referrer-Policy": "same-origin"}


def studio_folder() -> Path:
    return Path(str(resources.files("clipnet.entrypoints.http").joinpath("studio")))


@get("/", include_in_schema=False, sync_to_thread=True)
def studio_page() -> Response[bytes]:
    page = (studio_folder() / "index.html").read_bytes()
    return Response(page, media_type=MediaType.HTML, headers=HEADERS)


def studio_files() -> Router:
    return create_static_files_router(
        path="/studio",
        directories=[studio_folder()],
        include_in_schema=False,
        send_as_attachment=False,
        cache_control=CacheControlHeader(no_cache=True),
        name="studio",
    )


ROUTES: list[ControllerRouterHandler] = [studio_page, studio_files()]
