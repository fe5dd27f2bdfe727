"""Whisper's output that is not speech, dropped before it reaches a score, title or caption.

Whisper writes *something* for every stretch of audio it hears: tones become "1 -2 -3",
music becomes "♪" or "[Music]", silence becomes "... ... ..." or a "Thank you." the model
was trained on, and a stuck decoder repeats one phrase over and over. A word is kept only
when its stretch was probably speech (no-speech probability), read as text (compression
ratio) and confidently decoded (mean log-probability), when it holds a letter, when it is
not a music or noise annotation, and when it is not one more turn of a repeating loop.
Pure: the recogniser's numbers travel on each :class:`Word`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clipnet.domain.highlights.transcripts import Transcript, Word

#: A stretch at least this likely to hold no speech is not speech (Whisper's own threshold).
NO_SPEECH_AT = 0.6
#: Text compressing this well repeats itself: a decoding loop (Whisper's own threshold).
COMPRESSION_AT = 2.4
#: A stretch decoded with this mean log-probability or less is a guess (Whisper's own).
LOGPROB_AT = -1.0
#: An n-gram (up to this many words) repeated back to back more than once is a loop.
LOOP_NGRAM = 4
#: Annotations Whisper writes for sound that is not speech ("[Music]", "(applause)" is kept:
#: an audience's reaction is what a highlight is made of).
NOISE_NOTES = frozenset(
    {"music", "blank_audio", "blank", "silence", "noise", "static", "inaudible", "no speech"}
)
_LETTER = re.compile(r"[^\W\d_]")
_NOTE = re.compile(r"^[\[(*♪♫]+\s*(?P<note>.*?)\s*[\])*♪♫]+$")
_MUSIC_SIGNS = frozenset("♪♫🎵🎶")


def spoken_only(transcript: Transcript) -> Transcript:
    """``transcript`` without the words that are not speech (see the module docstring)."""
    heard = [w for w in transcript.words if _heard_as_speech(w) and _is_a_word(w.text)]
    return Transcript(_without_loops(heard), transcript.language)


def _heard_as_speech(word: Word) -> bool:
    return (
        word.no_speech < NO_SPEECH_AT
        and word.compression < COMPRESSION_AT
        and word.logprob > LOGPROB_AT
    )


def _is_a_word(text: str) -> bool:
    """Holds a letter and is no music or noise annotation: "1", "-2", "...", "♪" are not."""
    if any(sign in text for sign in _MUSIC_SIGNS):
        return False
    note = _NOTE.match(text.strip())
    if note and note.group("note").lower().strip(" .") in NOISE_NOTES:
        return False
    return bool(_LETTER.search(text))


def _normal(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _without_loops(words: Sequence[Word]) -> list[Word]:
    """The words with each back-to-back repeat of an n-gram (n <= LOOP_NGRAM) after its
    first two turns dropped: "go go go go go" keeps "go go", a stuck phrase keeps two."""
    kept: list[Word] = []
    for word in words:
        kept.append(word)
        for n in range(1, LOOP_NGRAM + 1):
            if _repeats_three_times(kept, n):
                del kept[-n:]
                break
    return kept


def _repeats_three_times(words: Sequence[Word], n: int) -> bool:
    if len(words) < 3 * n:
        return False
    tail = [_normal(w.text) for w in words[-3 * n :]]
    return tail[:n] == tail[n : 2 * n] == tail[2 * n :]
