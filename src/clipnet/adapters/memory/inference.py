"""Scripted speech and vision models: they answer what they were told to answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clipnet.domain.highlights.transcripts import Transcript
from clipnet.ports.transcriber import TranscriptionFailure, TranscriptionResult
from clipnet.ports.vision import VisionResult


class ScriptedTranscriber:
    """Maps audio references to transcripts; an unknown reference fails (only its item)."""

    def __init__(
        self, transcripts: Mapping[str, Transcript] | None = None, *, available: bool = True
    ) -> None:
        self.transcripts = dict(transcripts or {})
        self._available = available
        self.calls: list[list[str]] = []

    @property
    def available(self) -> bool:
        return self._available

    def transcribe(self, audio: Sequence[str]) -> list[TranscriptionResult]:
        self.calls.append(list(audio))
        return [
            self.transcripts.get(item) or TranscriptionFailure(f"no transcript for {item}")
            for item in audio
        ]


class NoTranscriber:
    """The embedded default without a speech model: says so, transcribes nothing."""

    available = False

    def transcribe(self, audio: Sequence[str]) -> list[TranscriptionResult]:
        return [TranscriptionFailure("no speech model is configured") for _ in audio]


class ScriptedVisionScorer:
    """Returns a fixed result for every segment (or a blank one)."""

    def __init__(self, result: VisionResult | None = None) -> None:
        self.result = result or VisionResult()
        self.calls: list[tuple[list[list[str]], list[str]]] = []

    def score(self, frames: Sequence[Sequence[str]], prompts: Sequence[str]) -> list[VisionResult]:
        self.calls.append(([list(f) for f in frames], list(prompts)))
        return [self.result for _ in frames]
