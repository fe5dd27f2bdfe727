"""Pages and media files by URL, as a test declares them: a resolver and a downloader."""

from __future__ import annotations

from pathlib import Path

from clipnet.ports.media import MediaError
from clipnet.ports.media_fetch import Progress, RemoteMedia, UrlCheck

CHUNK = 64 * 1024


class InMemoryMediaHost:
    """Both fetching ports over two tables: pages (a URL -> the media it stands for) and
    files (a URL -> its bytes). Every URL passes ``check`` first, like the real adapters."""

    def __init__(self, check: UrlCheck = lambda url: url) -> None:
        self._check = check
        self.pages: dict[str, RemoteMedia] = {}
        self.files: dict[str, bytes] = {}

    def resolve(self, url: str) -> RemoteMedia:
        self._check(url)
        if url in self.pages:
            return self.pages[url]
        if url in self.files:
            return RemoteMedia(url=url, size=len(self.files[url]))
        raise MediaError(f"{url}: no video found")

    def download(self, media: RemoteMedia, dest: Path, max_bytes: int, progress: Progress) -> Path:
        self._check(media.url)
        body = self.files.get(media.url)
        if body is None:
            raise MediaError(f"{media.url}: the server answered 404")
        if len(body) > max_bytes:
            raise MediaError(f"{media.url}: the media is {len(body)} bytes, over the limit")
        with dest.open("wb") as out:
            for start in range(0, len(body), CHUNK):
                out.write(body[start : start + CHUNK])
                progress(min(len(body), start + CHUNK), len(body))
        return dest
