"""The one way tests build ClipNET as a whole: the container production builds, on settings
of the test's choosing (in memory unless it says otherwise), with fakes swapped in by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dependency_injector import providers

from clipnet.adapters.crypto import new_key
from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.memory.framing import ScriptedSubjectScanner
from clipnet.container import Container, build_container
from clipnet.settings import Settings, load_settings

MEMORY_PROFILE = {
    "CLIPNET_DATABASE_URL": "memory://",
    "CLIPNET_QUEUE": "memory",
    "CLIPNET_STORAGE": "memory",
    "CLIPNET_WHISPER_MODEL": "off",
}
"""Everything in this process: no database file, no broker, no stored media on disk, and no
speech model (the embedded default would use the installed Whisper model)."""


def memory_env(data_dir: Path | str, **env: str) -> dict[str, str]:
    """The in-memory profile's variables (``env`` adds to or replaces them)."""
    return {
        **MEMORY_PROFILE,
        "CLIPNET_DATA_DIR": str(data_dir),
        "CLIPNET_SECRET_KEYS": new_key(),
        **env,
    }


def memory_settings(data_dir: Path | str, **env: str) -> Settings:
    return load_settings(memory_env(data_dir, **env))


def app_container(settings: Settings, **fakes: Any) -> Container:
    """``build_container(settings)`` with each named provider replaced by the object given,
    e.g. ``app_container(settings, queue=RecordingJobQueue(), clock=ManualClock())``.

    A fake ``media`` comes with a scripted subject scanner (the real one decodes the file with
    FFmpeg, which a fake's made-up paths are not) unless ``subject_scanner`` is given too."""
    container = build_container(settings)
    if "media" in fakes and not isinstance(fakes["media"], FfmpegMediaProcessor):
        fakes.setdefault("subject_scanner", ScriptedSubjectScanner())
    for name, fake in fakes.items():
        getattr(container, name).override(providers.Object(fake))
    return container
