"""Object storage in a dict."""

from __future__ import annotations

import threading
from pathlib import Path

from clipnet.domain.shared.errors import NotFound
from clipnet.ports.storage import StoredObject


class InMemoryStorage:
    def __init__(self, base_url: str = "memory://clips") -> None:
        self._base_url = base_url.rstrip("/")
        self._objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, path: Path, content_type: str = "") -> StoredObject:
        data = Path(path).read_bytes()
        with self._lock:
            self._objects[key] = data
        return StoredObject(key, self.url(key), len(data))

    def fetch(self, key: str, dest: Path) -> Path:
        with self._lock:
            data = self._objects.get(key)
        if data is None:
            raise NotFound("object", key)
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        return dest

    def local_path(self, key: str) -> Path | None:
        if not self.exists(key):
            raise NotFound("object", key)
        return None  # bytes in a dict: there is no file to read in place

    def url(self, key: str, expires_in: int = 3600) -> str:
        return f"{self._base_url}/{key}"

    def exists(self, key: str) -> bool:
        with self._lock:
            return key in self._objects

    def delete(self, key: str) -> None:
        with self._lock:
            self._objects.pop(key, None)

    def keys(self) -> list[str]:
        with self._lock:
            return sorted(self._objects)
