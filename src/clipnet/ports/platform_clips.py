"""Asking a streaming platform to make a clip itself, and fetching its video (Twitch clips)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from clipnet.domain.clipbot.model import PlatformClip


class PlatformClipMaker(Protocol):
    def create(self, channel: str) -> str:
        """Start a clip of the channel's live stream; returns the clip's id at once.

        The platform makes the clip asynchronously: :meth:`find` shows it once it exists.
        """

    def find(self, clip_id: str) -> PlatformClip | None:
        """The clip, or ``None`` while it is still being made (or if it never will be)."""

    def download(self, clip: PlatformClip, dest: Path) -> Path:
        """Write the clip's video file to ``dest``; returns ``dest``."""


class PlatformClipError(Exception):
    """The platform refused or failed a clip request.

    ``permanent`` is True when asking again cannot help (channel offline, missing scope).
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
