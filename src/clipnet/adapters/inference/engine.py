"""Validating and running inference tasks: ``transcribe``, ``caption``, ``clip_score``, ``motion``.

Input (the RunPod job's ``input``)::

    {"task": "transcribe", "namespace": "staging", "audio": ["https://…/a.wav", …]}
    {"task": "caption",    "namespace": "staging", "frames": [["…/f1.jpg", …], …]}
    {"task": "clip_score", "namespace": "staging", "frames": [[…], …], "prompts": ["…", …]}
    {"task": "motion",     "namespace": "staging", "frames": [[…], …]}

Output: ``{"results": [...]}``, one entry per item (audio file or segment) in input order,
each either the item's values or ``{"error": "why"}``. A request that cannot run at all (bad
task, missing field, unknown namespace, no model) gives ``{"error": "why"}``: never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from clipnet.adapters.inference.namespaces import MediaRefused, NamespaceFolders
from clipnet.adapters.inference.vision_models import Lazy, load_rgb, motion_score
from clipnet.adapters.inference.wire import result_to_wire
from clipnet.ports.transcriber import (
    TranscriptionFailure,
    TranscriptionResult,
    TranscriptionUnavailable,
)

log = logging.getLogger(__name__)

MAX_ITEMS = 256
"""Most audio files or segments in one request."""
MAX_FRAMES = 64
"""Most frames in one segment."""
IMAGE_BATCH = 32
"""Images per forward pass (bounds GPU memory, whatever the request size)."""

Result = dict[str, Any]


class BadInput(ValueError):
    """The request is malformed; the message names the field."""


class InferenceEngine:
    def __init__(
        self,
        folders: NamespaceFolders,
        *,
        transcriber: Lazy,
        captioner: Lazy,
        matcher: Lazy,
    ) -> None:
        self._folders = folders
        self._transcriber = transcriber
        self._captioner = captioner
        self._matcher = matcher
        self._tasks: dict[str, Callable[[str, Mapping[str, Any]], Result]] = {
            "transcribe": self._transcribe,
            "caption": self._caption,
            "clip_score": self._clip_score,
            "motion": self._motion,
        }

    def configured(self, task: str) -> bool:
        """False when the model ``task`` needs is not set up (``motion`` needs none)."""
        holder = {
            "transcribe": self._transcriber,
            "caption": self._captioner,
            "clip_score": self._matcher,
        }.get(task)
        return holder is None or holder.configured

    def run(self, task_input: object) -> Result:
        """Run one task; any problem comes back as ``{"error": ...}``."""
        try:
            if not isinstance(task_input, Mapping):
                raise BadInput("input must be a JSON object")
            task = task_input.get("task")
            if task not in self._tasks:
                known = ", ".join(self._tasks)
                raise BadInput(f"unknown task {task!r} (known: {known})")
            namespace = task_input.get("namespace")
            if not isinstance(namespace, str) or not namespace:
                raise BadInput("namespace is required")
            self._folders.folder(namespace)  # unknown namespace -> MediaRefused
            return self._tasks[task](namespace, task_input)
        except (BadInput, MediaRefused, TranscriptionUnavailable, LookupError) as error:
            return {"error": str(error)}
        except Exception as error:  # a bug or a model crash: reported, never raised
            log.exception("inference task failed")
            return {"error": f"internal error: {type(error).__name__}: {error}"}

    # -- tasks ---------------------------------------------------------------------------------

    def _transcribe(self, namespace: str, task_input: Mapping[str, Any]) -> Result:
        audio = _strings(task_input, "audio")
        results: list[TranscriptionResult | None] = [None] * len(audio)
        paths: dict[int, str] = {}
        for index, reference in enumerate(audio):
            try:
                paths[index] = str(self._folders.resolve(namespace, reference))
            except MediaRefused as error:
                results[index] = TranscriptionFailure(str(error))
        if paths:
            transcriber = self._model(self._transcriber, "speech")
            order = sorted(paths)
            answers = transcriber.transcribe([paths[i] for i in order])
            for index, result in zip(order, answers, strict=True):
                results[index] = result
        missing = TranscriptionFailure("no result")
        return {"results": [result_to_wire(r or missing) for r in results]}

    def _caption(self, namespace: str, task_input: Mapping[str, Any]) -> Result:
        segments = _segments(task_input)
        captioner = self._model(self._captioner, "caption")
        loaded = self._images(namespace, segments)
        images = [image for frames in loaded if isinstance(frames, list) for image in frames]
        texts = iter([c for batch in _batches(images) for c in captioner.caption(batch)])
        return {
            "results": [
                {"captions": [next(texts) for _ in frames]} if isinstance(frames, list) else frames
                for frames in loaded
            ]
        }

    def _clip_score(self, namespace: str, task_input: Mapping[str, Any]) -> Result:
        segments = _segments(task_input)
        prompts = _strings(task_input, "prompts", allow_empty=True)
        matcher = self._model(self._matcher, "CLIP")
        loaded = self._images(namespace, segments)
        good = [frames for frames in loaded if isinstance(frames, list)]
        scores = iter(matcher.score(good, prompts))
        results: list[Result] = []
        for frames in loaded:
            if not isinstance(frames, list):
                results.append(frames)
                continue
            score = next(scores)
            results.append(
                {
                    "similarity": score.similarity,
                    "per_prompt": list(score.per_prompt),
                    "tags": list(score.tags),
                }
            )
        return {"results": results}

    def _motion(self, namespace: str, task_input: Mapping[str, Any]) -> Result:
        results: list[Result] = []
        for frames in _segments(task_input):
            try:
                paths = [self._folders.resolve(namespace, f) for f in frames]
                results.append({"motion": motion_score(paths)})
            except (MediaRefused, OSError, ValueError) as error:
                results.append({"error": _reason(error)})
        return {"results": results}

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _model(holder: Lazy, what: str) -> Any:
        if not holder.configured:
            raise BadInput(f"no {what} model is configured on this server")
        return holder.get()

    def _images(self, namespace: str, segments: Sequence[list[str]]) -> list[list[Any] | Result]:
        """Each segment's frames as images, or ``{"error"}`` when one cannot be read."""
        loaded: list[list[Any] | Result] = []
        for frames in segments:
            try:
                loaded.append([load_rgb(self._folders.resolve(namespace, f)) for f in frames])
            except (MediaRefused, OSError, ValueError) as error:
                loaded.append({"error": _reason(error)})
        return loaded


