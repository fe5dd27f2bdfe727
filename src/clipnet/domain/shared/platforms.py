"""The platforms ClipNET posts to or talks on."""

from __future__ import annotations

import enum


class Platform(enum.StrEnum):
    """Where ClipNET posts clips or talks to people."""

    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    TWITCH = "twitch"
    DISCORD = "discord"
    X = "x"
