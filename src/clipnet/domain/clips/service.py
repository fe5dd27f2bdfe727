"""Clips as users manage them: create (a span or "auto"), list, read, change, cancel, retry,
delete. Object-level authorisation is checked here, before the lifecycle is asked."""

from __future__ import annotations

import attrs

from clipnet.domain.clipbot.model import Tally
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipStatus, ClipSummary
from clipnet.domain.clips.sharing import ShareLinks
from clipnet.domain.highlights.aspects import check_aspect
from clipnet.domain.highlights.candidates import DEFAULT_BOUNDS, LengthBounds
from clipnet.domain.highlights.captions import check_caption_style
from clipnet.domain.highlights.service import HighlightService
from clipnet.domain.highlights.templates import Template, TemplateCatalogue
from clipnet.domain.jobs.model import Job, JobStatus, JobType, job_key
from clipnet.domain.publishing.model import Post
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import ConcurrencyConflict, InvalidInput, NotFound
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import SourceStatus
from clipnet.ports.media import MediaError
from clipnet.ports.repositories import ClipQuery, UnitOfWork, UnitOfWorkFactory
from clipnet.ports.storage import ObjectStorage

MAX_AUTO_CLIPS = 10


@attrs.frozen
class ClipPage:
    clips: list[ClipSummary]
    next_cursor: str | None
    """Pass as ``after`` to get the next page; None on the last page."""


@attrs.frozen
class ClipDetail:
    """Everything a client shows about one clip."""

    clip: Clip
    tally: Tally
    posts: list[Post]
    job: Job | None
    """The clip's latest processing job, if one was recorded."""
    media_urls: dict[str, str]
    """Asset kind -> a URL a browser can fetch."""
    share_url: str = ""
    """The public share page's URL; "" while the clip is not shared."""


@attrs.frozen
class ClipChange:
    """A changed clip, and whether the change sent it back to be rendered again."""

    clip: Clip
    rerendering: bool


#: Statuses in which the clip's video is made or being made: a change to it means a re-render.
_RENDERED = frozenset(
    {ClipStatus.POLISHING, ClipStatus.UPLOADING, ClipStatus.READY, ClipStatus.POSTED}
)


@attrs.frozen
class AutoClips:
    """What an automatic clip request gives: the clips, or the analysis job that makes them."""

    clips: list[Clip]
    analysis: Job | None = None


@attrs.frozen
class ClipFilter:
    statuses: tuple[ClipStatus, ...] = ()
    source_id: str | None = None
    min_score: float | None = None
    after: str | None = None
    limit: int = 50


