"""The transcriber and vision ports over the RunPod inference server.

Media goes to the server as URLs of the storage adapter (https, or file:// on a shared
volume), never as the worker's local paths: a local file given to these adapters is put in
object storage first, sent as its (signed, where supported) URL, and removed afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clipnet.adapters.inference.wire import result_from_wire
from clipnet.adapters.runpod.client import RunPodClient, RunPodError
from clipnet.ports.storage import ObjectStorage
from clipnet.ports.transcriber import (
    TranscriptionFailure,
    TranscriptionResult,
    TranscriptionUnavailable,
)

log = logging.getLogger(__name__)

SENDABLE_SCHEMES = frozenset({"http", "https", "file"})
STAGING_PREFIX = "inference-staging"


def is_sendable(reference: str) -> bool:
    """True for a URL the server can fetch (not a path on this worker)."""
    return urlsplit(reference).scheme.lower() in SENDABLE_SCHEMES


class MediaStager:
    """Turns the worker's local files into storage URLs for the length of a request."""

    def __init__(self, storage: ObjectStorage | None, expires_in: int = 3600) -> None:
        self._storage = storage
        self._expires_in = expires_in

    @contextlib.contextmanager
    def urls(self, references: Sequence[str]) -> Iterator[list[str | Exception]]:
        """Each reference as a URL, or the error that kept it from becoming one."""
        keys: list[str] = []
        try:
            yield [self._url(ref, keys) for ref in references]
        finally:
            for key in keys:
                with contextlib.suppress(Exception):  # leftovers are only a little space
                    self._storage.delete(key)  # type: ignore[union-attr]

    def _url(self, reference: str, keys: list[str]) -> str | Exception:
        if is_sendable(reference):
            return reference
        path = Path(reference)
        if self._storage is None or not path.is_file():
            why = "no such file" if self._storage else "no storage to send it through"
            return ValueError(f"{reference}: a local path ({why}); the GPU server cannot read it")
        digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
        key = f"{STAGING_PREFIX}/{digest}/{path.name}"
        try:
            self._storage.put(key, path)
        except Exception as error:  # storage trouble fails this item only
            return error
        keys.append(key)
        return self._storage.url(key, self._expires_in)


class RunPodTranscriber:
    """All items go to the server in one ``transcribe`` job (the server batches them)."""

    def __init__(
        self,
        client: RunPodClient,
        timeout: float | None = None,
        storage: ObjectStorage | None = None,
    ) -> None:
        self._client = client
        self._timeout = timeout
        self._stager = MediaStager(storage)

    @property
    def available(self) -> bool:
        return True

    def transcribe(self, audio: Sequence[str]) -> list[TranscriptionResult]:
        with self._stager.urls(audio) as urls:
            results: list[TranscriptionResult | None] = [
                TranscriptionFailure(str(url)) if isinstance(url, Exception) else None
                for url in urls
            ]
            order = [i for i, r in enumerate(results) if r is None]
            if order:
                answers = self._call([str(urls[i]) for i in order])
                for index, answer in zip(order, answers, strict=True):
                    results[index] = result_from_wire(answer)
        return [r or TranscriptionFailure("no result") for r in results]

    def _call(self, urls: list[str]) -> list[Any]:
        try:
            output = self._client.run({"task": "transcribe", "audio": urls}, self._timeout)
        except RunPodError as error:  # the batch as a whole: the caller may retry it
            raise TranscriptionUnavailable(str(error)) from error
        answers = output.get("results") if isinstance(output, dict) else None
        if not isinstance(answers, list) or len(answers) != len(urls):
            raise TranscriptionUnavailable(f"malformed transcribe output: {output!r}"[:300])
        return answers


class RunPodVisionBackend:
    """Runs the vision tasks on the server: ``/runsync`` (they are short), ``/run`` if slow."""

    def __init__(
        self,
        client: RunPodClient,
        timeout: float | None = None,
        storage: ObjectStorage | None = None,
    ) -> None:
        self._client = client
        self._timeout = timeout
        self._stager = MediaStager(storage)

    def configured(self, task: str) -> bool:
        return True  # the server says otherwise with an error, and the fallback takes over

    def run(self, task: str, payload: dict[str, Any], timeout: float | None) -> list[Any]:
        segments: list[list[str]] = payload["frames"]
        flat = [ref for segment in segments for ref in segment]
        with self._stager.urls(flat) as urls:
            broken = next((u for u in urls if isinstance(u, Exception)), None)
            if broken is not None:
                raise broken
            sent, first = [], 0
            for segment in segments:
                sent.append([str(u) for u in urls[first : first + len(segment)]])
                first += len(segment)
            body = {**payload, "task": task, "frames": sent}
            output = self._client.run_sync(body, timeout or self._timeout)
        results = output.get("results") if isinstance(output, dict) else None
        if not isinstance(results, list) or len(results) != len(segments):
            raise RunPodError(f"malformed {task} output: {output!r}"[:300])
        return results
