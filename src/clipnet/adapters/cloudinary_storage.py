"""Object storage on Cloudinary (the staging and production profiles), with the official SDK.

A key maps one-to-one to a public id under the environment's folder: ``clips/c1/video.mp4``
in ``staging_clips`` is ``staging_clips/clips/c1/video.mp4``. The extension stays in the public
id so keys that differ only by extension never collide; it also picks the resource type
(video for .mp4/.mov/.webm/.mkv, image for .jpg/.jpeg/.png/.webp/.gif, raw otherwise) and
the delivery format, so a download returns the bytes that were stored.

Assets are stored with delivery type ``authenticated``: nothing is public. ``url()`` gives a
signed ``private_download_url`` that expires, and ``fetch()`` downloads through one.
The SDK is called with per-call credentials, never its global config, so two instances (two
environments, or a test's loopback server) do not interfere.

Folder modes: in a *fixed folder* environment (accounts made before June 2024) the public id's
prefix is the Media Library folder. In a *dynamic folder* environment (every account since) it
is not: an asset goes to the folder named by ``asset_folder``, or to the root without one. The
public id keeps its prefix in both modes (it keeps environments apart and URLs stable), and in
dynamic mode each upload also names the prefix as its ``asset_folder``, so the Media Library
shows ``staging_clips/clips/c1`` either way. ``folder_mode="auto"`` asks the Admin API's
``config`` (``settings.folder_mode``) once, on the first upload.
"""

from __future__ import annotations

import logging
import random
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import attrs
import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
import httpx

from clipnet.adapters.file_cache import FileCache
from clipnet.adapters.http_resilience import Backoff
from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.ports.storage import StorageError, StoredObject

log = logging.getLogger(__name__)

T = TypeVar("T")

DELIVERY_TYPE = "authenticated"
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".webm", ".mkv"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
# Characters Cloudinary does not accept in a public id.
_FORBIDDEN = frozenset("?&#\\%<>")
# Cloudinary must get files above 100 MB in chunks; 20 MB is the SDK's own chunk size.
DEFAULT_CHUNK_SIZE = 20_000_000
#: Cloudinary's documented API base URL (CLIPNET_CLOUDINARY_API_BASE moves it).
API_BASE = "https://api.cloudinary.com"
#: Retries after 420/429/5xx and network errors: half to all of 2, 4, 8 … s, up to 30 s.
CLOUDINARY_BACKOFF = Backoff(retries=3, base=2.0, cap=30.0, jitter=0.5)
FOLDER_MODES = ("auto", "dynamic", "fixed")


@attrs.frozen
class CloudinaryAccount:
    """What ``cloudinary://KEY:SECRET@CLOUD`` names."""

    cloud_name: str
    api_key: str
    api_secret: str = attrs.field(repr=False)

    @classmethod
    def from_url(cls, url: str) -> CloudinaryAccount:
        parts = urlsplit(url)
        # Not parts.hostname: it lowercases, and cloud names are case-sensitive.
        cloud = parts.netloc.rpartition("@")[2]
        if parts.scheme != "cloudinary" or not (parts.username and parts.password and cloud):
            raise ValueError("CLIPNET_CLOUDINARY_URL must look like cloudinary://KEY:SECRET@CLOUD")
        return cls(cloud, unquote(parts.username), unquote(parts.password))


@attrs.frozen
class Asset:
    """Where a storage key lives on Cloudinary."""

    public_id: str
    resource_type: str
    format: str
    """The delivery format (the extension) for images and videos; empty for raw files."""

    @property
    def asset_folder(self) -> str:
        """The Media Library folder a fixed-folder environment derives from the public id,
        which a dynamic-folder one must be told: everything before the last '/'."""
        return self.public_id.rpartition("/")[0]


def resource_type_of(key: str) -> str:
    suffix = PurePosixPath(key).suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    return "raw"


