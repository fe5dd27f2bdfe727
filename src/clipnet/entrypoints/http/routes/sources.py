"""Sources: upload a video (streamed), register a URL, list, get, delete."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, Router, delete, get, post
from litestar.exceptions import ClientException
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from clipnet.domain.highlights.chat import ChatDelay
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.entrypoints.http import render
from clipnet.entrypoints.http.di import ChatReplaysDep, HighlightsDep, SettingsDep, SourcesDep
from clipnet.entrypoints.http.openapi import ChatReplayOperation, UploadOperation
from clipnet.entrypoints.http.problems import AUTHED, AUTHED_BODY, UPLOAD
from clipnet.entrypoints.http.routes.media import MediaLinksDep
from clipnet.entrypoints.http.schemas import (
    ChatAddedOut,
    SourceList,
    SourceOut,
    TimelineOut,
    UrlSourceIn,
)
from clipnet.entrypoints.http.security import SECURITY, ActorDep
from clipnet.entrypoints.http.uploads import receive_body, receive_upload
from clipnet.ports.chat_replay import ChatReplayError

IdParam = Annotated[str, PathParameter(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[
    int, QueryParameter(ge=1, le=1000, description="Page size (capped by the server)")
]


@post(
    "/upload",
    responses=UPLOAD,
    operation_class=UploadOperation,
    status_code=HTTP_201_CREATED,
    summary="Upload a video (multipart/form-data: 'file', optional 'title' and 'category')",
    description="Streamed to storage; the file is probed, so only real videos are accepted.",
    request_max_body_size=None,  # the upload enforces CLIPNET_MAX_UPLOAD_BYTES as it streams
)
async def upload(
    request: Request[Any, Any, Any],
    actor: ActorDep,
    sources_service: SourcesDep,
    media_links: MediaLinksDep,
    settings: SettingsDep,
) -> SourceOut:
    with scratch_folder("upload") as tmp:
        received = await receive_upload(request, settings.api.max_upload_bytes, tmp)
        source = await anyio.to_thread.run_sync(
            lambda: sources_service.upload(
                actor,
                received.path,
                received.filename,
                received.fields.get("title", ""),
                received.fields.get("category", ""),
            )
        )
    return render.source(source, media_links.public(sources_service.url_of(source)))


@post(
    "/url",
    responses=AUTHED_BODY,
    status_code=HTTP_201_CREATED,
    summary="Register a video URL",
    sync_to_thread=True,
)
def register_url(
    data: JSONBody[UrlSourceIn],
    actor: ActorDep,
    sources_service: SourcesDep,
    media_links: MediaLinksDep,
) -> SourceOut:
    source = sources_service.register_url(actor, data.url, data.title, data.category)
    return render.source(source, media_links.public(sources_service.url_of(source)))


@get(
    "/",
    responses=AUTHED,
    summary="Your sources, newest first",
    sync_to_thread=True,
)
def list_sources(
    actor: ActorDep,
    sources_service: SourcesDep,
    media_links: MediaLinksDep,
    settings: SettingsDep,
    limit: Limit = 50,
) -> SourceList:
    found = sources_service.list(actor, min(limit, settings.api.max_page_size))
    return SourceList(
        items=[render.source(s, media_links.public(sources_service.url_of(s))) for s in found]
    )


@get(
    "/{source_id:str}",
    responses=AUTHED,
    summary="One source",
    sync_to_thread=True,
)
def get_source(
    source_id: IdParam, actor: ActorDep, sources_service: SourcesDep, media_links: MediaLinksDep
) -> SourceOut:
    source = sources_service.get(actor, source_id)
    return render.source(source, media_links.public(sources_service.url_of(source)))


@get(
    "/{source_id:str}/timeline",
    responses=AUTHED,
    summary="The source's score and features over time, one sample per second",
    sync_to_thread=True,
)
def source_timeline(
    source_id: IdParam, actor: ActorDep, sources_service: SourcesDep
) -> TimelineOut:
    return render.timeline(sources_service.get(actor, source_id))


@post(
    "/{source_id:str}/chat",
    responses=AUTHED_BODY,
    operation_class=ChatReplayOperation,
    status_code=HTTP_200_OK,
    summary="Add the source's chat replay (the body: a TwitchDownloader or chat-downloader "
    "JSON file, or CSV offset_seconds,author,message)",
    description="The source's timeline gets its chat series (replacing one sent before), so "
    "its moments are picked with chat from then on (`POST /clips/` in auto mode), without "
    "decoding the video again. The source must be analysed already and yours. A malformed "
    "file is a 400 naming the line (CSV) or message (JSON). `delay`: seconds chat lags the "
    "video (0-60) or `auto`; default CLIPNET_CHAT_DELAY.",
    request_max_body_size=None,  # receive_body enforces CLIPNET_MAX_UPLOAD_BYTES as it streams
)
async def add_chat(
    source_id: IdParam,
    request: Request[Any, Any, Any],
    actor: ActorDep,
    highlights: HighlightsDep,
    chat_replays: ChatReplaysDep,
    settings: SettingsDep,
    delay: Annotated[
        str, QueryParameter(max_length=8, description="Seconds (0-60) or 'auto'")
    ] = "",
) -> ChatAddedOut:
    chosen = ChatDelay.parse(delay) if delay else settings.media.chat_delay
    # Before the body is read: someone else's source costs them no upload.
    await anyio.to_thread.run_sync(lambda: highlights.require_owner(actor, source_id))
    with scratch_folder("chat") as tmp:
        path = await receive_body(request, settings.api.max_upload_bytes, tmp)

        def read() -> ChatAddedOut:
            with path.open("rb") as stream:
                messages = chat_replays.messages(stream, "the chat file")
                added = highlights.add_chat(source_id, messages, chosen, actor=actor)
            return render.chat_added(source_id, added)

        try:
            return await anyio.to_thread.run_sync(read)
        except ChatReplayError as error:
            raise ClientException(str(error)) from None


@delete(
    "/{source_id:str}",
    responses=AUTHED,
    status_code=HTTP_204_NO_CONTENT,
    summary="Delete a source, its clips and their media",
    sync_to_thread=True,
)
def delete_source(source_id: IdParam, actor: ActorDep, sources_service: SourcesDep) -> None:
    sources_service.delete(actor, source_id)


router = Router(
    "/sources",
    route_handlers=[
        upload,
        register_url,
        list_sources,
        get_source,
        source_timeline,
        add_chat,
        delete_source,
    ],
    tags=["sources"],
    security=SECURITY,
)
