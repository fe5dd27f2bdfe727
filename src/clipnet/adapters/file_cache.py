"""Local copies of remote objects, shared by every job on this machine.

A remote storage (Cloudinary) has no file to read in place, and each job of a source used to
fetch the whole source again. The cache keeps one copy per stored key in a folder, at most
``max_bytes`` in all: the least recently used copies go first. A per-key lock file makes two
jobs (threads or processes) that want the same source fetch it once; a copy is written
beside its name and renamed into place, so no job reads half a file. A copy in use when it is
evicted stays readable by whoever has it open (POSIX unlink), and stored keys are never
rewritten (a source keeps its upload's key), so a cached copy cannot go stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

_LOCKS = ".locks"


class FileCache:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self._folder = Path(folder)
        self._max_bytes = max_bytes
        # flock is per open file, so two threads would each get it: a lock per key too.
        self._guard = threading.Lock()
        self._thread_locks: dict[str, threading.Lock] = {}

    def get(self, key: str, fill: Callable[[Path], object]) -> Path:
        """The cached copy of ``key``; ``fill(path)`` writes it there first when there is
        none (an error leaves nothing behind)."""
        target = self._folder / _file_name(key)
        with self._locked(target.name):
            if target.is_file():
                os.utime(target)  # used now: last in line for eviction
                return target
            partial = target.with_name(f".partial-{target.name}")
            try:
                fill(partial)
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
            log.info("cached %s (%d bytes)", key, target.stat().st_size)
        self._evict(keep=target)
        return target

    def _evict(self, keep: Path) -> None:
        copies = [p for p in self._folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        total = sum(p.stat().st_size for p in copies)
        for oldest in sorted(copies, key=lambda p: p.stat().st_mtime):
            if total <= self._max_bytes:
                return
            if oldest == keep:
                continue  # the one just asked for stays, even alone over the cap
            size = oldest.stat().st_size
            oldest.unlink(missing_ok=True)
            total -= size
            log.info("evicted %s from the source cache (%d bytes)", oldest.name, size)

    @contextlib.contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        locks = self._folder / _LOCKS
        locks.mkdir(parents=True, exist_ok=True)
        with self._guard:
            thread_lock = self._thread_locks.setdefault(name, threading.Lock())
        with thread_lock, (locks / name).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _file_name(key: str) -> str:
    """A flat, safe name per key (the suffix kept, so FFmpeg sees the container format)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    suffix = Path(key).suffix
    return digest + (suffix if suffix.isascii() and suffix[1:].isalnum() else "")