def _strings(task_input: Mapping[str, Any], field: str, *, allow_empty: bool = False) -> list[str]:
    value = task_input.get(field)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise BadInput(f"{field} must be a list of non-empty strings")
    if not value and not allow_empty:
        raise BadInput(f"{field} must not be empty")
    if len(value) > MAX_ITEMS:
        raise BadInput(f"{field} has {len(value)} items; at most {MAX_ITEMS} per request")
    return value


def _segments(task_input: Mapping[str, Any]) -> list[list[str]]:
    frames = task_input.get("frames")
    if not isinstance(frames, list) or not frames:
        raise BadInput("frames must be a non-empty list of segments (lists of frame URLs)")
    if len(frames) > MAX_ITEMS:
        raise BadInput(f"frames has {len(frames)} segments; at most {MAX_ITEMS} per request")
    for index, segment in enumerate(frames):
        if not isinstance(segment, list) or not all(isinstance(f, str) and f for f in segment):
            raise BadInput(f"frames[{index}] must be a list of non-empty strings")
        if len(segment) > MAX_FRAMES:
            raise BadInput(f"frames[{index}] has {len(segment)} frames; at most {MAX_FRAMES}")
    return frames


def _batches(images: list[Any]) -> list[list[Any]]:
    return [images[i : i + IMAGE_BATCH] for i in range(0, len(images), IMAGE_BATCH)]


def _reason(error: BaseException) -> str:
    if isinstance(error, MediaRefused):
        return str(error)
    return f"{type(error).__name__}: {error}"