class ClipService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        lifecycle: ClipLifecycle,
        storage: ObjectStorage,
        templates: TemplateCatalogue,
        highlights: HighlightService,
        *,
        share_links: ShareLinks | None = None,
        bounds: LengthBounds = DEFAULT_BOUNDS,
    ) -> None:
        """``bounds``: how long a clip may be made by a trim (``CLIPNET_MIN/MAX_CLIP_SECONDS``)."""
        self._uow = uow
        self._lifecycle = lifecycle
        self._storage = storage
        self._templates = templates
        self._highlights = highlights
        """Picks the best moments, as for every other caller (the CLI, the worker, ClipBOT)."""
        self._share_links = share_links
        self._bounds = bounds

    # -- creating ------------------------------------------------------------------------------

    def create_span(
        self,
        actor: Actor,
        source_id: str,
        span: TimeSpan,
        title: str = "",
        template: str = "",
        caption_style: str = "",
        aspect: str = "",
    ) -> Clip:
        return self._lifecycle.request(
            source_id,
            actor.user_id,
            span,
            title=title,
            template=template,
            caption_style=caption_style,
            aspect=aspect,
        )

    def create_auto(
        self,
        actor: Actor,
        source_id: str,
        count: int,
        template: str = "",
        caption_style: str = "",
        aspect: str = "",
    ) -> AutoClips:
        """The ``count`` best non-overlapping moments of the source, as queued clips.

        An analysed source gives its clips at once; one not analysed yet gives the queued
        ``source:analyze`` job instead, which makes the clips when the analysis is done (the
        caller answers at once). Another user's source is ``NotFound``.
        """
        if not 1 <= count <= MAX_AUTO_CLIPS:
            raise InvalidInput(f"count must be between 1 and {MAX_AUTO_CLIPS}")
        if template:
            self._templates.get(template)
        check_caption_style(caption_style)
        check_aspect(aspect)
        with self._uow() as uow:
            source = uow.sources.get(source_id)
        actor.require_visible(source.owner_id, "source", source_id)
        if source.status is SourceStatus.FAILED:
            raise InvalidInput(f"the source could not be analysed: {source.last_error}")
        if source.timeline is None:
            job = self._highlights.request_best_moments(
                source_id,
                actor.user_id,
                count,
                template=template,
                caption_style=caption_style,
                aspect=aspect,
            )
            if job.status is JobStatus.DEAD:  # it failed for good (now, or an earlier time)
                raise InvalidInput(job.last_error or "the source could not be analysed")
            if job.status is JobStatus.SUCCEEDED:  # a queue that ran it at once
                return AutoClips(clips=self._highlights.made_by(job))
            return AutoClips(clips=[], analysis=job)
        try:
            made = self._highlights.clip_best_moments(
                source_id,
                count,
                template=template,
                caption_style=caption_style,
                aspect=aspect,
                owner_id=actor.user_id,
            )
        except MediaError as error:
            raise InvalidInput(f"the source could not be analysed: {error}") from None
        return AutoClips(clips=made)

    # -- reading -------------------------------------------------------------------------------

    def list(self, actor: Actor, wanted: ClipFilter) -> ClipPage:
        query = ClipQuery(
            owner_id=None if actor.is_admin else actor.user_id,
            source_id=wanted.source_id,
            statuses=wanted.statuses,
            min_score=wanted.min_score,
            after=wanted.after,
            limit=wanted.limit + 1,  # one more tells whether another page exists
        )
        with self._uow() as uow:
            found = uow.clips.summaries(query)
        page = found[: wanted.limit]
        more = len(found) > wanted.limit
        return ClipPage(page, page[-1].id if more and page else None)

    def get(self, actor: Actor, clip_id: str) -> ClipDetail:
        with self._uow() as uow:
            clip = _visible(uow, actor, clip_id)
            tally = uow.votes.tally(clip.id)
            posts = uow.posts.list_for_clip(clip.id)
            job = uow.jobs.find_by_key(job_key(JobType.CLIP_PROCESS, clip.id, clip.attempts))
        urls = {kind: self._storage.url(key) for kind, key in sorted(clip.assets.items())}
        shared = self._share_links.of(clip) if self._share_links is not None else ""
        return ClipDetail(clip, tally, posts, job, urls, shared)

    # -- changing ------------------------------------------------------------------------------

    def update(
        self,
        actor: Actor,
        clip_id: str,
        *,
        title: str | None = None,
        template: str | None = None,
        span: TimeSpan | None = None,
    ) -> ClipChange:
        """Change the title, template or span (a trim, or an extension within the source).

        A change that alters a finished clip's video (another span or template; another
        title where the template burns it in) renders it again: the clip goes back to
        polishing, and its media is replaced when the new render is ready. While a render
        runs, or once the clip is posted, such a change is refused with the reason. A span
        must lie in the source and keep the clip within the length bounds; only a ready
        clip's span can change.
        """
        if template:
            self._templates.get(template)

        def apply(clip: Clip) -> None:
            if title is not None:
                clip.rename(title)
            if template is not None:
                clip.template = template
            if span is not None and span != clip.span:
                _move_span(clip, span)

        with self._uow() as uow:
            clip = _visible(uow, actor, clip_id)
            if span is not None and span != clip.span:
                self._check_span(uow, clip, span)
            after = attrs.evolve(clip)
            apply(after)
            if clip.status not in _RENDERED or not self._renders_differently(clip, after):
                uow.clips.update(after)
                uow.commit()
                return ClipChange(after, rerendering=False)
        _refuse_rerender(clip)
        moved = self._lifecycle.advance(
            clip_id,
            ClipStatus.POLISHING,
            "re-render: the span, the template or the burnt-in title changed",
            expected=ClipStatus.READY,
            change=apply,
            next_job=JobType.FFMPEG_POLISH,
        )
        if moved is None:
            raise ConcurrencyConflict(f"clip {clip_id} moved on meanwhile; read it and retry")
        return ClipChange(moved, rerendering=True)

    def cancel(self, actor: Actor, clip_id: str) -> Clip:
        self._check(actor, clip_id)
        return self._lifecycle.cancel(clip_id)

    def retry(self, actor: Actor, clip_id: str) -> Clip:
        self._check(actor, clip_id)
        return self._lifecycle.retry(clip_id)

    def delete(self, actor: Actor, clip_id: str) -> None:
        """Remove the clip, its votes and posts, then its stored media."""
        with self._uow() as uow:
            clip = _visible(uow, actor, clip_id)
            uow.clips.delete(clip.id)
            uow.commit()
        for key in clip.assets.values():
            self._storage.delete(key)

    # -- helpers -------------------------------------------------------------------------------

    def _check_span(self, uow: UnitOfWork, clip: Clip, span: TimeSpan) -> None:
        """``InvalidInput`` naming the problem: outside the source, too short or long, or a
        clip whose video is not ready to be cut again."""
        _refuse_rerender(clip)  # only a ready clip's video can be cut again
        uow.sources.get(clip.source_id).require_within(span)
        if not self._bounds.admits(span):
            raise InvalidInput(
                f"a clip of {span.duration:g} s is not allowed: a clip lasts between "
                f"{self._bounds.shortest:g} and {self._bounds.longest:g} s"
            )

    def _renders_differently(self, before: Clip, after: Clip) -> bool:
        old, new = self._template_of(before), self._template_of(after)
        if before.span != after.span:
            return True
        return old != new or (new is not None and new.overlay_title and before.title != after.title)

    def _template_of(self, clip: Clip) -> Template | None:
        """The template the clip renders with; None for one no longer offered."""
        try:
            return self._templates.get(clip.template) if clip.template else self._templates.default
        except InvalidInput:
            return None

    def _check(self, actor: Actor, clip_id: str) -> None:
        with self._uow() as uow:
            _visible(uow, actor, clip_id)


def _refuse_rerender(clip: Clip) -> None:
    """A video change is possible on a ready clip only: say why not otherwise."""
    if clip.status is ClipStatus.POSTED:
        raise InvalidInput(
            f"clip {clip.id} was posted: its video cannot change (make a new clip instead)"
        )
    if clip.status is not ClipStatus.READY:
        raise InvalidInput(
            f"clip {clip.id} is being rendered ({clip.status.value}): change its template or "
            "title once it is ready"
        )


def _move_span(clip: Clip, span: TimeSpan) -> None:
    """The clip now covers ``span``; its words keep their place in the source (a part added
    by an extension has none until the clip is transcribed again)."""
    old = clip.span
    clip.span = span
    if clip.transcript is not None:
        clip.transcript = clip.transcript.shifted(old.start).between(span.start, span.end)


def _visible(uow: UnitOfWork, actor: Actor, clip_id: str) -> Clip:
    clip = uow.clips.get(clip_id)
    if not actor.may_see(clip.owner_id):
        raise NotFound("clip", clip_id)
    return clip