class CloudinaryStorage:
    """The ObjectStorage port on one Cloudinary folder."""

    def __init__(
        self,
        account: CloudinaryAccount,
        folder: str,
        *,
        api_base: str = "",
        folder_mode: str = "auto",
        timeout: float = 300.0,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        cache: FileCache | None = None,
    ) -> None:
        """``cache``: where ``local_path`` keeps copies for the jobs on this machine (without
        one, every job fetches its own copy)."""
        self._account = account
        self._folder = folder.strip("/")
        self._api_base = (api_base or API_BASE).rstrip("/")  # "": the documented API
        if folder_mode not in FOLDER_MODES:
            raise ValueError(f"folder_mode must be one of {', '.join(FOLDER_MODES)}")
        self._folder_mode = None if folder_mode == "auto" else folder_mode
        self._mode_lock = threading.Lock()
        self._timeout = timeout
        self._chunk_size = chunk_size
        self._backoff = attrs.evolve(CLOUDINARY_BACKOFF, retries=retries)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._cache = cache

    @classmethod
    def from_url(cls, url: str, folder: str, **options: Any) -> CloudinaryStorage:
        if not url:
            raise ValueError("CLIPNET_CLOUDINARY_URL must be set when CLIPNET_STORAGE=cloudinary")
        return cls(CloudinaryAccount.from_url(url), folder, **options)

    # -- the port ----------------------------------------------------------------------------

    def put(self, key: str, path: Path, content_type: str = "") -> StoredObject:
        asset = self.asset(key)
        size = Path(path).stat().st_size
        options = {
            **self._options(asset),
            "public_id": asset.public_id,
            "overwrite": True,
            "invalidate": True,
            "timeout": self._timeout,
        }
        if self.folder_mode() == "dynamic":  # the prefix alone does not place it there
            options["asset_folder"] = asset.asset_folder
        # Big files (sources) go in chunks: one request each, resumable by Cloudinary.
        if size > self._chunk_size:
            upload = self._with_retries(
                "upload",
                key,
                lambda: cloudinary.uploader.upload_large(
                    str(path), chunk_size=self._chunk_size, **options
                ),
            )
        else:
            upload = self._with_retries(
                "upload", key, lambda: cloudinary.uploader.upload(str(path), **options)
            )
        if upload.get("public_id") != asset.public_id:
            raise StorageError(f"Cloudinary stored {key!r} as {upload.get('public_id')!r}")
        return StoredObject(key, self.url(key), int(upload.get("bytes", size)))

    def fetch(self, key: str, dest: Path) -> Path:
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        url = self.url(key, expires_in=600)
        self._with_retries("download", key, lambda: self._download(url, key, dest))
        return dest

    def local_path(self, key: str) -> Path | None:
        if self._cache is None:
            return None  # without looking: ``fetch`` will say NotFound
        return self._cache.get(key, lambda partial: self.fetch(key, partial))

    def url(self, key: str, expires_in: int = 3600) -> str:
        asset = self.asset(key)
        return str(
            cloudinary.utils.private_download_url(
                asset.public_id,
                asset.format,
                expires_at=int(self._clock()) + expires_in,
                **self._options(asset),
            )
        )

    def exists(self, key: str) -> bool:
        asset = self.asset(key)
        try:
            self._with_retries(
                "look up",
                key,
                lambda: cloudinary.api.resource(
                    asset.public_id, timeout=self._timeout, **self._options(asset)
                ),
            )
        except NotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        asset = self.asset(key)
        # Cloudinary answers {"result": "not found"} for a missing asset: not an error here.
        self._with_retries(
            "delete",
            key,
            lambda: cloudinary.uploader.destroy(
                asset.public_id, invalidate=True, timeout=self._timeout, **self._options(asset)
            ),
        )

    def folder_mode(self) -> str:
        """``dynamic`` or ``fixed``: as configured, else as the Admin API says (asked once).

        When the Admin API cannot answer (it is rate-limited per hour), this upload is made as
        in dynamic mode, which places the asset right in both modes (fixed folders take the
        public id's prefix), and the question is asked again next time."""
        with self._mode_lock:
            if self._folder_mode is None:
                try:
                    self._folder_mode = self._ask_folder_mode()
                except StorageError as error:
                    log.warning("Cloudinary folder mode unknown (%s); sending asset_folder", error)
                    return "dynamic"
            return self._folder_mode

    # -- helpers -----------------------------------------------------------------------------

    def _ask_folder_mode(self) -> str:
        answer = self._with_retries(
            "ask the folder mode of",
            self._account.cloud_name,
            lambda: cloudinary.api.config(settings=True, **self._credentials()),
        )
        settings = answer.get("settings") if isinstance(answer, dict) else None
        mode = settings.get("folder_mode") if isinstance(settings, dict) else None
        # Environments from before dynamic folders existed name no mode: they are fixed.
        mode = mode if mode in ("dynamic", "fixed") else "fixed"
        log.info("Cloudinary %s uses %s folders", self._account.cloud_name, mode)
        return str(mode)

    def _credentials(self) -> dict[str, Any]:
        return {
            "cloud_name": self._account.cloud_name,
            "api_key": self._account.api_key,
            "api_secret": self._account.api_secret,
            "upload_prefix": self._api_base,
            "timeout": self._timeout,
        }

    def asset(self, key: str) -> Asset:
        """The public id, resource type and format of ``key``. Raises ``InvalidInput``."""
        parts = PurePosixPath(key).parts
        if (
            not key
            or key.startswith("/")
            or key.endswith("/")
            or "//" in key
            or ".." in parts
            or any(ch in _FORBIDDEN or ord(ch) < 32 for ch in key)
        ):
            raise InvalidInput(f"storage key {key!r} is not a valid Cloudinary path")
        kind = resource_type_of(key)
        fmt = PurePosixPath(key).suffix[1:].lower() if kind != "raw" else ""
        public_id = f"{self._folder}/{key}" if self._folder else key
        return Asset(public_id, kind, fmt)

    def _options(self, asset: Asset) -> dict[str, Any]:
        return {
            "resource_type": asset.resource_type,
            "type": DELIVERY_TYPE,
            "cloud_name": self._account.cloud_name,
            "api_key": self._account.api_key,
            "api_secret": self._account.api_secret,
            "upload_prefix": self._api_base,
        }

    def _download(self, url: str, key: str, dest: Path) -> None:
        try:
            with httpx.stream("GET", url, timeout=self._timeout, follow_redirects=True) as response:
                if response.status_code == 404:
                    raise NotFound("object", key)
                if response.status_code >= 400:
                    response.read()
                    raise _http_error(response.status_code, response.text[:200])
                _write_whole(response, dest)
        except httpx.TransportError as error:
            raise cloudinary.exceptions.Error(f"download failed: {error!r}") from None

    def _with_retries(self, what: str, key: str, call: Callable[[], T]) -> T:
        """Run one SDK call; retry 420/429/5xx and network errors; map errors to ours."""
        for attempt in range(1, self._backoff.retries + 2):
            try:
                return call()
            except cloudinary.exceptions.NotFound:
                raise NotFound("object", key) from None
            except cloudinary.exceptions.AuthorizationRequired as error:
                raise StorageError(
                    f"Cloudinary refused the credentials of CLIPNET_CLOUDINARY_URL "
                    f"({what} {key!r}): {error}"
                ) from None
            except cloudinary.exceptions.Error as error:
                if not _is_transient(error) or attempt > self._backoff.retries:
                    raise StorageError(f"Cloudinary could not {what} {key!r}: {error}") from None
                wait = self._backoff.delay(attempt, self._rng)
                log.info("Cloudinary %s %s failed (%s); retrying in %.1f s", what, key, error, wait)
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def _write_whole(response: httpx.Response, dest: Path) -> None:
    """Write beside the target, then rename: a reader never sees half a file."""
    with tempfile.NamedTemporaryFile(dir=dest.parent, delete=False) as partial:
        try:
            for block in response.iter_bytes(1024 * 1024):
                partial.write(block)
        except BaseException:
            Path(partial.name).unlink(missing_ok=True)
            raise
    Path(partial.name).replace(dest)


def _is_transient(error: cloudinary.exceptions.Error) -> bool:
    # The SDK raises the base Error for network failures and unlisted statuses (502, 504).
    return type(error) in (
        cloudinary.exceptions.Error,
        cloudinary.exceptions.RateLimited,
        cloudinary.exceptions.GeneralError,
    )


def _http_error(status: int, text: str) -> cloudinary.exceptions.Error:
    """An SDK-style error for a download answer, so downloads share the upload's handling."""
    if status in (401, 403):
        return cloudinary.exceptions.AuthorizationRequired(f"HTTP {status}: {text}")
    if status in (420, 429):
        return cloudinary.exceptions.RateLimited(f"HTTP {status}: {text}")
    if status >= 500:
        return cloudinary.exceptions.GeneralError(f"HTTP {status}: {text}")
    return cloudinary.exceptions.BadRequest(f"HTTP {status}: {text}")
