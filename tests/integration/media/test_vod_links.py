"""VOD and media links as sources, on a loopback web host with real media (FFmpeg-made):
yt-dlp resolves (its generic extractor finds a page's <video>), the guarded client streams the
media to storage, FFmpeg probes it; and every refusal is one line with nothing stored.

The host listens on 127.0.0.2, the one non-public address the guard is told to allow; a
second server on 127.0.0.1 stands for a private service, and the tests that redirect or point
at it also prove it was never reached.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from typer.testing import CliRunner

from clipnet.adapters.dns import SystemResolver
from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.local_files import LocalFileStorage
from clipnet.adapters.media_fetch.downloader import HttpMediaDownloader
from clipnet.adapters.media_fetch.guarded_http import GuardedHttp
from clipnet.adapters.media_fetch.ytdlp import YtDlpResolver
from clipnet.container import Container, build_container
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.fetching import FetchLimits, SourceFetcher
from clipnet.domain.sources.media import fetched_key
from clipnet.domain.sources.model import Source, SourceKind, SourceStatus
from clipnet.domain.sources.url_guard import UrlGuard
from clipnet.entrypoints.cli import app
from clipnet.ports.media import MediaError
from clipnet.settings import load_settings
from tests.builders import a_user
from tests.integration.media.conftest import clip_command, ffmpeg, ffmpeg_binary
from tests.loopback.media_host import ALLOWED_HOST, MediaHostState, Served, media_host

pytestmark = pytest.mark.ffmpeg

CAP = 4 * 1024 * 1024
"""The size cap of these tests' fetches: well above the small video, well below 'endless'."""


