"""Finding a recording's best moments and turning them into clips: the main job, as a service.

Used by ``clipnet clip``; the work itself runs as ordinary jobs (clip:process, ml:score,
ffmpeg:polish) through whichever queue the deployment has.
"""

from __future__ import annotations

from collections.abc import Iterable

from clipnet.domain.accounts.model import User
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.highlights.candidates import LengthBounds
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.pipeline.handlers import PipelineService
from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.domain.sources.model import Source, SourceKind
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.repositories import UnitOfWorkFactory

#: The owner of everything made from the command line on this machine.
LOCAL_USER_ID = "local"
LOCAL_USER_EMAIL = "local@clipnet.localhost"
#: A clip in one of these states needs nothing more from the pipeline.
SETTLED = frozenset(
    {ClipStatus.READY, ClipStatus.FAILED, ClipStatus.REJECTED, ClipStatus.CANCELLED}
)


class HighlightService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        pipeline: PipelineService,
        lifecycle: ClipLifecycle,
        templates: TemplateCatalogue,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._pipeline = pipeline
        self._lifecycle = lifecycle
        self._templates = templates

    def register_local_file(self, path: str, title: str = "") -> Source:
        """A source for a file on this machine, owned by the local user."""
        with self._uow() as uow:
            try:
                uow.users.get(LOCAL_USER_ID)
            except NotFound:
                uow.users.add(User(LOCAL_USER_ID, LOCAL_USER_EMAIL, self._clock.now(), "Local"))
            source = Source(
                id=self._ids.new_id(),
                owner_id=LOCAL_USER_ID,
                kind=SourceKind.LOCAL,
                location=path,
                created_at=self._clock.now(),
                title=title,
            )
            uow.sources.add(source)
            uow.commit()
        return source

    def clip_best_moments(
        self, source_id: str, count: int, bounds: LengthBounds, template: str = ""
    ) -> list[Clip]:
        """Analyse the source (once), pick its ``count`` best moments and queue a clip of each.

        Raises ``MediaError`` for unreadable media and ``InvalidInput`` when the source is too
        short for a single clip within ``bounds``.
        """
        if count < 1:
            raise InvalidInput(f"--top must be at least 1 (got {count})")
        weights = self._templates.get(template).weights if template else None
        source = self._pipeline.analyze_source(source_id)
        ranked = self._pipeline.find_highlights(source_id, count, bounds, weights)
        if not ranked:
            raise InvalidInput(
                f"{source.location}: {source.duration:.1f} s is too short for a clip of "
                f"at least {bounds.shortest:g} s"
            )
        return self._lifecycle.create_detected(source.id, source.owner_id, ranked, template)

    def current(self, clip_ids: Iterable[str]) -> list[Clip]:
        """The clips as they are now."""
        with self._uow() as uow:
            return [uow.clips.get(clip_id) for clip_id in clip_ids]

    def source(self, source_id: str) -> Source:
        with self._uow() as uow:
            return uow.sources.get(source_id)
