"""Object storage in a local folder: the embedded default."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath

from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.domain.shared.scratch import partial_prefix, sweep_stale_partials
from clipnet.ports.storage import StoredObject


class LocalFileStorage:
    """Objects are files under ``root``; keys are relative POSIX paths that stay inside it."""

    def __init__(self, root: Path, base_url: str = "") -> None:
        self._root = Path(root).resolve()
        self._base_url = base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        relative = PurePosixPath(key)
        if not key or relative.is_absolute() or ".." in relative.parts:
            raise InvalidInput(f"storage key {key!r} must be a relative path without '..'")
        return self._root.joinpath(*relative.parts)

    def put(self, key: str, path: Path, content_type: str = "") -> StoredObject:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A process killed while copying here before (a render's worker) left its partial file.
        sweep_stale_partials(target.parent)
        # Copy to a temporary name first so a reader never sees half a file; the name says
        # whose it is, so that a sweep knows when it is stale.
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=partial_prefix(), delete=False
        ) as partial:
            try:
                with open(path, "rb") as source:
                    shutil.copyfileobj(source, partial, 1024 * 1024)
            except BaseException:
                Path(partial.name).unlink(missing_ok=True)
                raise
        Path(partial.name).replace(target)
        return StoredObject(key, self.url(key), target.stat().st_size)

    def fetch(self, key: str, dest: Path) -> Path:
        source = self._path(key)
        if not source.is_file():
            raise NotFound("object", key)
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        return Path(dest)

    def local_path(self, key: str) -> Path | None:
        stored = self._path(key)
        if not stored.is_file():
            raise NotFound("object", key)
        return stored  # read in place: a 10 GB VOD is not copied once per job

    def url(self, key: str, expires_in: int = 3600) -> str:
        if self._base_url:
            return f"{self._base_url}/{key}"
        return self._path(key).as_uri()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
