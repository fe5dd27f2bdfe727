"""The Cloudinary storage adapter, through the real SDK, against a loopback Cloudinary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from clipnet.adapters.cloudinary_storage import CloudinaryAccount, CloudinaryStorage
from clipnet.adapters.file_cache import FileCache
from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.ports.storage import StorageError
from tests.loopback.cloudinary import FakeCloudinary, fake_cloudinary, signature_of


@pytest.fixture
def fake() -> Iterator[FakeCloudinary]:
    with fake_cloudinary() as running:
        yield running


def storage_on(
    fake: FakeCloudinary, folder: str = "staging_clips", **options: object
) -> CloudinaryStorage:
    options.setdefault("sleep", lambda _s: None)
    return CloudinaryStorage.from_url(fake.url, folder, api_base=fake.base_url, **options)  # type: ignore[arg-type]


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 300)
    return path


def test_objects_land_under_the_environments_folder_with_their_resource_type(
    fake: FakeCloudinary, video: Path, tmp_path: Path
) -> None:
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(b"\xff\xd8\xff jpeg")
    storage = storage_on(fake, "prod_clips")
    storage.put("clips/c1/video.mp4", video, "video/mp4")
    storage.put("clips/c1/thumb.jpg", thumb, "image/jpeg")
    storage.put("clips/c1/captions.ass", thumb)
    assert set(fake.assets) == {
        ("video", "authenticated", "prod_clips/clips/c1/video.mp4"),
        ("image", "authenticated", "prod_clips/clips/c1/thumb.jpg"),
        ("raw", "authenticated", "prod_clips/clips/c1/captions.ass"),
    }
    assert fake.assets["video", "authenticated", "prod_clips/clips/c1/video.mp4"].format == "mp4"


def test_staging_and_production_do_not_see_each_others_objects(
    fake: FakeCloudinary, video: Path
) -> None:
    staging, production = storage_on(fake, "staging_clips"), storage_on(fake, "prod_clips")
    staging.put("clips/c1/video.mp4", video)
    assert staging.exists("clips/c1/video.mp4")
    assert not production.exists("clips/c1/video.mp4")
    production.delete("clips/c1/video.mp4")
    assert staging.exists("clips/c1/video.mp4")


def test_a_wrong_api_secret_is_refused_with_a_clear_error(
    fake: FakeCloudinary, video: Path
) -> None:
    wrong = CloudinaryStorage(
        CloudinaryAccount(fake.cloud, fake.api_key, "not-the-secret"),
        "staging_clips",
        api_base=fake.base_url,
    )
    with pytest.raises(StorageError, match="refused the credentials of CLIPNET_CLOUDINARY_URL"):
        wrong.put("clips/c1/video.mp4", video)
    with pytest.raises(StorageError, match="refused the credentials"):
        wrong.exists("clips/c1/video.mp4")  # the Admin API: basic auth, also refused
    assert fake.assets == {}


def test_the_url_is_signed_and_downloads_the_object(fake: FakeCloudinary, video: Path) -> None:
    storage = storage_on(fake)
    storage.put("clips/c1/video.mp4", video)
    url = storage.url("clips/c1/video.mp4", expires_in=60)
    query = dict(parse_qsl(urlsplit(url).query))
    assert {"signature", "expires_at", "timestamp", "api_key"} <= set(query)
    assert fake.api_secret not in url
    assert httpx.get(url).content == video.read_bytes()


def test_a_tampered_url_is_refused(fake: FakeCloudinary, video: Path, tmp_path: Path) -> None:
    storage = storage_on(fake)
    storage.put("clips/c1/video.mp4", video)
    storage.put("clips/c2/video.mp4", video)
    url = storage.url("clips/c1/video.mp4")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["public_id"] = "staging_clips/clips/c2/video"
    tampered = parts._replace(query=urlencode(query)).geturl()
    assert httpx.get(tampered).status_code == 401


def test_an_expired_url_is_refused(fake: FakeCloudinary, video: Path) -> None:
    storage_on(fake).put("clips/c1/video.mp4", video)
    an_hour_ago = storage_on(fake, clock=lambda: fake.clock() - 3000)
    url = an_hour_ago.url("clips/c1/video.mp4", expires_in=600)
    assert httpx.get(url).status_code == 401


def test_a_big_file_is_uploaded_in_chunks_and_arrives_intact(
    fake: FakeCloudinary, tmp_path: Path
) -> None:
    source = tmp_path / "source.mp4"
    source.write_bytes(bytes(range(256)) * 4000)  # 1 024 000 bytes
    stored = storage_on(fake, chunk_size=300_000).put("sources/s1.mp4", source)
    assert stored.size == source.stat().st_size
    assert fake.requests.count("POST /v1_1/demo-cloud/video/upload") == 4
    asset = fake.assets["video", "authenticated", "staging_clips/sources/s1.mp4"]
    assert asset.data == source.read_bytes()


def test_rate_limits_and_server_errors_are_retried(
    fake: FakeCloudinary, video: Path, tmp_path: Path
) -> None:
    waits: list[float] = []
    storage = storage_on(fake, sleep=waits.append)
    fake.fail_next = [420, 500]
    storage.put("clips/c1/video.mp4", video)
    fake.fail_next = [503]
    copy = storage.fetch("clips/c1/video.mp4", tmp_path / "copy.mp4")
    assert copy.read_bytes() == video.read_bytes()
    assert len(waits) == 3


def test_a_storage_that_stays_down_fails_with_a_clear_error(
    fake: FakeCloudinary, video: Path
) -> None:
    storage = storage_on(fake, retries=2, folder_mode="dynamic")  # no Admin API call first
    fake.fail_next = [503, 503, 503]
    with pytest.raises(StorageError, match=r"Cloudinary could not upload 'clips/c1/video\.mp4'"):
        storage.put("clips/c1/video.mp4", video)


def test_fetching_a_missing_object_is_not_found(fake: FakeCloudinary, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        storage_on(fake).fetch("clips/none/video.mp4", tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize("key", ["", "/abs.mp4", "a/../b.mp4", "a//b.mp4", "a?b.mp4", "a%2f.mp4"])
def test_keys_cloudinary_cannot_hold_are_refused(fake: FakeCloudinary, key: str) -> None:
    with pytest.raises(InvalidInput):
        storage_on(fake).url(key)


def test_the_connection_url_must_name_key_secret_and_cloud() -> None:
    account = CloudinaryAccount.from_url("cloudinary://key:se%40cret@MyCloud")
    assert account == CloudinaryAccount("MyCloud", "key", "se@cret")
    assert "se@cret" not in repr(account)
    for bad in ("cloudinary://key@cloud", "https://key:secret@cloud", "cloudinary://k:s@"):
        with pytest.raises(ValueError, match="CLIPNET_CLOUDINARY_URL"):
            CloudinaryAccount.from_url(bad)
    with pytest.raises(ValueError, match="must be set"):
        CloudinaryStorage.from_url("", "staging_clips")


def test_the_fake_checks_signatures_as_cloudinary_documents_them() -> None:
    # The example from Cloudinary's "Generating authentication signatures" page.
    params = {
        "eager": "w_400,h_300,c_pad|w_260,h_200,c_crop",
        "public_id": "sample_image",
        "timestamp": "1315060510",
    }
    assert signature_of(params, "abcd") == "bfd09f95f331f558cbd1320e67aa8d488770583e"


def test_an_unreachable_cloudinary_is_a_clear_storage_error(video: Path, tmp_path: Path) -> None:
    with fake_cloudinary() as stopped:
        pass  # its port is closed now
    storage = storage_on(stopped, retries=1)
    with pytest.raises(StorageError, match="Cloudinary could not upload"):
        storage.put("clips/c1/video.mp4", video)
    with pytest.raises(StorageError, match="Cloudinary could not download"):
        storage.fetch("clips/c1/video.mp4", tmp_path / "x.mp4")


# -- folder modes ----------------------------------------------------------------------------

KEYS = ("clips/c1/video.mp4", "clips/c1/thumb.jpg", "clips/c1/captions.ass")


def put_all(storage: CloudinaryStorage, video: Path) -> None:
    for key in KEYS:
        storage.put(key, video)


def test_in_a_dynamic_folder_account_assets_go_to_their_asset_folder(
    fake: FakeCloudinary, video: Path
) -> None:
    fake.folder_mode = "dynamic"
    storage = storage_on(fake)  # auto: it asks the account
    put_all(storage, video)
    assert fake.in_folder("staging_clips/clips/c1") == {f"staging_clips/{key}" for key in KEYS}
    assert fake.in_folder("") == set()  # nothing fell to the root
    # The public id keeps its prefix (environments stay apart, URLs unchanged) …
    assert ("video", "authenticated", "staging_clips/clips/c1/video.mp4") in fake.assets
    # … and the mode was asked once, of the Admin API, for all three uploads.
    assert fake.requests.count("GET /v1_1/demo-cloud/config") == 1
    assert storage.folder_mode() == "dynamic"


def test_in_a_fixed_folder_account_the_prefix_places_assets_and_no_asset_folder_is_sent(
    fake: FakeCloudinary, video: Path
) -> None:
    fake.folder_mode = "fixed"
    storage = storage_on(fake)
    put_all(storage, video)
    assert fake.in_folder("staging_clips/clips/c1") == {f"staging_clips/{key}" for key in KEYS}
    assert all("asset_folder" not in asset.fields for asset in fake.assets.values())
    assert storage.folder_mode() == "fixed"


def test_a_prefix_alone_leaves_a_dynamic_folder_accounts_assets_at_the_root(
    fake: FakeCloudinary, video: Path
) -> None:
    # What ClipNET did before: the fake shows why it was wrong on today's accounts.
    fake.folder_mode = "dynamic"
    storage = storage_on(fake, folder_mode="fixed")
    storage.put("clips/c1/video.mp4", video)
    assert fake.in_folder("") == {"staging_clips/clips/c1/video.mp4"}
    assert fake.in_folder("staging_clips/clips/c1") == set()


def test_a_configured_folder_mode_asks_nothing_of_the_admin_api(
    fake: FakeCloudinary, video: Path
) -> None:
    storage = storage_on(fake, folder_mode="dynamic")
    storage.put("clips/c1/video.mp4", video)
    assert fake.in_folder("staging_clips/clips/c1") == {"staging_clips/clips/c1/video.mp4"}
    assert not any("/config" in r for r in fake.requests)


def test_a_big_file_in_chunks_also_lands_in_its_asset_folder(
    fake: FakeCloudinary, tmp_path: Path
) -> None:
    source = tmp_path / "source.mp4"
    source.write_bytes(bytes(range(256)) * 1000)
    storage = storage_on(fake, chunk_size=100_000)
    storage.put("sources/s1.mp4", source)
    assert fake.in_folder("staging_clips/sources") == {"staging_clips/sources/s1.mp4"}


def test_when_the_admin_api_cannot_say_the_asset_still_lands_in_its_folder(
    fake: FakeCloudinary, video: Path
) -> None:
    fake.folder_mode = "fixed"
    storage = storage_on(fake, retries=1)
    fake.fail_next = [420, 420]  # the Admin API's hourly limit, twice: the lookup gives up
    storage.put("clips/c1/video.mp4", video)
    assert fake.in_folder("staging_clips/clips/c1") == {"staging_clips/clips/c1/video.mp4"}
    storage.put("clips/c1/thumb.jpg", video)  # asked again, and answered this time
    assert storage.folder_mode() == "fixed"
    assert fake.requests.count("GET /v1_1/demo-cloud/config") == 3


def test_an_unknown_folder_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="folder_mode must be one of auto, dynamic, fixed"):
        CloudinaryStorage(CloudinaryAccount("c", "k", "s"), "f", folder_mode="flexible")


def test_jobs_on_one_machine_share_one_cached_copy_of_a_source(
    fake: FakeCloudinary, video: Path, tmp_path: Path
) -> None:
    cache = FileCache(tmp_path / "cache", max_bytes=10 * 1024**2)
    storage = storage_on(fake, cache=cache)
    storage.put("sources/s1.mp4", video, "video/mp4")
    before = len([r for r in fake.requests if r.endswith("/download")])
    first = storage.local_path("sources/s1.mp4")
    second = CloudinaryStorage.from_url(  # another job's storage, the same machine's cache
        fake.url, "staging_clips", api_base=fake.base_url, cache=cache
    ).local_path("sources/s1.mp4")
    downloads = len([r for r in fake.requests if r.endswith("/download")]) - before
    assert first == second and first is not None
    assert first.read_bytes() == video.read_bytes()
    assert downloads == 1


def test_without_a_cache_a_cloudinary_source_has_no_local_path(
    fake: FakeCloudinary, video: Path
) -> None:
    storage = storage_on(fake)
    storage.put("sources/s1.mp4", video, "video/mp4")
    assert storage.local_path("sources/s1.mp4") is None
