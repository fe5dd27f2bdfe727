"""The vision scorer: CLIP similarity and tags, motion, BLIP captions with a CLIP fallback.

Any backend that runs the three tasks will do: the engine in this process (local CPU/GPU) or
the RunPod server. When captioning fails or times out, the segment is still scored: CLIP tags
stand in for captions and the result says ``used_fallback``.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.ports.vision import VisionResult

log = logging.getLogger(__name__)


class VisionTaskFailed(RuntimeError):
    """A vision task could not run at all (the message says why)."""


class VisionBackend(Protocol):
    """Runs the inference server's vision tasks; returns their ``results`` lists."""

    def configured(self, task: str) -> bool:
        """False when no model for ``task`` is set up (its results are then left empty)."""

    def run(self, task: str, payload: dict[str, Any], timeout: float | None) -> list[Any]:
        """The task's per-segment results. Raises on failure or timeout."""


class EngineBackend:
    """The engine in this process. Frames are local paths; the namespace is this machine's."""

    def __init__(self, engine: InferenceEngine, namespace: str) -> None:
        self._engine = engine
        self._namespace = namespace
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="vision")

    def configured(self, task: str) -> bool:
        return self._engine.configured(task)

    def run(self, task: str, payload: dict[str, Any], timeout: float | None) -> list[Any]:
        job = {**payload, "task": task, "namespace": self._namespace}
        # A thread lets a slow caption model be abandoned at the deadline (it finishes unseen).
        future = self._pool.submit(self._engine.run, job)
        try:
            output = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise VisionTaskFailed(f"{task} took longer than {timeout} s") from None
        if "error" in output:
            raise VisionTaskFailed(f"{task}: {output['error']}")
        return list(output["results"])


class FallbackVisionScorer:
    """The :class:`~clipnet.ports.vision.VisionScorer` port over a :class:`VisionBackend`."""

    def __init__(self, backend: VisionBackend, caption_timeout: float | None = 60.0) -> None:
        self._backend = backend
        self._caption_timeout = caption_timeout

    def score(self, frames: Sequence[Sequence[str]], prompts: Sequence[str]) -> list[VisionResult]:
        segments = [list(f) for f in frames]
        if not segments:
            return []
        clip = self._clip(segments, prompts)
        motion = self._motion(segments)
        captions = self._captions(segments)
        return [
            _result(clip[i], motion[i], None if captions is None else captions[i])
            for i in range(len(segments))
        ]

    def _clip(self, segments: list[list[str]], prompts: Sequence[str]) -> list[Any]:
        if not self._backend.configured("clip_score"):
            return [{"similarity": 0.0, "tags": []} for _ in segments]
        return self._backend.run("clip_score", {"frames": segments, "prompts": list(prompts)}, None)

    def _motion(self, segments: list[list[str]]) -> list[Any]:
        try:
            return self._backend.run("motion", {"frames": segments}, None)
        except Exception as error:  # motion is one signal among several: score without it
            log.warning("motion scoring failed: %s", error)
            return [{"motion": 0.0} for _ in segments]

    def _captions(self, segments: list[list[str]]) -> list[Any] | None:
        """Per-segment caption results, or None when BLIP failed as a whole (fallback)."""
        if not self._backend.configured("caption"):
            return [{"captions": []} for _ in segments]
        try:
            return self._backend.run("caption", {"frames": segments}, self._caption_timeout)
        except Exception as error:  # BLIP down, failing or slow: CLIP tags stand in
            log.warning("captioning failed, using CLIP tags instead: %s", error)
            return None


def _result(clip: Any, motion: Any, captions: Any) -> VisionResult:
    tags = tuple(clip.get("tags", ())) if "error" not in clip else ()
    similarity = float(clip.get("similarity", 0.0)) if "error" not in clip else 0.0
    moved = float(motion.get("motion", 0.0)) if "error" not in motion else 0.0
    if captions is None or "error" in captions:
        return VisionResult(
            captions=tags, tags=tags, similarity=similarity, motion=moved, used_fallback=True
        )
    texts = _distinct(captions.get("captions", ()))
    return VisionResult(captions=texts, tags=tags, similarity=similarity, motion=moved)


def _distinct(texts: Sequence[str]) -> tuple[str, ...]:
    """Captions in order, each once (neighbouring frames often get the same caption)."""
    return tuple(dict.fromkeys(t for t in texts if t))
