"""The API's documentation pages, served without a CDN.

Litestar's render plugins load their JavaScript, CSS and favicon from public CDNs, so
``/schema`` showed a blank page on a machine without internet access (a studio laptop, an
air-gapped staging box) and made each visitor's browser fetch code from a third party.
Swagger UI's files come instead from the ``swagger-ui-bundle-v2`` package (Swagger UI 5, which
reads OpenAPI 3.1) and are served by the app under ``/schema/assets``. Scalar is not offered:
no package on PyPI ships its bundle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from litestar import get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import PathParameter
from litestar.response import File
from swagger_ui_bundle import swagger_ui_path

from clipnet.domain.shared.errors import NotFound

ASSETS_PATH = "/schema/assets"

#: The files the page needs, and nothing else of the package's folder (its demo index.html
#: would load a remote example document).
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def swagger_plugin() -> SwaggerRenderPlugin:
    """Swagger UI at ``/schema`` and ``/schema/swagger``, its files from this app."""
    return SwaggerRenderPlugin(
        path="/swagger",
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


@get(
    f"{ASSETS_PATH}/{{name:str}}",
    include_in_schema=False,
    sync_to_thread=False,
)
def swagger_asset(name: Annotated[str, PathParameter(max_length=64)]) -> File:
    kind = ASSETS.get(name)
    if kind is None:
        raise NotFound("documentation asset", name)
    return File(
        Path(str(swagger_ui_path)) / name,
        media_type=kind,
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400"},
    )


ROUTES = [swagger_asset]
