"""URL sources: the SSRF guard's per-hop rule, SourceFetcher's caps and refusals (nothing
stored), and the media pipeline downloading a URL source once, with job.progress events."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from hypothesis import given
from hypothesis import strategies as st

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.inference import ScriptedTranscriber
from clipnet.adapters.memory.media import FakeMediaProcessor
from clipnet.adapters.memory.media_fetch import InMemoryMediaHost
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.jobs.model import JobStatus, JobType
from clipnet.domain.shared.access import Actor, Role
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.media import MediaInfo
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.fetching import FetchLimits, SourceFetcher
from clipnet.domain.sources.media import fetched_key
from clipnet.domain.sources.model import SourceKind, SourceStatus, url_kind
from clipnet.domain.sources.url_guard import UrlGuard
from clipnet.ports.media import MediaError
from clipnet.ports.media_fetch import FetchInterrupted, Progress, RemoteMedia
from tests.builders import a_source, a_user
from tests.containers import app_container, memory_settings

PAGE = "https://www.twitch.tv/videos/123"
MEDIA_URL = "https://cdn.example.net/vod/123.mp4"
VIDEO = b"the bytes of a real video"
INFO = MediaInfo(300.0, True, True, 1920, 1080, 30.0)


class FakeResolver:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    def addresses(self, host: str) -> list[str]:
        return self.table.get(host, [])


def a_guard(allowed_addresses: tuple[str, ...] = ()) -> UrlGuard:
    resolver = FakeResolver(
        {
            "www.twitch.tv": ["151.101.2.167"],
            "cdn.example.net": ["93.184.216.34"],
            "rebound.example.net": ["127.0.0.1"],
            "metadata.example.net": ["169.254.169.254"],
            "lan.example.net": ["10.1.2.3"],
        }
    )
    return UrlGuard(("twitch.tv",), resolver, allowed_addresses)


class ContentKnownMedia(FakeMediaProcessor):
    """The fake media processor, knowing a downloaded file by its bytes (its path is a
    scratch folder's, made up anew by every download)."""

    def __init__(self, known: dict[bytes, MediaInfo], timeline: FeatureTimeline) -> None:
        super().__init__()
        self.known = known
        self.timeline = timeline

    def _known(self, path: Path) -> tuple[MediaInfo, FeatureTimeline | None]:
        if path.is_file() and path.read_bytes() in self.known:
            return self.known[path.read_bytes()], self.timeline
        return super()._known(path)


def a_timeline(seconds: int = 300) -> FeatureTimeline:
    loud = [-40.0] * seconds
    for second in range(140, 160):
        loud[second] = -18.0
    return FeatureTimeline(
        seconds=seconds,
        series={"loudness": loud, "motion": [0.01] * seconds, "speech": [0.0] * seconds},
    )


def a_host(guard: UrlGuard) -> InMemoryMediaHost:
    host = InMemoryMediaHost(guard.check_hop)
    host.pages[PAGE] = RemoteMedia(url=MEDIA_URL, title="VOD", duration=300.0)
    host.files[MEDIA_URL] = VIDEO
    return host


def a_fetcher(
    host: InMemoryMediaHost, storage: InMemoryStorage, limits: FetchLimits | None = None
) -> SourceFetcher:
    media = ContentKnownMedia({VIDEO: INFO}, a_timeline())
    return SourceFetcher(a_guard(), host, host, media, storage, limits or FetchLimits())


# -- the guard -------------------------------------------------------------------------------


def test_a_hop_may_be_on_any_host_but_only_at_public_addresses() -> None:
    guard = a_guard()
    assert guard.check_hop(MEDIA_URL) == MEDIA_URL  # not on the host list, yet allowed
    with pytest.raises(InvalidInput, match="not on the list"):
        guard.check(MEDIA_URL)
    with pytest.raises(InvalidInput, match=r"non-public address \(127\.0\.0\.1\)"):
        guard.check_hop("http://rebound.example.net/x.mp4")  # a public-looking name
    with pytest.raises(InvalidInput, match=r"169\.254\.169\.254"):
        guard.check_hop("http://metadata.example.net/latest/meta-data/")
    with pytest.raises(InvalidInput, match="must start with http"):
        guard.check_hop("file:///etc/passwd")


def test_allowed_addresses_let_a_named_private_network_through_and_nothing_else() -> None:
    guard = a_guard(allowed_addresses=("10.1.2.0/24",))
    assert guard.check_hop("http://lan.example.net/vod.mp4")
    with pytest.raises(InvalidInput, match=r"127\.0\.0\.1"):
        guard.check_hop("http://rebound.example.net/x.mp4")


def test_a_wildcard_host_list_allows_any_host_at_a_public_address() -> None:
    guard = UrlGuard(("*",), FakeResolver({"a.example": ["93.184.216.34"], "b": ["10.0.0.1"]}))
    assert guard.check("https://a.example/v.mp4")
    with pytest.raises(InvalidInput, match="non-public"):
        guard.check("https://b/v.mp4")


@given(st.ip_addresses(v=4, network="10.0.0.0/8"))
def test_every_private_address_is_refused_unless_its_network_is_allowed(
    address: ipaddress.IPv4Address,
) -> None:
    table = {"host.example": [str(address)]}
    with pytest.raises(InvalidInput, match="non-public"):
        UrlGuard((), FakeResolver(table)).check_hop("http://host.example/")
    allowed = UrlGuard((), FakeResolver(table), ("10.0.0.0/8",))
    assert allowed.check_hop("http://host.example/") == "http://host.example/"


def test_an_allowed_address_that_is_not_an_address_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput, match="not an IP address or network"):
        UrlGuard((), FakeResolver({}), ("intranet",))


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.twitch.tv/videos/1", SourceKind.TWITCH),
        ("https://clips.twitch.tv/Some-Clip", SourceKind.TWITCH),
        ("https://www.youtube.com/watch?v=x", SourceKind.YOUTUBE),
        ("https://youtu.be/x", SourceKind.YOUTUBE),
        ("https://kick.com/video/1", SourceKind.URL),
        ("https://nottwitch.tv/v.mp4", SourceKind.URL),
    ],
)
def test_a_url_sources_kind_follows_its_host(url: str, kind: SourceKind) -> None:
    assert url_kind(url) is kind


