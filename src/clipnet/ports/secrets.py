"""Sealing secrets (OAuth tokens) before they are stored."""

from __future__ import annotations

from typing import Protocol


class SecretBox(Protocol):
    def seal(self, plaintext: str) -> str:
        """An opaque, authenticated ciphertext of ``plaintext`` (never contains it)."""

    def open(self, sealed: str) -> str:
        """The plaintext back. Raises ``ValueError`` for a tampered or foreign ciphertext."""
