"""Sources as users manage them: upload (checked by probing), register a URL, list, get, delete."""

from __future__ import annotations

import re
from pathlib import Path

from clipnet.domain.clips.model import Clip
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.sources.media import fetched_key
from clipnet.domain.sources.model import REMOTE_KINDS, Source, SourceKind, url_kind
from clipnet.domain.sources.url_guard import UrlGuard
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.media import MediaError, MediaProcessor
from clipnet.ports.repositories import ClipQuery, UnitOfWork, UnitOfWorkFactory
from clipnet.ports.storage import ObjectStorage

MAX_TITLE = 200
#: Longest game or category name accepted (Twitch's are far shorter).
MAX_CATEGORY = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A storage-safe file name from what the client sent (never a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._")[:100]
    return cleaned or "upload"


def check_category(category: str) -> str:
    """A source's game or category, trimmed; a long one is refused, naming the limit."""
    category = " ".join(category.split())
    if len(category) > MAX_CATEGORY:
        raise InvalidInput(f"a category can be at most {MAX_CATEGORY} characters")
    return category


def check_title(title: str) -> str:
    title = title.strip()
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"a title can be at most {MAX_TITLE} characters")
    return title


class SourceService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        storage: ObjectStorage,
        media: MediaProcessor,
        guard: UrlGuard,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._storage = storage
        self._media = media
        self._guard = guard
        self._clock = clock
        self._ids = ids

    def upload(
        self, actor: Actor, path: Path, filename: str, title: str = "", category: str = ""
    ) -> Source:
        """Store an uploaded file as a source, if probing shows it is a playable video."""
        try:
            info = self._media.probe(path)
        except MediaError:
            raise InvalidInput("the uploaded file is not a video ClipNET can read") from None
        if not info.has_video or info.duration <= 0:
            raise InvalidInput("the uploaded file has no playable video stream")
        source_id = self._ids.new_id()
        key = f"sources/{source_id}/{safe_filename(filename)}"
        source = Source(
            id=source_id,
            owner_id=actor.user_id,
            kind=SourceKind.UPLOAD,
            location=key,
            created_at=self._clock.now(),
            title=check_title(title or filename),
            category=check_category(category),
        )
        source.record_probe(info.duration)
        self._storage.put(key, path)
        try:
            with self._uow() as uow:
                uow.sources.add(source)
                uow.commit()
        except Exception:
            self._storage.delete(key)  # no orphaned media when the row cannot be written
            raise
        return source

    def register_url(self, actor: Actor, url: str, title: str = "", category: str = "") -> Source:
        """A source for a VOD or media URL behind the SSRF guard; its media is downloaded
        when it is first analysed."""
        location = self._guard.check(url)
        source = Source(
            id=self._ids.new_id(),
            owner_id=actor.user_id,
            kind=url_kind(location),
            location=location,
            created_at=self._clock.now(),
            title=check_title(title),
            category=check_category(category),
        )
        with self._uow() as uow:
            uow.sources.add(source)
            uow.commit()
        return source

    def url_of(self, source: Source) -> str | None:
        """Where a client can fetch the source's media (the URL itself for URL sources)."""
        if source.kind is SourceKind.UPLOAD:
            return self._storage.url(source.location)
        return source.location if source.kind in REMOTE_KINDS else None

    def list(self, actor: Actor, limit: int) -> list[Source]:
        with self._uow() as uow:
            return uow.sources.list_for_owner(actor.user_id, limit=limit)

    def get(self, actor: Actor, source_id: str) -> Source:
        with self._uow() as uow:
            return self._visible(uow, actor, source_id)

    def delete(self, actor: Actor, source_id: str) -> None:
        """Remove the source, its clips and every stored file of both."""
        keys: list[str] = []
        with self._uow() as uow:
            source = self._visible(uow, actor, source_id)
            for clip in _all_clips_of(uow, source.id):
                keys.extend(clip.assets.values())
                uow.clips.delete(clip.id)
            if source.kind is SourceKind.UPLOAD:
                keys.append(source.location)
            elif source.kind in REMOTE_KINDS:
                keys.append(fetched_key(source))
            uow.sources.delete(source.id)
            uow.commit()
        for key in keys:  # after commit: a failed delete leaves a file, never a dangling row
            self._storage.delete(key)

    @staticmethod
    def _visible(uow: UnitOfWork, actor: Actor, source_id: str) -> Source:
        source = uow.sources.get(source_id)
        actor.require_visible(source.owner_id, "source", source_id)
        return source


def _all_clips_of(uow: UnitOfWork, source_id: str) -> list[Clip]:
    found: list[Clip] = []
    after: str | None = None
    while True:
        page = uow.clips.search(ClipQuery(source_id=source_id, after=after, limit=500))
        found.extend(page)
        if len(page) < 500:
            return found
        after = page[-1].id