# -- the fetcher -----------------------------------------------------------------------------


def test_a_page_is_resolved_downloaded_probed_and_stored_with_its_shares() -> None:
    storage = InMemoryStorage()
    source = a_source(kind=SourceKind.TWITCH, location=PAGE)
    shares: list[float] = []

    key = a_fetcher(a_host(a_guard()), storage).ensure_stored(source, shares.append)

    assert key == fetched_key(source) and storage.keys() == [key]
    assert shares[-1] == 1.0 and shares == sorted(shares)


def test_a_stored_copy_is_used_without_resolving_again() -> None:
    storage = InMemoryStorage()
    source = a_source(kind=SourceKind.TWITCH, location=PAGE)
    a_fetcher(a_host(a_guard()), storage).ensure_stored(source, lambda _: None)
    empty_host = InMemoryMediaHost()  # would refuse the page: it knows none

    assert a_fetcher(empty_host, storage).ensure_stored(source, lambda _: None) == fetched_key(
        source
    )


@pytest.mark.parametrize(
    ("page", "limits", "reason"),
    [
        (
            RemoteMedia(url=MEDIA_URL, duration=7 * 3600.0),
            FetchLimits(),
            "25200 s is longer than the limit of 21600 s (CLIPNET_MAX_SOURCE_SECONDS)",
        ),
        (
            RemoteMedia(url=MEDIA_URL, size=9 * 1024**3),
            FetchLimits(),
            "over the limit of 8589934592 (CLIPNET_MAX_SOURCE_BYTES)",
        ),
        (RemoteMedia(url="http://rebound.example.net/x.mp4"), FetchLimits(), "127.0.0.1"),
        (RemoteMedia(url=MEDIA_URL), FetchLimits(max_bytes=len(VIDEO) - 1), "over the limit"),
    ],
)
def test_a_page_over_a_cap_or_leading_to_a_private_address_stores_nothing(
    page: RemoteMedia, limits: FetchLimits, reason: str
) -> None:
    host = a_host(a_guard())
    host.pages[PAGE] = page
    storage = InMemoryStorage()

    with pytest.raises(MediaError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        a_fetcher(host, storage, limits).ensure_stored(
            a_source(kind=SourceKind.TWITCH, location=PAGE), lambda _: None
        )
    assert storage.keys() == []


def test_a_url_the_guard_refuses_is_refused_before_anything_is_asked() -> None:
    storage = InMemoryStorage()
    source = a_source(kind=SourceKind.URL, location="https://elsewhere.example/v.mp4")

    with pytest.raises(MediaError, match="not on the list of allowed source hosts"):
        a_fetcher(InMemoryMediaHost(), storage).ensure_stored(source, lambda _: None)
    assert storage.keys() == []


def test_a_download_that_is_not_a_video_is_refused_and_not_stored() -> None:
    host = a_host(a_guard())
    host.files[MEDIA_URL] = b"<html>an error page</html>"
    storage = InMemoryStorage()

    with pytest.raises(MediaError, match="what it serves is not a video"):
        a_fetcher(host, storage).ensure_stored(
            a_source(kind=SourceKind.TWITCH, location=PAGE), lambda _: None
        )
    assert storage.keys() == []


# -- the pipeline ----------------------------------------------------------------------------


class BrokenHost(InMemoryMediaHost):
    def download(self, media: RemoteMedia, dest: Path, max_bytes: int, progress: Progress) -> Path:
        raise FetchInterrupted("cdn.example.net: the transfer broke off")


class World:
    def __init__(self, tmp_path: Path, host: InMemoryMediaHost) -> None:
        self.queue = RecordingJobQueue()
        self.storage = InMemoryStorage()
        self.host = host
        media = ContentKnownMedia({VIDEO: INFO}, a_timeline())
        self.container = app_container(
            memory_settings(tmp_path),
            queue=self.queue,
            clock=ManualClock(),
            ids=SequentialIds("id"),
            media=media,
            storage=self.storage,
            transcriber=ScriptedTranscriber(available=False),
        )
        self.container.source_fetcher.override(
            providers.Object(SourceFetcher(a_guard(), host, host, media, self.storage))
        )
        with self.uow() as uow:
            uow.users.add(a_user())
            uow.sources.add(a_source(kind=SourceKind.TWITCH, location=PAGE, duration=0.0))
            uow.commit()

    def uow(self) -> Any:
        return self.container.uow_factory()()

    def process(self) -> Any:
        clip = self.container.lifecycle().request("source-1", "user-1", TimeSpan(135, 165))
        job = [j for j in self.queue.jobs if j.type is JobType.CLIP_PROCESS][-1]
        return clip, self.container.job_runner().run(job.id)

    def events(self) -> list[dict[str, Any]]:
        found = asyncio.run(self.container.event_log().read("user-1", "0", 0))
        return [dict(e.data, kind=e.kind) for e in found]


def test_a_url_sources_first_clip_downloads_it_once_telling_its_owner_how_far(
    tmp_path: Path,
) -> None:
    world = World(tmp_path, a_host(a_guard()))

    clip, job = world.process()
    world.host.files.clear()  # a second download would fail
    _, second_job = world.process()

    assert job.status is JobStatus.SUCCEEDED and second_job.status is JobStatus.SUCCEEDED
    with world.uow() as uow:
        assert uow.clips.get(clip.id).status is ClipStatus.SCORING
        source = uow.sources.get("source-1")
    assert source.status is SourceStatus.ANALYZED and source.duration == 300.0
    assert world.storage.keys() == [fetched_key(source)]
    progress = [e for e in world.events() if e["kind"] == "job.progress"]
    stages = [(e["stage"], e["percent"]) for e in progress]
    downloading = [p for s, p in stages if s == "downloading"]
    assert downloading[0] == 0 and downloading[-1] == 100
    assert stages.index(("downloading", 100)) < stages.index(("analyzing", 0))


def test_a_refused_url_source_fails_for_good_with_its_reason(tmp_path: Path) -> None:
    host = a_host(a_guard())
    host.pages[PAGE] = RemoteMedia(url="http://metadata.example.net/latest/")
    world = World(tmp_path, host)

    clip, job = world.process()

    assert job.status is JobStatus.DEAD and job.attempts == 1
    with world.uow() as uow:
        failed = uow.clips.get(clip.id)
        source = uow.sources.get("source-1")
    assert failed.status is ClipStatus.FAILED and "169.254.169.254" in failed.last_error
    assert source.status is SourceStatus.FAILED and "169.254.169.254" in source.last_error
    assert world.storage.keys() == []


def test_a_broken_transfer_is_retried_later_and_does_not_fail_the_source(tmp_path: Path) -> None:
    host = BrokenHost(a_guard().check_hop)
    host.pages[PAGE] = RemoteMedia(url=MEDIA_URL)
    world = World(tmp_path, host)

    clip, job = world.process()

    assert job.status is JobStatus.FAILED and job.attempts < job.max_attempts  # to be retried
    with world.uow() as uow:
        assert uow.clips.get(clip.id).status is ClipStatus.QUEUED
        assert uow.sources.get("source-1").status is not SourceStatus.FAILED
    assert world.storage.keys() == []


def test_deleting_a_url_source_deletes_its_downloaded_media(tmp_path: Path) -> None:
    world = World(tmp_path, a_host(a_guard()))
    world.process()
    assert world.storage.keys()

    world.container.sources_service().delete(Actor("user-1", Role.USER), "source-1")

    assert world.storage.keys() == []
