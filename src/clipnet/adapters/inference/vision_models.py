"""BLIP captions, CLIP similarity and zero-shot tags, and motion from frame differences.

torch and transformers are imported inside the functions that need them (the ``inference``
extra), so the API and the worker import this module without them. Models run on the GPU when
torch sees one.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

DEFAULT_TAGS: tuple[str, ...] = (
    "game",
    "gameplay",
    "shooter",
    "racing",
    "sports",
    "streamer",
    "webcam",
    "person",
    "face",
    "talking",
    "crowd",
    "landscape",
    "map",
    "scoreboard",
    "text",
    "screen",
    "explosion",
    "car",
    "music",
    "animal",
)
"""Zero-shot tag vocabulary; includes every default template's tag rules."""

TAG_PROMPT = "a screenshot of {}"


def torch_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_rgb(path: Path) -> Any:
    """The image at ``path`` as an RGB PIL image (the file is read fully, then closed)."""
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB")


class Captioner:
    """BLIP image captioning (``BlipForConditionalGeneration``), one caption per frame."""

    def __init__(
        self, model: Any, image_processor: Any, tokenizer: Any, max_new_tokens: int = 20
    ) -> None:
        self._model = model.eval()
        self._images = image_processor
        self._tokenizer = tokenizer
        self._max_new_tokens = max_new_tokens
        self._device = next(model.parameters()).device

    @classmethod
    def from_pretrained(cls, name: str) -> Captioner:
        from transformers import BlipForConditionalGeneration, BlipProcessor

        processor = BlipProcessor.from_pretrained(name)
        model: Any = BlipForConditionalGeneration.from_pretrained(name)
        model = model.to(torch_device())
        return cls(model, processor.image_processor, processor.tokenizer)

    def caption(self, images: Sequence[Any]) -> list[str]:
        import torch

        if not images:
            return []
        pixels = self._images(list(images), return_tensors="pt")["pixel_values"]
        with torch.inference_mode():
            ids = self._model.generate(
                pixel_values=pixels.to(self._device), max_new_tokens=self._max_new_tokens
            )
        return [
            text.strip() for text in self._tokenizer.batch_decode(ids, skip_special_tokens=True)
        ]


@attrs.frozen
class ClipScores:
    """What CLIP made of one segment's frames."""

    similarity: float
    """Best cosine similarity, clamped to [0, 1], between any frame and any prompt."""
    per_prompt: tuple[float, ...]
    """Best cosine similarity per prompt (clamped to [0, 1]), in prompt order."""
    tags: tuple[str, ...]
    """The most likely tags (zero-shot, averaged over frames), best first."""


class ClipMatcher:
    """CLIP (``CLIPModel``): frames against prompts (similarity) and tag texts (zero-shot)."""

    def __init__(
        self,
        model: Any,
        image_processor: Any,
        tokenizer: Any,
        tags: Sequence[str] = DEFAULT_TAGS,
        top_k: int = 3,
    ) -> None:
        self._model = model.eval()
        self._images = image_processor
        self._tokenizer = tokenizer
        self._tags = tuple(tags)
        self._top_k = top_k
        self._device = next(model.parameters()).device

    @classmethod
    def from_pretrained(cls, name: str, tags: Sequence[str] = DEFAULT_TAGS) -> ClipMatcher:
        from transformers import CLIPModel, CLIPProcessor

        processor = CLIPProcessor.from_pretrained(name)
        model: Any = CLIPModel.from_pretrained(name)
        model = model.to(torch_device())
        return cls(model, processor.image_processor, processor.tokenizer, tags)

    def score(self, segments: Sequence[Sequence[Any]], prompts: Sequence[str]) -> list[ClipScores]:
        """One result per segment (a list of images); every image is encoded in one batch."""
        import torch

        images = [image for frames in segments for image in frames]
        if not images:
            return [ClipScores(0.0, tuple(0.0 for _ in prompts), ()) for _ in segments]
        texts = [*prompts, *(TAG_PROMPT.format(tag) for tag in self._tags)]
        with torch.inference_mode():
            image_embeds, text_embeds, scale = self._embed(images, texts)
        cosine = image_embeds @ text_embeds.T  # (images, texts)
        results, first = [], 0
        for frames in segments:
            rows = cosine[first : first + len(frames)]
            first += len(frames)
            results.append(self._segment(rows, len(prompts), scale))
        return results

    def _embed(self, images: list[Any], texts: list[str]) -> tuple[Any, Any, float]:
        pixels = self._images(images, return_tensors="pt")["pixel_values"].to(self._device)
        tokens = self._tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        out = self._model(
            input_ids=tokens["input_ids"].to(self._device),
            attention_mask=tokens["attention_mask"].to(self._device),
            pixel_values=pixels,
        )
        scale = float(self._model.logit_scale.exp())
        return out.image_embeds.float().cpu(), out.text_embeds.float().cpu(), scale

    def _segment(self, rows: Any, prompt_count: int, scale: float) -> ClipScores:
        if rows.shape[0] == 0:
            return ClipScores(0.0, tuple(0.0 for _ in range(prompt_count)), ())
        prompt_part = rows[:, :prompt_count].clamp(0, 1)
        per_prompt = tuple(float(v) for v in prompt_part.max(dim=0).values) if prompt_count else ()
        tag_probs = (rows[:, prompt_count:] * scale).softmax(dim=-1).mean(dim=0)
        best = tag_probs.argsort(descending=True)[: self._top_k]
        return ClipScores(
            max(per_prompt, default=0.0), per_prompt, tuple(self._tags[i] for i in best)
        )


def motion_score(paths: Sequence[Path], size: int = 64) -> float:
    """Mean absolute difference of consecutive frames, in [0, 1] (0: a still picture).

    Frames are shrunk to ``size``x``size`` greys first: motion is about the whole picture, and
    small frames make compression noise average out.
    """
    import numpy as np
    from PIL import Image

    greys = []
    for path in paths:
        with Image.open(path) as image:
            small = image.convert("L").resize((size, size), Image.Resampling.BILINEAR)
            greys.append(np.asarray(small, dtype=np.float32) / 255.0)
    if len(greys) < 2:
        return 0.0
    diffs = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(greys)]
    # A full cut between unrelated pictures differs by about 0.25-0.35; scale so that reads ~1.
    return min(1.0, 3.0 * sum(diffs) / len(diffs))


class Lazy:
    """Builds a model on first use, once, even with several threads asking at once."""

    def __init__(self, build: Callable[[], Any] | None) -> None:
        self._build = build
        self._value: Any = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return self._build is not None

    def get(self) -> Any:
        if self._build is None:
            raise LookupError("no model is configured")
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
