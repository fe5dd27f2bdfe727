"""Object storage for sources, clips and thumbnails."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import attrs


@attrs.frozen
class StoredObject:
    key: str
    """The storage key, e.g. ``clips/clip-42/video.mp4`` (under the environment's folder)."""
    url: str
    """Where a browser or the GPU server can fetch it."""
    size: int
    """Bytes."""


class StorageError(Exception):
    """The storage refused or failed an operation (bad credentials, unreachable, refused key)."""


class ObjectStorage(Protocol):
    def put(self, key: str, path: Path, content_type: str = "") -> StoredObject:
        """Store the file at ``path`` under ``key`` (replacing what was there)."""

    def fetch(self, key: str, dest: Path) -> Path:
        """Copy the object to ``dest``. Raises ``NotFound``."""

    def local_path(self, key: str) -> Path | None:
        """A file on this machine holding the object, to read in place and never to write:
        the stored file itself, or a copy cached for every job on this machine; None when
        this storage keeps no local files (then ``fetch`` it, which raises ``NotFound``).
        Raises ``NotFound`` when it looks for a file and there is no such object."""

    def url(self, key: str, expires_in: int = 3600) -> str:
        """A URL for the object; signed and expiring where the storage supports it."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object (a missing one is not an error)."""
