"""Media links for local storage: the storage adapter names files by ``file://`` URL (what
FFmpeg and Whisper read), which no browser can fetch; the API serves them under ``/media``.

A link is ``{CLIPNET_PUBLIC_URL}/media/{storage key}``. Keys hold the clip's or source's id
(80 random bits), so a link is a capability URL, like a Cloudinary delivery URL: whoever has
it can fetch that one file, and nobody can list or guess the others.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from clipnet.domain.shared.errors import NotFound

NAME_MAX = 255
"""Longest file name (bytes) on the file systems local storage runs on."""


class MediaLinks:
    def __init__(self, root: Path | None, public_url: str) -> None:
        """``root``: the local storage folder, or None when media is stored elsewhere."""
        self._root = root.resolve() if root is not None else None
        self._base = f"{public_url.rstrip('/')}/media"

    def public(self, url: str | None) -> str | None:
        """The browser-facing link for a storage URL (other URLs are returned as they are)."""
        if url is None or self._root is None or not url.startswith("file://"):
            return url
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not path.is_relative_to(self._root):
            return url
        return f"{self._base}/{quote(path.relative_to(self._root).as_posix())}"

    def public_all(self, urls: dict[str, str]) -> dict[str, str]:
        return {kind: self.public(url) or url for kind, url in urls.items()}

    def file_for(self, key: str) -> Path:
        """The stored file a ``/media`` key names; NotFound for anything else."""
        relative = PurePosixPath(key.lstrip("/"))
        if self._root is None or not relative.parts or not _plausible(relative):
            raise NotFound("media", key)
        try:
            path = self._root.joinpath(*relative.parts).resolve()
            found = path.is_relative_to(self._root) and path.is_file()
        except OSError:  # e.g. a name the file system cannot hold: no such file either
            found = False
        if not found:
            raise NotFound("media", key)
        return path


def _plausible(relative: PurePosixPath) -> bool:
    """A key that could name a stored file: no ``..``, no NUL, no over-long name (stored
    names are short ids and file names)."""
    return all(
        part != ".." and "\x00" not in part and len(part.encode("utf-8", "replace")) <= NAME_MAX
        for part in relative.parts
    )
