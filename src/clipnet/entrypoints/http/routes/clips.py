"""Clips: create (span or auto), list with filters and a cursor, get, update (and trim),
approve, reject, publish (posts), cancel, retry, delete."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.clips.service import ClipFilter
from clipnet.domain.publishing.model import PostOptions
from clipnet.domain.publishing.service import PostRequest
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.http import render
from clipnet.entrypoints.http.di import (
    ClipsDep,
    PublishingDep,
    ReviewDep,
    SettingsDep,
    SharingDep,
)
from clipnet.entrypoints.http.problems import AUTHED, AUTHED_BODY
from clipnet.entrypoints.http.routes.media import MediaLinksDep
from clipnet.entrypoints.http.schemas import (
    ClipCreate,
    ClipDetailOut,
    ClipOut,
    ClipPage,
    ClipUpdate,
    ClipUpdated,
    CreatedClips,
    PostCreate,
    PostList,
    PostOut,
    ShareOut,
)
from clipnet.entrypoints.http.security import SECURITY, ActorDep

ID_PATTERN = r"^[A-Za-z0-9_-]+$"
IdParam = Annotated[str, PathParameter(min_length=1, max_length=64, pattern=ID_PATTERN)]
MIN_SCORE, MAX_SCORE = 0.0, 100.0
# The bounds the server checks (ge/le), put inside the number branch of the optional
# parameter's schema: Litestar leaves a bound of 0 out (it is falsy) and sets the others
# beside the ``oneOf``, where not every tool applies them (schemathesis took -4.2e307 as valid).
SCORE_BOUND = [
    Schema(type=OpenAPIType.NUMBER, minimum=MIN_SCORE, maximum=MAX_SCORE),
    Schema(type=OpenAPIType.NULL),
]


@post(
    "/",
    responses={
        **AUTHED_BODY,
        202: ResponseSpec(
            data_container=CreatedClips,
            description="Auto mode on a source not analysed yet: no clips yet, and the queued "
            "`source:analyze` job (`analysis`) that analyses it and then makes them (follow it "
            "with `GET /jobs/{id}` or the live events)",
        ),
    },
    status_code=HTTP_201_CREATED,
    summary="Clip a span, or the best moments (auto)",
    description=(
        "201 with the clips. In auto mode a source that is not analysed yet is analysed by a "
        "job, not in the request: the answer is then 202, at once, with the job in `analysis` "
        "and no clips; the clips appear when the analysis is done (`job.progress`, "
        "`source.status` and `clip.status` events)."
    ),
    sync_to_thread=True,
)
def create_clip(
    data: JSONBody[ClipCreate], actor: ActorDep, clips_service: ClipsDep
) -> Response[CreatedClips]:
    if data.mode == "auto":
        auto = clips_service.create_auto(
            actor, data.source_id, data.count, data.template, data.captions, data.aspect
        )
        body = CreatedClips(
            items=[render.clip(c) for c in auto.clips],
            analysis=None if auto.analysis is None else render.job(auto.analysis),
        )
        status = HTTP_201_CREATED if auto.analysis is None else HTTP_202_ACCEPTED
        return Response(body, status_code=status)
    if data.start is None or data.end is None:
        raise InvalidInput("a span clip needs 'start' and 'end' (seconds)")
    made = clips_service.create_span(
        actor,
        data.source_id,
        TimeSpan(data.start, data.end),
        data.title,
        data.template,
        data.captions,
        data.aspect,
    )
    return Response(CreatedClips(items=[render.clip(made)]), status_code=HTTP_201_CREATED)


@get(
    "/",
    responses=AUTHED,
    summary="Your clips, oldest first, filtered, one page at a time",
    sync_to_thread=True,
)
def list_clips(
    actor: ActorDep,
    clips_service: ClipsDep,
    settings: SettingsDep,
    status: Annotated[
        list[ClipStatus] | None, QueryParameter(description="Any of these statuses")
    ] = None,
    source_id: Annotated[str | None, QueryParameter(max_length=64, pattern=ID_PATTERN)] = None,
    min_score: Annotated[
        float | None,
        QueryParameter(
            ge=MIN_SCORE, le=MAX_SCORE, schema_extra={"one_of": SCORE_BOUND, "maximum": None}
        ),
    ] = None,
    after: Annotated[
        str | None, QueryParameter(max_length=64, pattern=ID_PATTERN, description="next_cursor")
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="Page size (capped)")] = 50,
) -> ClipPage:
    wanted = ClipFilter(
        statuses=tuple(status or ()),
        source_id=source_id,
        min_score=min_score,
        after=after,
        limit=min(limit, settings.api.max_page_size),
    )
    page = clips_service.list(actor, wanted)
    return ClipPage(
        items=[render.clip_summary(c) for c in page.clips], next_cursor=page.next_cursor
    )


@get(
    "/{clip_id:str}",
    responses=AUTHED,
    summary="One clip with score, transcript, media, votes, posts, job",
    sync_to_thread=True,
)
def get_clip(
    clip_id: IdParam, actor: ActorDep, clips_service: ClipsDep, media_links: MediaLinksDep
) -> ClipDetailOut:
    detail = clips_service.get(actor, clip_id)
    return render.clip_detail(detail, media_links.public_all(detail.media_urls))


@patch(
    "/{clip_id:str}",
    responses=AUTHED_BODY,
    summary="Change the title or template (a ready clip whose video changes is rendered again)",
    sync_to_thread=True,
)
def update_clip(
    clip_id: IdParam, data: JSONBody[ClipUpdate], actor: ActorDep, clips_service: ClipsDep
) -> ClipUpdated:
    if (data.start is None) != (data.end is None):
        raise InvalidInput("a trim needs both 'start' and 'end' (seconds in the source)")
    span = None if data.start is None or data.end is None else TimeSpan(data.start, data.end)
    change = clips_service.update(
        actor, clip_id, title=data.title, template=data.template, span=span
    )
    return render.clip_change(change)


@post(
    "/{clip_id:str}/approve",
    responses=AUTHED,
    status_code=200,
    summary="Approve the clip: auto-post may take it (when CLIPNET_AUTO_POST is on)",
    sync_to_thread=True,
)
def approve_clip(clip_id: IdParam, actor: ActorDep, clip_review: ReviewDep) -> ClipOut:
    return render.clip(clip_review.approve(actor, clip_id))


@post(
    "/{clip_id:str}/reject",
    responses=AUTHED,
    status_code=200,
    summary="Reject a ready or failed clip for good: it is never posted",
    sync_to_thread=True,
)
def reject_clip(clip_id: IdParam, actor: ActorDep, clip_review: ReviewDep) -> ClipOut:
    return render.clip(clip_review.reject(actor, clip_id))


@post(
    "/{clip_id:str}/posts",
    responses={
        **AUTHED_BODY,
        200: ResponseSpec(
            data_container=PostOut,
            description="A repeat: the clip's existing post on the platform (nothing queued)",
        ),
    },
    status_code=HTTP_202_ACCEPTED,
    summary="Publish the clip on YouTube or TikTok, now or at publish_at",
    description=(
        "202 with the post (``pending``, or ``scheduled`` with a ``publish_at``); it goes out "
        "through the job queue. A repeat for the same clip and platform returns the post "
        "already made (200) unless ``again`` is true. The clip must be ready (or posted) "
        "and the platform's account linked (``POST /oauth/{provider}/start``): else 409."
    ),
    sync_to_thread=True,
)
def create_post(
    clip_id: IdParam,
    data: JSONBody[PostCreate],
    actor: ActorDep,
    publishing_service: PublishingDep,
) -> Response[PostOut]:
    wanted = PostRequest(
        platform=Platform(data.platform),
        options=PostOptions(privacy=data.privacy),
        publish_at=data.publish_at,
        title=data.title,
        description=data.description,
        again=data.again,
    )
    answer = publishing_service.request(actor, clip_id, wanted)
    return Response(
        render.post(answer.post), status_code=HTTP_202_ACCEPTED if answer.created else 200
    )


@get(
    "/{clip_id:str}/posts",
    responses=AUTHED,
    summary="The clip's posts, oldest first",
    sync_to_thread=True,
)
def list_posts(clip_id: IdParam, actor: ActorDep, publishing_service: PublishingDep) -> PostList:
    return PostList(items=[render.post(p) for p in publishing_service.list(actor, clip_id)])


@delete(
    "/{clip_id:str}/posts/{post_id:str}",
    responses=AUTHED,
    status_code=HTTP_204_NO_CONTENT,
    summary="Cancel a scheduled post that has not gone out (409 once it has started)",
    sync_to_thread=True,
)
def cancel_post(
    clip_id: IdParam, post_id: IdParam, actor: ActorDep, publishing_service: PublishingDep
) -> None:
    publishing_service.cancel(actor, clip_id, post_id)


@post(
    "/{clip_id:str}/cancel",
    responses=AUTHED,
    status_code=200,
    summary="Stop processing",
    sync_to_thread=True,
)
def cancel_clip(clip_id: IdParam, actor: ActorDep, clips_service: ClipsDep) -> ClipOut:
    return render.clip(clips_service.cancel(actor, clip_id))


@post(
    "/{clip_id:str}/retry",
    responses=AUTHED,
    status_code=200,
    summary="Queue a failed clip again",
    sync_to_thread=True,
)
def retry_clip(clip_id: IdParam, actor: ActorDep, clips_service: ClipsDep) -> ClipOut:
    return render.clip(clips_service.retry(actor, clip_id))


@post(
    "/{clip_id:str}/share",
    responses=AUTHED,
    status_code=200,
    summary="Share the clip: a public page anyone with the link may open",
    sync_to_thread=True,
)
def share_clip(clip_id: IdParam, actor: ActorDep, clip_sharing: SharingDep) -> ShareOut:
    return ShareOut(url=clip_sharing.share(actor, clip_id))


@delete(
    "/{clip_id:str}/share",
    responses=AUTHED,
    status_code=HTTP_204_NO_CONTENT,
    summary="Stop sharing the clip: its link is a 404 from now on",
    sync_to_thread=True,
)
def unshare_clip(clip_id: IdParam, actor: ActorDep, clip_sharing: SharingDep) -> None:
    clip_sharing.unshare(actor, clip_id)


@delete(
    "/{clip_id:str}",
    responses=AUTHED,
    status_code=HTTP_204_NO_CONTENT,
    summary="Delete the clip and its stored media",
    sync_to_thread=True,
)
def delete_clip(clip_id: IdParam, actor: ActorDep, clips_service: ClipsDep) -> None:
    clips_service.delete(actor, clip_id)


router = Router(
    "/clips",
    route_handlers=[
        create_clip,
        list_clips,
        get_clip,
        update_clip,
        approve_clip,
        reject_clip,
        create_post,
        list_posts,
        cancel_post,
        cancel_clip,
        retry_clip,
        share_clip,
        unshare_clip,
        delete_clip,
    ],
    tags=["clips"],
    security=SECURITY,
)
