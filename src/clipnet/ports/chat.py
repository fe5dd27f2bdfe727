"""Talking in chat: replies and notifications on Twitch, Discord and X."""

from __future__ import annotations

from typing import Protocol

from clipnet.domain.shared.platforms import Platform


class ChatPlatform(Protocol):
    platform: Platform

    def send(self, channel: str, text: str, *, reply_to: str = "", idempotency_key: str) -> str:
        """Post ``text`` in ``channel``; returns the platform's message id.

        Calling twice with one idempotency key posts once and returns the same id.
        """
