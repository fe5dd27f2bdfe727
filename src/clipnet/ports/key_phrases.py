"""Key phrases of a text: what a clip is about, for its title and hashtags."""

from __future__ import annotations

from typing import Protocol


class KeyPhrases(Protocol):
    def extract(self, text: str, language: str, limit: int) -> list[str]:
        """Up to ``limit`` phrases of one to three words of ``text``, the most telling first,
        each as written in it; none for a text without words.

        ``language``: ISO 639-1 code of the text ("" when unknown: English is assumed). Runs
        on this machine; never reaches the network.
        """
