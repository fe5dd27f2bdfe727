"""FileCache: one local copy per stored key for every job on the machine, within a size cap."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.adapters.file_cache import FileCache


def writer(content: bytes, calls: list[str], delay: float = 0.0):  # type: ignore[no-untyped-def]
    def fill(path: Path) -> None:
        calls.append(path.name)
        time.sleep(delay)
        path.write_bytes(content)

    return fill


def test_a_key_is_fetched_once_and_then_read_from_the_cache(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", max_bytes=10_000)
    calls: list[str] = []
    first = cache.get("sources/s1.mp4", writer(b"video", calls))
    again = cache.get("sources/s1.mp4", writer(b"other", calls))
    assert first == again and first.read_bytes() == b"video"
    assert len(calls) == 1
    assert first.suffix == ".mp4"  # FFmpeg still sees the container format


def test_jobs_asking_at_once_for_one_key_fetch_it_once(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", max_bytes=10_000)
    calls: list[str] = []
    found: list[Path] = []
    threads = [
        threading.Thread(target=lambda: found.append(cache.get("k.mp4", writer(b"v", calls, 0.2))))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(set(found)) == 1


def test_the_least_recently_used_copies_go_first_when_over_the_cap(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", max_bytes=250)
    calls: list[str] = []
    a = cache.get("a.mp4", writer(b"a" * 100, calls))
    b = cache.get("b.mp4", writer(b"b" * 100, calls))
    os.utime(b, (time.time() - 100, time.time() - 100))  # b used long ago
    os.utime(a, (time.time() - 50, time.time() - 50))
    c = cache.get("c.mp4", writer(b"c" * 100, calls))
    assert a.exists() and c.exists() and not b.exists()
    assert cache.get("b.mp4", writer(b"b" * 100, calls)).exists()  # fetched again
    assert len(calls) == 4


def test_a_copy_bigger_than_the_cap_is_still_given_and_kept_until_the_next(
    tmp_path: Path,
) -> None:
    cache = FileCache(tmp_path / "cache", max_bytes=10)
    big = cache.get("big.mp4", writer(b"x" * 100, []))
    assert big.read_bytes() == b"x" * 100
    other = cache.get("other.mp4", writer(b"y" * 5, []))
    assert other.exists() and not big.exists()


def test_a_fetch_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", max_bytes=1000)

    def broken(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError("connection reset")

    with pytest.raises(OSError):
        cache.get("a.mp4", broken)
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.is_file()] == []
    assert cache.get("a.mp4", writer(b"whole", [])).read_bytes() == b"whole"


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 60), min_size=1, max_size=12))
def test_the_cache_holds_at_most_its_cap_beyond_the_copy_just_asked_for(
    sizes: list[int],
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        cache = FileCache(Path(folder), max_bytes=100)
        for n, size in enumerate(sizes):
            latest = cache.get(f"k{n}.bin", writer(b"z" * size, []))
            held = [p for p in Path(folder).iterdir() if p.is_file()]
            total = sum(p.stat().st_size for p in held)
            assert latest in held
            assert total <= max(100, size)
