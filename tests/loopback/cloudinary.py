"""A loopback Cloudinary: the Upload API (upload, chunked upload, destroy, signed download)
and the Admin API's resource lookup, with signatures checked the way Cloudinary checks them.

Upload API requests are signed: SHA-1 of the sorted ``key=value`` pairs (``&`` in a pair
escaped as ``%26``) joined by ``&``, followed by the API secret. The Admin API uses HTTP Basic
auth with the key and secret. A bad signature or stale timestamp is answered 401.

Folder modes: the fake is a *dynamic folder* environment (every account made since June 2024)
unless ``folder_mode`` is "fixed". In dynamic mode an asset's Media Library folder is the
``asset_folder`` it was uploaded with (the root without one), whatever its public id's prefix;
answers carry ``asset_folder`` and ``display_name``. In fixed mode the folder is the public
id's prefix. The Admin API's ``config`` (with ``settings=true``) names the mode.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import attrs
import pytest

from clipnet.adapters.cloudinary_storage import CloudinaryStorage
from clipnet.adapters.file_cache import FileCache
from tests.loopback.server import JsonHandler, parse_multipart, serve

UNSIGNED = frozenset({"file", "api_key", "signature", "resource_type", "cloud_name"})


def signature_of(params: dict[str, str], secret: str) -> str:
    """Cloudinary's request signature, written from its documentation (not the SDK's code)."""
    pairs = sorted(f"{k}={v}".replace("&", "%26") for k, v in params.items() if v != "")
    return hashlib.sha1(("&".join(pairs) + secret).encode()).hexdigest()


@attrs.define
class StoredAsset:
    data: bytes
    format: str
    version: int
    folder: str = ""
    """Its Media Library folder ("" is the root)."""
    fields: dict[str, str] = attrs.Factory(dict)
    """The upload's parameters, as sent."""


@attrs.define
class FakeCloudinary:
    cloud: str = "demo-cloud"
    api_key: str = "123456789012345"
    api_secret: str = "s3cr3t-abc"
    base_url: str = ""
    assets: dict[tuple[str, str, str], StoredAsset] = attrs.Factory(dict)
    """(resource type, delivery type, public id) -> the asset."""
    partial: dict[str, bytearray] = attrs.Factory(dict)
    first_chunk: dict[str, dict[str, str]] = attrs.Factory(dict)
    fail_next: list[int] = attrs.Factory(list)
    """Statuses to answer the next requests with, before serving them normally."""
    requests: list[str] = attrs.Factory(list)
    clock: Callable[[], float] = time.time
    folder_mode: str = "dynamic"

    def folder_of(self, public_id: str, fields: dict[str, str]) -> str:
        """Where the Media Library shows an asset uploaded with ``fields``."""
        if self.folder_mode == "dynamic":
            return fields.get("asset_folder", "")
        # Fixed folders ignore asset_folder: the public id's path is the folder.
        return public_id.rpartition("/")[0]

    def in_folder(self, folder: str) -> set[str]:
        """Public ids the Media Library shows in ``folder``."""
        return {key[2] for key, asset in self.assets.items() if asset.folder == folder}

    @property
    def url(self) -> str:
        return f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud}"

    def signed(self, params: dict[str, str]) -> bool:
        return params.get("signature") == signature_of(
            {k: v for k, v in params.items() if k not in UNSIGNED}, self.api_secret
        )

    def fresh(self, params: dict[str, str]) -> bool:
        try:
            return abs(self.clock() - int(params.get("timestamp", ""))) <= 3600
        except ValueError:
            return False


