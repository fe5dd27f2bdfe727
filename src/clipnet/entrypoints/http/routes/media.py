"""Stored media (local storage) for browsers and players: ``GET /media/{key}``."""

from __future__ import annotations

import mimetypes
from typing import Annotated, TypeAlias

from litestar import get
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import File

from clipnet.entrypoints.http.media import MediaLinks
from clipnet.entrypoints.http.problems import problem_responses

MediaLinksDep: TypeAlias = NamedDependency[MediaLinks]
# No length bound here: Litestar counts the path's leading "/" in it (a 512-character key was
# a 400); a key no stored file could have is a 404 (``MediaLinks.file_for``).
KeyParam = Annotated[str, PathParameter(description="The storage key")]


@get(
    "/media/{key:path}",
    tags=["media"],
    summary="A stored video or image (the links in clip and source answers)",
    responses=problem_responses(400, 404),
    sync_to_thread=True,
)
def media_file(key: KeyParam, media_links: MediaLinksDep) -> File:
    path = media_links.file_for(key)
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return File(path, media_type=kind, content_disposition_type="inline")


ROUTES = [media_file]
