"""Finding a recording's best moments and turning them into clips: the one highlights service.

Every caller (``POST /clips/`` in "auto" mode, ``clipnet clip``, the worker and ClipBOT through
the container) picks moments here, so one source gives the same spans whoever asks. The source
is analysed once (by the media pipeline, which keeps the timeline on the Source); the clips
are then made by the ordinary jobs (clip:process, ml:score, ffmpeg:polish).

A source that is not analysed yet is not analysed inside an HTTP request: the request is
queued as a ``source:analyze`` job (``request_best_moments``), whose handler analyses the
source (with progress events) and then clips its best moments, as the request asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from clipnet.domain.accounts.model import User
from clipnet.domain.clips.lifecycle import ClipLifecycle, made_for_request
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.highlights.candidates import DEFAULT_BOUNDS, LengthBounds, find_highlights
from clipnet.domain.highlights.chat import ChatDelay, ChatMessage, ChatTally
from clipnet.domain.highlights.chat_timeline import ChatAdded, with_chat
from clipnet.domain.highlights.scoring import RankedSegment, Weights
from clipnet.domain.highlights.selection import DEFAULT_FLOOR, ScoreFloor
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import InvalidInput, NotFound, PermanentJobError
from clipnet.domain.sources.model import Source, SourceKind, url_kind
from clipnet.domain.sources.service import check_category
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.media import MediaError
from clipnet.ports.repositories import UnitOfWorkFactory

#: The owner of everything made from the command line on this machine.
LOCAL_USER_ID = "local"
LOCAL_USER_EMAIL = "local@clipnet.localhost"
#: A clip in one of these states needs nothing more from the pipeline.
SETTLED = frozenset(
    {ClipStatus.READY, ClipStatus.FAILED, ClipStatus.REJECTED, ClipStatus.CANCELLED}
)

Analyse = Callable[[str], Source]
"""source id -> the source, analysed (its timeline stored) unless it was before; raises
``MediaError`` for unreadable media. The media pipeline's ``analyze_source``."""


