"""Contracts of the small ports: clock, ids, secret box and publishers (chat: test_chat.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.crypto import FernetSecretBox, load_or_create_key_file, new_key
from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.platforms import InMemoryPublisher
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.publisher import Publisher
from clipnet.ports.secrets import SecretBox
from tests.builders import an_account
from tests.loopback.tiktok import tiktok_for_test
from tests.loopback.youtube import youtube_for_test


@pytest.fixture(params=["system", "manual"])
def clock(request: pytest.FixtureRequest) -> Clock:
    return SystemClock() if request.param == "system" else ManualClock()


@pytest.fixture(params=["time-ordered", "sequential"])
def ids(request: pytest.FixtureRequest) -> IdGenerator:
    return TimeOrderedIds() if request.param == "time-ordered" else SequentialIds("x")


@pytest.fixture(params=["fernet"])
def secret_box(request: pytest.FixtureRequest) -> SecretBox:
    return FernetSecretBox.ephemeral()


@pytest.fixture(params=["memory", "youtube", "tiktok"])
def publisher(request: pytest.FixtureRequest) -> Publisher:
    if request.param == "youtube":  # over HTTP, against a loopback YouTube
        return youtube_for_test(request)[1]
    if request.param == "tiktok":
        return tiktok_for_test(request)[1]
    return InMemoryPublisher(Platform.YOUTUBE)


def test_the_clock_is_timezone_aware_utc(clock: Clock) -> None:
    now = clock.now()
    assert now.utcoffset() is not None and now.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_ids_are_unique_and_sort_in_creation_order(ids: IdGenerator) -> None:
    made = [ids.new_id() for _ in range(2000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)


def test_a_sealed_secret_opens_and_never_shows_the_plaintext(secret_box: SecretBox) -> None:
    sealed = secret_box.seal("oauth-access-token-1234")
    assert "oauth-access-token-1234" not in sealed
    assert secret_box.open(sealed) == "oauth-access-token-1234"
    assert secret_box.seal("same") != secret_box.seal("same")  # random IV: no equality leak


def test_a_tampered_secret_does_not_open(secret_box: SecretBox) -> None:
    sealed = secret_box.seal("token")
    flipped = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    with pytest.raises(ValueError):
        secret_box.open(flipped)


def test_rotated_keys_still_open_old_secrets() -> None:
    old_key, new = new_key(), new_key()
    old_box = FernetSecretBox([old_key])
    sealed = old_box.seal("legacy")
    rotated_box = FernetSecretBox([new, old_key])
    assert rotated_box.open(sealed) == "legacy"
    resealed = rotated_box.rotate(sealed)
    assert FernetSecretBox([new]).open(resealed) == "legacy"
    with pytest.raises(ValueError):
        FernetSecretBox([new_key()]).open(sealed)


def test_the_embedded_key_file_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secret.key"
    first = load_or_create_key_file(path)
    assert load_or_create_key_file(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_a_publish_with_one_key_posts_once(publisher: Publisher, tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(b"video")
    meta = ClipMetadata("Title", "Description", ("#gg",))
    account = an_account(provider=publisher.platform)
    first = publisher.publish(video, meta, account, "post:youtube:clip-1")
    again = publisher.publish(video, meta, account, "post:youtube:clip-1")
    assert first == again and first.remote_id and first.url
