"""Speech transcripts with word timings."""

from __future__ import annotations

from collections.abc import Iterable

import attrs


@attrs.frozen
class Word:
    """One recognised word."""

    text: str
    """The word as recognised, without surrounding whitespace."""
    start: float
    """Seconds from the start of the transcribed audio."""
    end: float
    """Seconds from the start of the transcribed audio; >= ``start``."""
    probability: float = 1.0
    """The recogniser's confidence in [0, 1]."""
    no_speech: float = 0.0
    """How likely the stretch of audio the word was heard in held no speech at all, in [0, 1]
    (Whisper's segment ``no_speech_prob``); 0 when the recogniser does not say."""
    compression: float = 0.0
    """The compression ratio of the text of the word's stretch (Whisper's segment
    ``compression_ratio``: high when the text repeats itself); 0 when not known."""
    logprob: float = 0.0
    """The mean log-probability of the tokens of the word's stretch (Whisper's segment
    ``avg_logprob``: very negative when the model guessed); 0 when not known."""


def _words(values: Iterable[Word]) -> tuple[Word, ...]:
    return tuple(values)


@attrs.frozen
class Transcript:
    """What was said in a piece of audio."""

    words: tuple[Word, ...] = attrs.field(converter=_words, default=())
    """Recognised words in time order."""
    language: str = ""
    """ISO 639-1 code of the detected language, or "" when unknown."""

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words).strip()

    @property
    def is_empty(self) -> bool:
        return not self.words

    def shifted(self, offset: float) -> Transcript:
        """The same transcript with every time moved by ``offset`` seconds."""
        return Transcript(
            tuple(attrs.evolve(w, start=w.start + offset, end=w.end + offset) for w in self.words),
            self.language,
        )

    def between(self, start: float, end: float) -> Transcript:
        """The words that start inside [start, end), with times relative to ``start``."""
        inside = tuple(w for w in self.words if start <= w.start < end)
        return Transcript(inside, self.language).shifted(-start)