class CloudinaryHandler(JsonHandler):
    @property
    def fake(self) -> FakeCloudinary:
        return self.server.state  # type: ignore[attr-defined, no-any-return]

    def route(self, method: str) -> None:
        fake = self.fake
        fake.requests.append(f"{method} {self.route_path}")
        if fake.fail_next:
            status = fake.fail_next.pop(0)
            self.send_json(status, {"error": {"message": f"injected {status}"}})
            return
        segments = [unquote(s) for s in self.route_path.split("/")]
        if segments[1:3] != ["v1_1", fake.cloud]:
            self.send_json(404, {"error": {"message": "unknown cloud"}})
            return
        rest = segments[3:]
        if method == "GET" and rest[:1] == ["resources"] and len(rest) >= 4:
            self.resource(rest[1], rest[2], "/".join(rest[3:]))
        elif method == "GET" and rest == ["config"]:
            self.config()
        elif method == "POST" and len(rest) == 2 and rest[1] in ("upload", "destroy"):
            self.upload_api(rest[0], rest[1])
        elif method == "GET" and len(rest) == 2 and rest[1] == "download":
            self.download(rest[0])
        else:
            self.send_json(404, {"error": {"message": f"no route {method} {self.route_path}"}})

    # -- Admin API -------------------------------------------------------------------------

    def admin_allowed(self) -> bool:
        expected = base64.b64encode(f"{self.fake.api_key}:{self.fake.api_secret}".encode())
        if self.headers.get("Authorization", "") != f"Basic {expected.decode()}":
            self.send_json(401, {"error": {"message": "Invalid credentials"}})
            return False
        return True

    def config(self) -> None:
        if not self.admin_allowed():
            return
        answer: dict[str, Any] = {
            "cloud_name": self.fake.cloud,
            "created_at": "2023-05-08T08:20:11Z",
        }
        if self.query.get("settings") in ("true", "True", "1"):
            answer["settings"] = {"folder_mode": self.fake.folder_mode}
        self.send_json(200, answer)

    def resource(self, resource_type: str, delivery: str, public_id: str) -> None:
        if not self.admin_allowed():
            return
        asset = self.fake.assets.get((resource_type, delivery, public_id))
        if asset is None:
            self.send_json(404, {"error": {"message": f"Resource not found - {public_id}"}})
            return
        self.send_json(
            200,
            {
                "public_id": public_id,
                "resource_type": resource_type,
                "type": delivery,
                "format": asset.format,
                "bytes": len(asset.data),
                "version": asset.version,
            },
        )

    # -- Upload API ------------------------------------------------------------------------

    def upload_api(self, resource_type: str, action: str) -> None:
        raw = parse_multipart(self.headers.get("Content-Type", ""), self.body)
        fields = {k: v.decode() for k, v in raw.items() if k != "file"}
        if fields.get("api_key") != self.fake.api_key or not self.fake.signed(fields):
            self.send_json(401, {"error": {"message": "Invalid Signature"}})
            return
        if not self.fake.fresh(fields):
            self.send_json(401, {"error": {"message": "Stale request"}})
            return
        if action == "destroy":
            key = (resource_type, fields.get("type", "upload"), fields["public_id"])
            found = self.fake.assets.pop(key, None)
            self.send_json(200, {"result": "ok" if found else "not found"})
            return
        self.upload(resource_type, fields, raw.get("file", b""))

    def upload(self, resource_type: str, fields: dict[str, str], data: bytes) -> None:
        content_range = self.headers.get("Content-Range")
        if content_range:
            upload_id = self.headers["X-Unique-Upload-Id"]
            start, end, total = _parse_range(content_range)
            fields = self.fake.first_chunk.setdefault(upload_id, fields)
            buffer = self.fake.partial.setdefault(upload_id, bytearray())
            if start != len(buffer) or end - start + 1 != len(data):
                self.send_json(400, {"error": {"message": "chunk out of order"}})
                return
            buffer.extend(data)
            if len(buffer) < total:
                self.send_json(200, {"done": False, "bytes": len(buffer)})
                return
            data = bytes(self.fake.partial.pop(upload_id))
        self.store(resource_type, fields, data)

    def store(self, resource_type: str, fields: dict[str, str], data: bytes) -> None:
        delivery = fields.get("type", "upload")
        public_id = fields["public_id"]
        key = (resource_type, delivery, public_id)
        if key in self.fake.assets and fields.get("overwrite") not in ("1", "true"):
            self.send_json(200, {"public_id": public_id, "existing": True})
            return
        fmt = "" if resource_type == "raw" else PurePosixPath(public_id).suffix[1:]
        version = int(self.fake.clock())
        folder = self.fake.folder_of(public_id, fields)
        self.fake.assets[key] = StoredAsset(data, fmt, version, folder, dict(fields))
        answer = _upload_answer(public_id, resource_type, delivery, fmt, data, version)
        if self.fake.folder_mode == "dynamic":
            answer |= {"asset_folder": folder, "display_name": public_id.rpartition("/")[2]}
        self.send_json(200, answer)

    def download(self, resource_type: str) -> None:
        params = dict(self.query)
        if params.get("api_key") != self.fake.api_key or not self.fake.signed(params):
            self.send_json(401, {"error": {"message": "Invalid Signature"}})
            return
        if int(params.get("expires_at", "0") or 0) < self.fake.clock():
            self.send_json(401, {"error": {"message": "Link expired"}})
            return
        key = (resource_type, params.get("type", "upload"), params.get("public_id", ""))
        asset = self.fake.assets.get(key)
        if asset is None:
            self.send_json(404, {"error": {"message": "Resource not found"}})
            return
        self.send_bytes(200, asset.data)


def _parse_range(header: str) -> tuple[int, int, int]:
    span, _, total = header.removeprefix("bytes ").partition("/")
    start, _, end = span.partition("-")
    return int(start), int(end), int(total)


def _upload_answer(
    public_id: str, resource_type: str, delivery: str, fmt: str, data: bytes, version: int
) -> dict[str, Any]:
    return {
        "public_id": public_id,
        "version": version,
        "resource_type": resource_type,
        "type": delivery,
        "format": fmt,
        "bytes": len(data),
        "secure_url": f"https://res.cloudinary.example/{resource_type}/{delivery}/{public_id}",
    }


@contextmanager
def fake_cloudinary() -> Iterator[FakeCloudinary]:
    fake = FakeCloudinary()
    with serve(CloudinaryHandler, fake) as base_url:
        fake.base_url = base_url
        yield fake


def cloudinary_for_test(
    request: pytest.FixtureRequest, folder: str = "staging_clips", folder_mode: str = "dynamic"
) -> CloudinaryStorage:
    """A CloudinaryStorage on a loopback Cloudinary (of ``folder_mode``) that stops when the
    test ends, with a source cache of its own; the storage finds the mode out itself."""
    running = fake_cloudinary()
    fake = running.__enter__()
    fake.folder_mode = folder_mode
    request.addfinalizer(lambda: running.__exit__(None, None, None))
    cache = Path(tempfile.mkdtemp(prefix="clipnet-cache-"))  # as the container gives it one
    request.addfinalizer(lambda: shutil.rmtree(cache, ignore_errors=True))
    return CloudinaryStorage.from_url(
        fake.url,
        folder,
        api_base=fake.base_url,
        sleep=_no_wait,
        cache=FileCache(cache, 64 * 1024**2),
    )


def _no_wait(_seconds: float) -> None:
    pass
