"""The media-fetching contract (MediaResolver and MediaDownloader), for the in-memory host and
for the real pair: yt-dlp's resolver and the guarded streaming downloader on a loopback host."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

from clipnet.adapters.media_fetch.downloader import HttpMediaDownloader
from clipnet.adapters.media_fetch.guarded_http import GuardedHttp
from clipnet.adapters.media_fetch.ytdlp import YtDlpResolver
from clipnet.adapters.memory.media_fetch import InMemoryMediaHost
from clipnet.domain.shared.errors import InvalidInput
from clipnet.ports.media import MediaError
from clipnet.ports.media_fetch import MediaDownloader, MediaResolver, RemoteMedia
from tests.loopback.media_host import Served, media_host

#: Looks like the start of an MP4 to anything that sniffs; the rest is noise.
MEDIA = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(300_000)


@attrs.define
class Host:
    resolver: MediaResolver
    downloader: MediaDownloader
    publish: Callable[[str, bytes], str]
    """(path, bytes) -> the URL a video file is served at."""
    refused: set[str]
    """URLs the guard refuses."""


def _guard(refused: set[str]) -> Callable[[str], str]:
    def check(url: str) -> str:
        if url in refused:
            raise InvalidInput(f"{url}: refused by the guard")
        return url

    return check


@pytest.fixture(params=["memory", "loopback"])
def host(request: pytest.FixtureRequest) -> Iterator[Host]:
    refused: set[str] = set()
    if request.param == "memory":
        memory = InMemoryMediaHost(_guard(refused))

        def publish_in_memory(path: str, body: bytes) -> str:
            url = f"https://media.example.com{path}"
            memory.files[url] = body
            return url

        yield Host(memory, memory, publish_in_memory, refused)
        return
    with media_host() as (base_url, state):
        http = GuardedHttp(_guard(refused))

        def publish_on_loopback(path: str, body: bytes) -> str:
            state.routes[path] = Served("video/mp4", body)
            return base_url + path

        yield Host(YtDlpResolver(http), HttpMediaDownloader(http), publish_on_loopback, refused)
        http.close()


def test_a_media_url_stands_for_itself_and_downloads_byte_for_byte(
    host: Host, tmp_path: Path
) -> None:
    url = host.publish("/vod.mp4", MEDIA)
    media = host.resolver.resolve(url)
    assert media.url == url and not media.playlist
    seen: list[tuple[int, int]] = []

    path = host.downloader.download(media, tmp_path / "vod", len(MEDIA), lambda *p: seen.append(p))

    assert path.read_bytes() == MEDIA
    assert seen[-1] == (len(MEDIA), len(MEDIA))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_download_over_the_cap_is_refused_and_leaves_no_file(host: Host, tmp_path: Path) -> None:
    media = RemoteMedia(url=host.publish("/big.mp4", MEDIA))

    with pytest.raises(MediaError, match="over the limit"):
        host.downloader.download(media, tmp_path / "big", len(MEDIA) - 1, lambda *_: None)

    assert list(tmp_path.iterdir()) == []


def test_a_url_with_nothing_there_resolves_to_a_media_error(host: Host) -> None:
    missing = host.publish("/present.mp4", MEDIA).replace("present", "missing")

    with pytest.raises(MediaError):
        host.resolver.resolve(missing)


def test_a_url_the_guard_refuses_is_never_opened(host: Host, tmp_path: Path) -> None:
    url = host.publish("/private.mp4", MEDIA)
    host.refused.add(url)

    with pytest.raises(InvalidInput, match="refused by the guard"):
        host.resolver.resolve(url)
    with pytest.raises(InvalidInput, match="refused by the guard"):
        host.downloader.download(RemoteMedia(url=url), tmp_path / "x", 10**9, lambda *_: None)
    assert list(tmp_path.iterdir()) == []
