"""A local file of a source's media, for the steps that need one (ffmpeg reads paths)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from clipnet.domain.shared.errors import PermanentJobError
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.sources.model import REMOTE_KINDS, Source, SourceKind
from clipnet.ports.storage import ObjectStorage


def fetched_key(source: Source) -> str:
    """Where a URL source's downloaded media is stored (``SourceFetcher`` puts it there)."""
    return f"sources/{source.id}/fetched"


class SourceMedia:
    """Gives a local path to a source's media for the length of a ``with`` block.

    A local source is used in place, and so is an upload the storage keeps on this machine
    (its own file, or its machine-wide cached copy): a long VOD is not copied once per job.
    Otherwise the upload is fetched into a scratch folder that is removed when the block
    ends. A URL source is read the same way from its downloaded copy (``SourceFetcher``
    stores it before the analysis pass).
    """

    def __init__(self, storage: ObjectStorage, scratch_dir: Path | None = None) -> None:
        self._storage = storage
        self._scratch_dir = scratch_dir

    @contextlib.contextmanager
    def local_file(self, source: Source) -> Iterator[Path]:
        """Raises ``PermanentJobError`` for a URL source whose media was never downloaded."""
        if source.kind is SourceKind.LOCAL:
            yield Path(source.location)
            return
        key = source.location
        if source.kind in REMOTE_KINDS:
            key = fetched_key(source)
            if not self._storage.exists(key):
                raise PermanentJobError(f"source {source.id}: its media has not been downloaded")
        in_place = self._storage.local_path(key)
        if in_place is not None:
            yield in_place
            return
        with scratch_folder("source", self._scratch_dir) as folder:
            suffix = Path(key).suffix  # keeps the container format visible
            yield self._storage.fetch(key, folder / f"source{suffix}")
