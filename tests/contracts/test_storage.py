"""The object-storage contract, for every storage adapter."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.local_files import LocalFileStorage
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.domain.shared.errors import NotFound
from clipnet.domain.shared.scratch import PARTIAL, partial_prefix
from clipnet.ports.storage import ObjectStorage
from tests.loopback.cloudinary import cloudinary_for_test
from tests.unit.test_scratch import exited_pid

STORAGE_BACKENDS = ["memory", "local", "cloudinary"]


@pytest.fixture(params=STORAGE_BACKENDS)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStorage:
    if request.param == "memory":
        return InMemoryStorage()
    if request.param == "local":
        return LocalFileStorage(tmp_path / "store")
    if request.param == "cloudinary":  # the SDK against a loopback Cloudinary
        return cloudinary_for_test(request)
    raise AssertionError(f"no builder for storage backend {request.param!r}")


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    return path


def test_a_stored_object_comes_back_byte_for_byte(
    storage: ObjectStorage, video: Path, tmp_path: Path
) -> None:
    stored = storage.put("clips/clip-1/video.mp4", video, "video/mp4")
    assert stored.key == "clips/clip-1/video.mp4"
    assert stored.size == video.stat().st_size
    assert stored.url
    copy = storage.fetch("clips/clip-1/video.mp4", tmp_path / "out" / "copy.mp4")
    assert copy.read_bytes() == video.read_bytes()


def test_putting_again_replaces_the_object(
    storage: ObjectStorage, video: Path, tmp_path: Path
) -> None:
    storage.put("a/b.bin", video)
    smaller = tmp_path / "small.bin"
    smaller.write_bytes(b"new")
    assert storage.put("a/b.bin", smaller).size == 3
    assert storage.fetch("a/b.bin", tmp_path / "x.bin").read_bytes() == b"new"


def test_a_missing_object_is_not_found(storage: ObjectStorage, tmp_path: Path) -> None:
    assert not storage.exists("nope/x.mp4")
    with pytest.raises(NotFound):
        storage.fetch("nope/x.mp4", tmp_path / "x.mp4")


def test_a_deleted_object_is_gone_and_deleting_twice_is_fine(
    storage: ObjectStorage, video: Path
) -> None:
    storage.put("clips/c/video.mp4", video)
    assert storage.exists("clips/c/video.mp4")
    storage.delete("clips/c/video.mp4")
    storage.delete("clips/c/video.mp4")
    assert not storage.exists("clips/c/video.mp4")


def test_each_key_has_its_own_url(storage: ObjectStorage, video: Path) -> None:
    storage.put("k/one.mp4", video)
    storage.put("k/two.mp4", video)
    assert storage.url("k/one.mp4") != storage.url("k/two.mp4")


def test_local_storage_refuses_keys_that_escape_its_folder(tmp_path: Path, video: Path) -> None:
    from clipnet.domain.shared.errors import InvalidInput

    local = LocalFileStorage(tmp_path / "store")
    for key in ("../outside.mp4", "/etc/passwd", "a/../../b"):
        with pytest.raises(InvalidInput):
            local.put(key, video)
    assert not (tmp_path / "outside.mp4").exists()


def test_local_storage_removes_what_a_writer_killed_midway_left_and_keeps_live_ones(
    tmp_path: Path, video: Path
) -> None:
    # given the folder of a clip whose render's worker was killed while copying its video
    local = LocalFileStorage(tmp_path / "store")
    folder = tmp_path / "store" / "clips" / "c1"
    folder.mkdir(parents=True)
    killed = folder / f"{PARTIAL}{exited_pid()}.12345-abc"
    killed.write_bytes(b"half a video")
    writing = folder / f"{partial_prefix()}def"  # a live writer's (this process)
    writing.write_bytes(b"being written")
    # when the job's next run stores the clip's files there
    local.put("clips/c1/video.mp4", video, "video/mp4")
    local.put("clips/c1/thumbnail.jpg", video, "image/jpeg")
    # then the dead writer's partial file is gone; the live one's stays, nothing else is left
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["thumbnail.jpg", "video.mp4", writing.name]
    )


def test_a_local_copy_that_fails_leaves_no_partial_file(tmp_path: Path) -> None:
    local = LocalFileStorage(tmp_path / "store")
    with pytest.raises(IsADirectoryError):
        local.put("clips/c1/video.mp4", tmp_path)  # a folder cannot be read as a file
    assert list((tmp_path / "store" / "clips" / "c1").iterdir()) == []


def test_a_local_path_if_there_is_one_holds_the_stored_bytes(
    storage: ObjectStorage, video: Path
) -> None:
    storage.put("sources/s1.mp4", video, "video/mp4")
    local = storage.local_path("sources/s1.mp4")
    assert local is None or local.read_bytes() == video.read_bytes()
    if local is not None:  # it looks for files: a missing object is not found
        with pytest.raises(NotFound):
            storage.local_path("nope/x.mp4")