class HighlightService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        analyse: Analyse,
        lifecycle: ClipLifecycle,
        templates: TemplateCatalogue,
        bounds: LengthBounds = DEFAULT_BOUNDS,
        *,
        floor: ScoreFloor = DEFAULT_FLOOR,
        outbox: Outbox | None = None,
    ) -> None:
        """``outbox``: where ``request_best_moments`` records its job (without one it cannot
        be used: the command line analyses in place)."""
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._analyse = analyse
        self._lifecycle = lifecycle
        self._templates = templates
        self.bounds = bounds
        """How long a clip may be when the caller does not say (from settings)."""
        self.floor = floor
        """How good a moment must be, relative to its source, to become a clip."""
        self._outbox = outbox

    def register_local_file(self, path: str, title: str = "", category: str = "") -> Source:
        """A source for a file on this machine, owned by the local user."""
        return self._register_for_local_user(SourceKind.LOCAL, path, title, category)

    def register_local_url(self, url: str, title: str = "", category: str = "") -> Source:
        """A source for a VOD or media URL (already past the SSRF guard), owned by the local
        user; its media is downloaded when it is analysed."""
        return self._register_for_local_user(url_kind(url), url, title, category)

    def _register_for_local_user(
        self, kind: SourceKind, location: str, title: str, category: str
    ) -> Source:
        category = check_category(category)
        with self._uow() as uow:
            try:
                uow.users.get(LOCAL_USER_ID)
            except NotFound:
                uow.users.add(User(LOCAL_USER_ID, LOCAL_USER_EMAIL, self._clock.now(), "Local"))
            source = Source(
                id=self._ids.new_id(),
                owner_id=LOCAL_USER_ID,
                kind=kind,
                location=location,
                created_at=self._clock.now(),
                title=title,
                category=category,
            )
            uow.sources.add(source)
            uow.commit()
        return source

    def clip_best_moments(
        self,
        source_id: str,
        count: int,
        bounds: LengthBounds | None = None,
        template: str = "",
        *,
        caption_style: str = "",
        aspect: str = "",
        owner_id: str | None = None,
        request_id: str = "",
    ) -> list[Clip]:
        """Analyse the source (once), pick its best moments, at most ``count``, and queue a
        clip of each. Fewer come back when fewer clear the source's score floor
        (:mod:`.selection`): never filler to make up the number.

        The clips belong to ``owner_id`` (default: the source's owner); ``request_id`` makes
        a repeated request (a redelivered job) find its clips instead of making more
        (``ClipLifecycle.create_detected``). Raises ``MediaError``
        for unreadable media and ``InvalidInput`` when the source is too short for a single
        clip within ``bounds`` (default: :attr:`bounds`).
        """
        if count < 1:
            raise InvalidInput(f"count must be at least 1 (got {count})")
        weights = self._weights(template)
        source = self._analyse(source_id)
        chosen = bounds or self.bounds
        ranked = self.best_moments(source, count, chosen, weights)
        if not ranked:
            raise InvalidInput(
                f"{_name(source)}: {source.duration:.1f} s is too short for a clip of "
                f"at least {chosen.shortest:g} s"
            )
        owner = owner_id or source.owner_id
        return self._lifecycle.create_detected(
            source.id, owner, ranked, template, caption_style, aspect, request_id=request_id
        )

    def request_best_moments(
        self,
        source_id: str,
        owner_id: str,
        count: int,
        *,
        template: str = "",
        caption_style: str = "",
        aspect: str = "",
    ) -> Job:
        """Queue a ``source:analyze`` job that analyses the source and then clips its best
        moments; the same request while one is queued gives that job back. The job comes
        back as it is after being handed to the queue: a queue that runs jobs at once (the
        synchronous one) has finished it already (see :meth:`made_by`)."""
        if self._outbox is None:
            raise RuntimeError("HighlightService.request_best_moments needs an outbox")
        payload = {
            "source_id": source_id,
            "owner_id": owner_id,
            "count": count,
            "template": template,
            "caption_style": caption_style,
            "aspect": aspect,
        }
        key = job_key(JobType.SOURCE_ANALYZE, *(str(v) or "-" for v in payload.values()))
        with self._uow() as uow:
            job = self._outbox.add(uow, JobType.SOURCE_ANALYZE, payload, key)
            uow.commit()
        self._outbox.release([job])
        with self._uow() as uow:
            return uow.jobs.get(job.id)

    def made_by(self, job: Job) -> list[Clip]:
        """The clips a finished ``source:analyze`` job made."""
        with self._uow() as uow:
            return made_for_request(uow, job.id)

    def handle_analyze(self, job: Job) -> None:
        """The ``source:analyze`` handler (payload: ``request_best_moments``'s)."""
        p = job.payload
        source_id = p.get("source_id")
        if not isinstance(source_id, str) or not source_id:
            raise PermanentJobError(f"source:analyze needs a source_id, got {p!r}")
        try:
            self.clip_best_moments(
                source_id,
                int(p.get("count") or 1),
                template=str(p.get("template") or ""),
                caption_style=str(p.get("caption_style") or ""),
                aspect=str(p.get("aspect") or ""),
                owner_id=str(p.get("owner_id") or "") or None,
                request_id=job.id,
            )
        except MediaError as error:  # recorded on the source; the same file fails again
            raise PermanentJobError(f"the source could not be analysed: {error}") from None
        except (InvalidInput, NotFound) as error:  # too short, or deleted meanwhile
            raise PermanentJobError(str(error)) from None

    def best_moments(
        self,
        source: Source,
        count: int,
        bounds: LengthBounds,
        weights: Weights,
        *,
        transcript: Transcript | None = None,
    ) -> list[RankedSegment]:
        """At most ``count`` non-overlapping moments of an analysed source that clear its
        score floor, one clip per moment, best first; with a ``transcript`` of the source
        (source times) they start and end at sentence breaks or pauses, never mid-word."""
        if source.timeline is None:
            raise InvalidInput(f"source {source.id} has not been analysed")
        return find_highlights(
            source.timeline,
            count,
            bounds,
            weights,
            duration=source.duration or None,  # unknown duration: the timeline's length
            floor=self.floor,
            transcript=transcript,
        )

    def add_chat(
        self,
        source_id: str,
        messages: Iterable[ChatMessage],
        delay: ChatDelay,
        *,
        actor: Actor | None = None,
        analyse: bool = False,
    ) -> ChatAdded:
        """Give the source's timeline its ``chat`` series from ``messages`` (a replay, read
        as it is iterated; its errors come through), so its moments are picked with chat
        from then on, without decoding the media again.

        With ``actor``, only the source's owner may (anyone else: ``NotFound``). A source not
        analysed yet is analysed first when ``analyse`` (the command line), else refused
        (an HTTP request never decodes a video).
        """
        if actor is not None:
            self.require_owner(actor, source_id)
        # Read first: a bad file fails before a video is decoded, and outside a transaction.
        tally = ChatTally().extend(messages)
        if tally.count == 0:  # all-silent chat would lower every moment's score alike
            raise InvalidInput("the chat replay has no messages during the recording")
        stats = tally.stats()
        if analyse:
            self._analyse(source_id)
        with self._uow() as uow:
            source = uow.sources.get(source_id)
            if source.timeline is None:
                raise InvalidInput(
                    f"source {source_id} is not analysed yet; ask for its clips first "
                    "(that analyses it), then add its chat"
                )
            added = with_chat(source.timeline, stats, delay, tally.count)
            source.timeline = added.timeline
            uow.sources.update(source)
            uow.commit()
        return added

    def require_owner(self, actor: Actor, source_id: str) -> None:
        """``NotFound`` unless ``actor`` owns the source (others' ids reveal nothing)."""
        with self._uow() as uow:
            if uow.sources.get(source_id).owner_id != actor.user_id:
                raise NotFound("source", source_id)

    def current(self, clip_ids: Iterable[str]) -> list[Clip]:
        """The clips as they are now."""
        with self._uow() as uow:
            return [uow.clips.get(clip_id) for clip_id in clip_ids]

    def source(self, source_id: str) -> Source:
        with self._uow() as uow:
            return uow.sources.get(source_id)

    def _weights(self, template: str) -> Weights:
        """The template's weights (an unknown name: ``InvalidInput`` naming the known ones)."""
        chosen = self._templates.get(template) if template else self._templates.default
        return chosen.weights


def _name(source: Source) -> str:
    """How an error names the source: a local file by its path, others by title or id."""
    if source.kind is SourceKind.LOCAL:
        return source.location
    return source.title or f"source {source.id}"
