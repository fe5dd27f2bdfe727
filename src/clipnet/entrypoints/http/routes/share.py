"""Public share pages: ``GET /share/{token}``, plain server-rendered HTML for people and for the
link unfurlers of Discord and X (Open Graph and Twitter card tags; no script at all).

The page and its stylesheet are files of this package (``pages/``). Whether a token opens a
clip is the domain's answer (:class:`~clipnet.domain.clips.sharing.ClipSharing`); anything
else is a readable 404 page, not a problem document: whoever follows a dead link in chat
is a person with a browser.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import MediaType, Response, get
from litestar.params import PathParameter

from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.clips.sharing import SharedClip
from clipnet.domain.shared.errors import NotFound
from clipnet.entrypoints.http.di import SharingDep
from clipnet.entrypoints.http.media import MediaLinks
from clipnet.entrypoints.http.routes.media import MediaLinksDep

# No pattern or length bound here: a malformed token must get the readable 404 page too.
TokenParam = Annotated[str, PathParameter(description="The share token")]

#: The page is the owner's to withdraw: browsers and caches keep no copy of it, search
#: engines leave it out, and the token does not leave in a Referer to the media host.
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}
NOT_SHARED_HEADERS = {**PAGE_HEADERS, "Cache-Control": "no-store"}


@cache
def _page(name: str) -> str:
    return resources.files("clipnet.entrypoints.http").joinpath("pages", name).read_text("utf-8")


# ``path``, not ``str``: a link with more segments (``/share/a/b``) gets the 404 page too.
@get("/share/{token:path}", include_in_schema=False, sync_to_thread=True)
def share_page(
    token: TokenParam, clip_sharing: SharingDep, media_links: MediaLinksDep
) -> Response[Any]:
    try:
        shared = clip_sharing.shared(token.lstrip("/"))
    except NotFound:
        return Response(
            _page("not_shared.html"),
            status_code=404,
            media_type=MediaType.HTML,
            headers=NOT_SHARED_HEADERS,
        )
    return Response(
        render_page(shared, media_links), media_type=MediaType.HTML, headers=PAGE_HEADERS
    )


@get("/share/assets/share.css", include_in_schema=False, sync_to_thread=False)
def share_stylesheet() -> Response[str]:
    return Response(
        _page("share.css"),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def render_page(shared: SharedClip, media_links: MediaLinks) -> str:
    """The page for one shared clip; every value is HTML-escaped."""
    video = media_links.public(shared.video_url)
    thumbnail = media_links.public(shared.thumbnail_url)
    description = shared.description or f"A {shared.duration:.0f}-second clip on ClipNET"
    return Template(_page("share.html")).substitute(
        title=escape(shared.title),
        description=escape(description),
        page_url=escape(shared.page_url),
        media_tags="\n".join(_media_tags(shared, video, thumbnail)),
        player=_player(video, thumbnail, shared),
        about=escape(_about(shared, video)),
    )


def _media_tags(shared: SharedClip, video: str | None, thumbnail: str | None) -> list[str]:
    tags: list[tuple[str, str]] = []
    if video is not None:
        tags += [("og:video", video), ("og:video:type", "video/mp4")]
        if urlsplit(video).scheme == "https":
            tags.append(("og:video:secure_url", video))
        tags += [("og:video:width", str(shared.width)), ("og:video:height", str(shared.height))]
    if thumbnail is not None:
        tags += [("og:image", thumbnail), ("twitter:image", thumbnail)]
    return [_meta(name, value) for name, value in tags]


def _meta(name: str, value: str) -> str:
    attribute = "name" if name.startswith("twitter:") else "property"
    return f'<meta {attribute}="{name}" content="{escape(value)}">'


def _player(video: str | None, thumbnail: str | None, shared: SharedClip) -> str:
    if video is None:
        return ""
    poster = f' poster="{escape(thumbnail)}"' if thumbnail else ""
    return (
        f'<video controls playsinline preload="metadata" width="{shared.width}"'
        f' height="{shared.height}"{poster}><source src="{escape(video)}" type="video/mp4">'
        "</video>"
    )


def _about(shared: SharedClip, video: str | None) -> str:
    if video is None:
        return "This clip is still being made: come back in a minute."
    if shared.status is ClipStatus.POLISHING:
        return "A new version of this clip is being made."
    return f"{shared.duration:.0f} s · shared from ClipNET"


ROUTES = [share_page, share_stylesheet]