@pytest.fixture(scope="module")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 s of test pattern and tone, 160x90."""
    ffmpeg_binary()
    out = tmp_path_factory.mktemp("vod") / "small.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=4"),
        *("-f", "lavfi", "-i", "sine=f=440:duration=4"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"),
        str(out),
    )
    return out


@pytest.fixture(scope="module")
def hls_files(small_video: Path) -> dict[str, bytes]:
    """The small video as an HLS VOD: a media playlist and its 1-second TS segments."""
    folder = small_video.parent / "hls"
    folder.mkdir()
    ffmpeg(
        *("-i", str(small_video), "-c", "copy", "-f", "hls", "-hls_time", "1"),
        *("-hls_playlist_type", "vod", "-hls_segment_filename", str(folder / "seg%d.ts")),
        str(folder / "index.m3u8"),
    )
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@attrs.define
class Web:
    base: str
    host: MediaHostState
    private_base: str
    private: MediaHostState


@pytest.fixture
def web(small_video: Path, hls_files: dict[str, bytes]) -> Iterator[Web]:
    media = small_video.read_bytes()
    with media_host() as (base, host), media_host("127.0.0.1") as (private_base, private):
        private.routes["/secret.mp4"] = Served("video/mp4", media)
        host.routes.update(
            {
                "/vod.mp4": Served("video/mp4", media),
                "/watch": Served(
                    "text/html", b'<html><body><video src="/vod.mp4"></video></body></html>'
                ),
                "/to-private": Served(redirect=f"{private_base}/secret.mp4"),
                "/via-private": Served(
                    "text/html",
                    f'<html><video src="{private_base}/secret.mp4"></video></html>'.encode(),
                ),
                "/huge.mp4": Served("video/mp4", media[:1024], length=CAP * 10),
                "/endless.mp4": Served("video/mp4", media[:65536], endless=True),
                "/notes.txt": Served("text/plain", b"not a video\n" * 100),
                "/page.mp4": Served("video/mp4", b"<!doctype html><p>not a video</p>" * 50),
                "/blank": Served("text/html", b"<html><body><p>nothing here</p></body></html>"),
                "/garbage.mp4": Served("video/mp4", b"\x00\x01 not a video at all " * 400),
                **{
                    f"/hls/{name}": Served("application/octet-stream", body)
                    for name, body in hls_files.items()
                },
            }
        )
        host.routes["/hls/index.m3u8"].content_type = "application/vnd.apple.mpegurl"
        yield Web(base, host, private_base, private)
        # nothing ever reached the private service
        assert private.hits == []


@attrs.define
class Fetching:
    fetcher: SourceFetcher
    storage: LocalFileStorage
    storage_dir: Path


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def loopback_fetcher(
    http: GuardedHttp, storage: LocalFileStorage, max_seconds: float, scratch: Path | None = None
) -> SourceFetcher:
    """The real fetcher (yt-dlp, the guarded client, FFmpeg), its guard letting the loopback
    test host through."""
    return SourceFetcher(
        http_guard(),
        YtDlpResolver(http),
        HttpMediaDownloader(http),
        FfmpegMediaProcessor(ffmpeg_binary()),
        storage,
        FetchLimits(max_bytes=CAP, max_seconds=max_seconds),
        scratch_dir=scratch,
    )


def http_guard() -> UrlGuard:
    return UrlGuard([ALLOWED_HOST], SystemResolver(), [ALLOWED_HOST])


@pytest.fixture
def fetching(tmp_path: Path) -> Iterator[Fetching]:
    http = GuardedHttp(http_guard().check_hop)
    storage = LocalFileStorage(tmp_path / "storage")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    yield Fetching(loopback_fetcher(http, storage, 60, scratch), storage, tmp_path / "storage")
    http.close()
    assert list(scratch.iterdir()) == []  # no partial download is left behind


def url_source(url: str) -> Source:
    return Source("src-1", "owner-1", SourceKind.URL, url, datetime(2026, 1, 1, tzinfo=UTC))


def test_a_media_url_is_streamed_probed_and_stored_with_progress(
    web: Web, fetching: Fetching, small_video: Path
) -> None:
    source = url_source(f"{web.base}/vod.mp4")
    shares: list[float] = []

    key = fetching.fetcher.ensure_stored(source, shares.append)

    assert key == fetched_key(source)
    assert fetching.storage.local_path(key).read_bytes() == small_video.read_bytes()  # type: ignore[union-attr]
    assert shares[-1] == 1.0 and shares == sorted(shares) and len(shares) > 1


def test_a_page_with_a_video_tag_resolves_through_yt_dlp_and_downloads(
    web: Web, fetching: Fetching, small_video: Path
) -> None:
    source = url_source(f"{web.base}/watch")

    key = fetching.fetcher.ensure_stored(source, lambda _: None)

    assert fetching.storage.local_path(key).read_bytes() == small_video.read_bytes()  # type: ignore[union-attr]
    assert web.host.hits[0] == "/watch" and web.host.hits[-1] == "/vod.mp4"


def test_an_hls_vod_is_fetched_segment_by_segment_into_one_playable_file(
    web: Web, fetching: Fetching, hls_files: dict[str, bytes]
) -> None:
    source = url_source(f"{web.base}/hls/index.m3u8")

    key = fetching.fetcher.ensure_stored(source, lambda _: None)

    stored = fetching.storage.local_path(key)
    assert stored is not None
    segments = sorted(name for name in hls_files if name.endswith(".ts"))
    assert stored.stat().st_size == sum(len(hls_files[name]) for name in segments)
    info = FfmpegMediaProcessor(ffmpeg_binary()).probe(stored)
    assert info.has_video and info.duration == pytest.approx(4, abs=0.5)
    assert all(f"/hls/{name}" in web.host.hits for name in segments)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-private", "resolves to a non-public address (127.0.0.1); refused"),
        ("/via-private", "resolves to a non-public address (127.0.0.1); refused"),
        ("/huge.mp4", f"the media is {CAP * 10} bytes, over the limit of {CAP}"),
        ("/endless.mp4", f"over the limit of {CAP}"),
        ("/notes.txt", "not a video file (the server sent text/plain)"),
        ("/page.mp4", "not a video file (the server sent a page)"),
        ("/blank", "Unsupported URL"),
        ("/garbage.mp4", "what it serves is not a video"),
        ("/missing.mp4", "404"),
    ],
)
def test_a_refused_url_is_one_line_and_stores_nothing(
    web: Web, fetching: Fetching, path: str, reason: str
) -> None:
    with pytest.raises(MediaError) as refused:
        fetching.fetcher.ensure_stored(url_source(f"{web.base}{path}"), lambda _: None)

    assert reason in str(refused.value) and "\n" not in str(refused.value)
    assert stored_files(fetching.storage_dir) == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "a source URL must start with http:// or https://"),
        ("http://127.0.0.1:9/x.mp4", "host '127.0.0.1' is not on the list of allowed source hosts"),
    ],
)
def test_a_url_the_guard_refuses_at_once_stores_nothing(
    fetching: Fetching, url: str, reason: str
) -> None:
    with pytest.raises(MediaError, match=reason):
        fetching.fetcher.ensure_stored(url_source(url), lambda _: None)
    assert stored_files(fetching.storage_dir) == []


def test_a_video_longer_than_the_duration_cap_is_refused_after_its_probe(
    web: Web, tmp_path: Path
) -> None:
    http = GuardedHttp(http_guard().check_hop)
    fetcher = loopback_fetcher(http, LocalFileStorage(tmp_path / "storage"), 2)
    with pytest.raises(MediaError, match="longer than the limit of 2 s"):
        fetcher.ensure_stored(url_source(f"{web.base}/vod.mp4"), lambda _: None)
    http.close()
    assert stored_files(tmp_path / "storage") == []


# -- clipnet clip URL ------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The command's settings: the loopback host allowed; its temporary folder left empty."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    for name, value in {
        "CLIPNET_DATA_DIR": str(tmp_path / "data"),
        "CLIPNET_ALLOWED_SOURCE_HOSTS": ALLOWED_HOST,
        "CLIPNET_ALLOWED_SOURCE_ADDRESSES": ALLOWED_HOST,
        "CLIPNET_WHISPER_MODEL": "off",
        "CLIPNET_X264_PRESET": "ultrafast",
    }.items():
        monkeypatch.setenv(name, value)
    yield tmp_path / "data"
    assert list(root.iterdir()) == []


def fetched_files(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("**/sources/*/fetched"))


@pytest.mark.slow
def test_clipnet_clip_downloads_a_media_url_and_clips_it(
    web: Web, cli_env: Path, short_stream: Path, tmp_path: Path
) -> None:
    web.host.routes["/stream.mp4"] = Served("video/mp4", short_stream.read_bytes())
    out = tmp_path / "clips"

    code, output = clip_command(f"{web.base}/stream.mp4", "--out", str(out), "--top", "1")

    assert code == 0, output
    assert "1 clip(s) written" in output
    assert (out / "clips.json").is_file() and (out / "clip-01.mp4").stat().st_size > 0
    (stored,) = fetched_files(cli_env)
    assert stored.read_bytes() == short_stream.read_bytes()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("file:///etc/passwd", "a source URL must start with http:// or https://"),
        ("/to-private", "resolves to a non-public address (127.0.0.1); refused"),
        ("/notes.txt", "not a video file (the server sent text/plain)"),
        ("/huge.mp4", "over the limit of"),
    ],
)
def test_clipnet_clip_refuses_a_bad_url_in_one_line_and_stores_nothing(
    web: Web, cli_env: Path, tmp_path: Path, path: str, reason: str
) -> None:
    url = path if "://" in path else f"{web.base}{path}"
    if path == "/huge.mp4":  # over the configured cap, not the test's
        web.host.routes[path].length = 9 * 1024**3

    code, output = clip_command(url, "--out", str(tmp_path / "clips"))

    assert code == 1
    (line,) = [line for line in output.splitlines() if line.strip()]
    assert line.startswith("clipnet: error: ") and reason in line
    assert "Traceback" not in output
    assert fetched_files(cli_env) == []


# -- clipnet bot link CHANNEL URL ------------------------------------------------------------


def an_embedded_installation_with_a_user(data_dir: Path) -> Container:
    container = build_container(load_settings())
    with container.uow_factory()() as uow:
        uow.users.add(a_user("user-1"))
        uow.commit()
    return container


def test_clipnet_bot_link_fetches_a_vod_link_and_ties_the_channel_to_it(
    web: Web, cli_env: Path, small_video: Path
) -> None:
    container = an_embedded_installation_with_a_user(cli_env)
    url = f"{web.base}/watch"
    args = ["bot", "link", "twitch", "141981764", url, "--owner", "user-1@example.com"]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    link = container.bot_store().find_link(Platform.TWITCH, "141981764")
    assert link is not None and link.owner_id == "user-1"
    with container.uow_factory()() as uow:
        source = uow.sources.get(link.source_id)
    # downloaded and analysed, so !clip knows where the VOD ends
    assert (source.kind, source.location) == (SourceKind.URL, url)
    assert source.status is SourceStatus.ANALYZED and source.duration == pytest.approx(4, abs=0.5)
    (stored,) = fetched_files(cli_env)
    assert stored.read_bytes() == small_video.read_bytes()


def test_clipnet_bot_link_refuses_a_vod_it_cannot_fetch_and_keeps_no_source(
    web: Web, cli_env: Path
) -> None:
    container = an_embedded_installation_with_a_user(cli_env)
    url = f"{web.base}/notes.txt"
    args = ["bot", "link", "twitch", "141981764", url, "--owner", "user-1@example.com"]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"clipnet: {url}: not a video file (the server sent text/plain)"
    ]
    assert container.bot_store().find_link(Platform.TWITCH, "141981764") is None
    with container.uow_factory()() as uow:
        assert uow.sources.list_for_owner("user-1", limit=10) == []
    assert fetched_files(cli_env) == []
