"""A local file of a source's media, for the steps that need one (ffmpeg reads paths)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from clipnet.domain.shared.errors import PermanentJobError
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.sources.model import Source, SourceKind
from clipnet.ports.storage import ObjectStorage


class SourceMedia:
    """Gives a local path to a source's media for the length of a ``with`` block.

    A local source is used in place, and so is an upload the storage keeps on this machine
    (its own file, or its machine-wide cached copy): a long VOD is not copied once per job.
    Otherwise the upload is fetched into a scratch folder that is removed when the block
    ends. Other kinds have no local file (yet).
    """

    def __init__(self, storage: ObjectStorage, scratch_dir: Path | None = None) -> None:
        self._storage = storage
        self._scratch_dir = scratch_dir

    @contextlib.contextmanager
    def local_file(self, source: Source) -> Iterator[Path]:
        """Raises ``PermanentJobError`` for a kind that has no local file: retrying cannot help."""
        if source.kind is SourceKind.LOCAL:
            yield Path(source.location)
        elif source.kind is SourceKind.UPLOAD:
            in_place = self._storage.local_path(source.location)
            if in_place is not None:
                yield in_place
                return
            with scratch_folder("source", self._scratch_dir) as folder:
                suffix = Path(source.location).suffix  # keeps the container format visible
                yield self._storage.fetch(source.location, folder / f"source{suffix}")
        else:
            raise PermanentJobError(
                f"source {source.id}: {source.kind.value} sources cannot be processed yet"
            )
