"""Speech to text with word timings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import attrs

from clipnet.domain.highlights.transcripts import Transcript


@attrs.frozen
class TranscriptionFailure:
    """One item of a batch that could not be transcribed; the others are unaffected."""

    reason: str


TranscriptionResult = Transcript | TranscriptionFailure


class TranscriptionUnavailable(Exception):
    """The speech service could not be reached at all (down, overloaded, timed out).

    The only exception ``transcribe`` may raise: nothing was learned about any item, so a
    caller may retry the whole batch later instead of failing every item.
    """


class Transcriber(Protocol):
    @property
    def available(self) -> bool:
        """False when no speech model is configured; callers then skip speech features."""

    def transcribe(self, audio: Sequence[str]) -> list[TranscriptionResult]:
        """One result per audio reference (path or URL), in the same order.

        A failed item yields a ``TranscriptionFailure`` in its place, never an exception
        for the whole batch; only an unreachable service raises ``TranscriptionUnavailable``.
        """
