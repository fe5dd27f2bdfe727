"""Keeping environments apart on a shared inference server.

Staging and production send work to the same GPU server. Each namespace has its own working
folder under the server's root; a request may read only files inside its own namespace's
folder (or media it fetches by URL, which lands there too), so a staging request can neither
read nor write a production path, whatever path or URL it names.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
DEFAULT_MAX_DOWNLOAD = 512 * 1024 * 1024

Downloader = Callable[[str, Path, int], None]
"""Fetch a URL into a file, refusing more than the given number of bytes."""


class MediaRefused(ValueError):
    """A media reference that this namespace may not use; the message says why."""


def http_download(url: str, dest: Path, max_bytes: int) -> None:
    """Stream ``url`` to ``dest`` with httpx; more than ``max_bytes`` is refused."""
    import httpx

    received = 0
    partial = dest.with_name(dest.name + ".part")
    with (
        httpx.stream("GET", url, follow_redirects=True, timeout=60.0) as response,
        open(partial, "wb") as out,
    ):
        if response.status_code != 200:
            raise MediaRefused(f"{_shown(url)}: HTTP {response.status_code}")
        for block in response.iter_bytes(1024 * 1024):
            received += len(block)
            if received > max_bytes:
                raise MediaRefused(f"{_shown(url)}: larger than {max_bytes} bytes")
            out.write(block)
    partial.replace(dest)


class NamespaceFolders:
    """The server's per-namespace working folders and the rules for reaching media."""

    def __init__(
        self,
        root: Path,
        namespaces: Iterable[str] = ("staging", "production"),
        *,
        download: Downloader = http_download,
        max_download: int = DEFAULT_MAX_DOWNLOAD,
    ) -> None:
        self._root = Path(root).resolve()
        self._allowed = frozenset(namespaces)
        for name in self._allowed:
            if not _NAME.match(name):
                raise ValueError(f"invalid namespace name {name!r}")
        self._download = download
        self._max_download = max_download

    @property
    def namespaces(self) -> frozenset[str]:
        return self._allowed

    def folder(self, namespace: str) -> Path:
        """The namespace's working folder (made on first use). Raises ``MediaRefused``."""
        if namespace not in self._allowed:
            known = ", ".join(sorted(self._allowed))
            raise MediaRefused(f"unknown namespace {namespace!r} (this server serves: {known})")
        folder = self._root / namespace
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def resolve(self, namespace: str, reference: str) -> Path:
        """A local file for ``reference`` inside the namespace's folder, or ``MediaRefused``.

        Paths and ``file://`` URLs must already lie inside the folder (after following
        symbolic links); ``http(s)://`` URLs are fetched into its ``downloads/``.
        """
        folder = self.folder(namespace)
        if not isinstance(reference, str) or not reference:
            raise MediaRefused(f"a media reference must be a non-empty string, got {reference!r}")
        scheme = urlsplit(reference).scheme.lower()
        if scheme in ("http", "https"):
            return self._fetch(folder, reference)
        if scheme == "file":
            return self._inside(folder, namespace, _file_url_path(reference))
        if scheme:
            raise MediaRefused(f"{_shown(reference)}: unsupported scheme {scheme!r}")
        path = Path(reference)
        return self._inside(folder, namespace, path if path.is_absolute() else folder / path)

    def _inside(self, folder: Path, namespace: str, path: Path) -> Path:
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(folder):
            raise MediaRefused(f"{path} is outside the {namespace!r} namespace")
        if not real.is_file():
            raise MediaRefused(f"{path}: no such file in the {namespace!r} namespace")
        return real

    def _fetch(self, folder: Path, url: str) -> Path:
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""
        downloads = folder / "downloads"
        downloads.mkdir(exist_ok=True)
        dest = downloads / (hashlib.sha256(url.encode()).hexdigest()[:32] + suffix)
        if not dest.is_file():
            try:
                self._download(url, dest, self._max_download)
            except MediaRefused:
                raise
            except Exception as error:  # network trouble: the item fails with the reason
                raise MediaRefused(f"{_shown(url)}: download failed: {error}") from error
        return dest


def _file_url_path(reference: str) -> Path:
    parts = urlsplit(reference)
    if parts.netloc not in ("", "localhost"):
        raise MediaRefused(f"{reference}: file URLs on other hosts are not readable")
    return Path(url2pathname(unquote(parts.path)))


def _shown(url: str) -> str:
    """A URL without its query string (signatures stay out of error messages and logs)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class LocalFolders(NamespaceFolders):
    """For inference inside the worker: its own local files are readable wherever they lie.

    Only for the in-process engine, whose input comes from this process and never from a
    request; the server always uses :class:`NamespaceFolders`.
    """

    def __init__(self, root: Path, namespace: str, **kwargs: object) -> None:
        super().__init__(root, (namespace,), **kwargs)  # type: ignore[arg-type]

    def _inside(self, folder: Path, namespace: str, path: Path) -> Path:
        if not path.is_file():
            raise MediaRefused(f"{path}: no such file")
        return path
