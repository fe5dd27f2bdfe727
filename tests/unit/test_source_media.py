"""SourceMedia: one way to get a local file of a source's media."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.local_files import LocalFileStorage
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.domain.shared.errors import PermanentJobError
from clipnet.domain.sources.media import SourceMedia, fetched_key
from clipnet.domain.sources.model import SourceKind
from tests.builders import a_source


def test_a_local_source_is_used_in_place(tmp_path: Path) -> None:
    source = a_source(kind=SourceKind.LOCAL, location="/media/vod.mp4")

    with SourceMedia(InMemoryStorage(), tmp_path).local_file(source) as path:
        assert path == Path("/media/vod.mp4")

    assert list(tmp_path.iterdir()) == []  # nothing was copied


def test_a_stored_upload_is_fetched_to_scratch_and_removed_after(tmp_path: Path) -> None:
    storage = InMemoryStorage()
    (tmp_path / "upload.mp4").write_bytes(b"the video")
    storage.put("sources/source-1.mp4", tmp_path / "upload.mp4")
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    with SourceMedia(storage, scratch).local_file(a_source()) as path:
        assert path.read_bytes() == b"the video"
        assert path.suffix == ".mp4" and path.is_relative_to(scratch)

    assert not path.exists() and list(scratch.iterdir()) == []


def test_an_upload_in_local_storage_is_read_in_place_not_copied(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "media")
    (tmp_path / "upload.mp4").write_bytes(b"the video")
    storage.put("sources/source-1.mp4", tmp_path / "upload.mp4")
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    with SourceMedia(storage, scratch).local_file(a_source()) as path:
        assert path == tmp_path / "media" / "sources" / "source-1.mp4"

    assert path.read_bytes() == b"the video"  # the stored file itself, left as it was
    assert list(scratch.iterdir()) == []  # and no copy was made


def test_a_url_source_is_read_from_its_downloaded_copy(tmp_path: Path) -> None:
    storage = InMemoryStorage()
    source = a_source(kind=SourceKind.URL, location="https://example.com/v.mp4")
    downloaded = tmp_path / "downloaded.mp4"
    downloaded.write_bytes(b"the downloaded video")
    storage.put(fetched_key(source), downloaded)

    with SourceMedia(storage, tmp_path).local_file(source) as path:
        assert path.read_bytes() == b"the downloaded video"


def test_a_url_source_that_was_never_downloaded_has_no_local_file(tmp_path: Path) -> None:
    source = a_source(kind=SourceKind.URL, location="https://example.com/v.mp4")

    with (
        pytest.raises(PermanentJobError, match="source-1: its media has not been downloaded"),
        SourceMedia(InMemoryStorage(), tmp_path).local_file(source),
    ):
        pass
