"""The JSON shapes that travel between the RunPod client and the inference server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.ports.transcriber import TranscriptionFailure, TranscriptionResult


def transcript_to_wire(transcript: Transcript) -> dict[str, Any]:
    """``{"text", "language", "words": [[text, start, end, probability, no_speech,
    compression, logprob], ...]}`` (a word of four values, from an older server, is read too)."""
    return {
        "text": transcript.text,
        "language": transcript.language,
        "words": [
            [w.text, w.start, w.end, w.probability, w.no_speech, w.compression, w.logprob]
            for w in transcript.words
        ],
    }


def result_to_wire(result: TranscriptionResult) -> dict[str, Any]:
    if isinstance(result, TranscriptionFailure):
        return {"error": result.reason}
    return transcript_to_wire(result)


def result_from_wire(item: object) -> TranscriptionResult:
    """One item of a ``transcribe`` answer; a malformed item becomes a failure, not a crash."""
    if not isinstance(item, Mapping):
        return TranscriptionFailure(f"malformed result {item!r}")
    if "error" in item:
        return TranscriptionFailure(str(item["error"]))
    try:
        words = [_word(raw) for raw in item.get("words", [])]
    except (TypeError, ValueError) as error:
        return TranscriptionFailure(f"malformed words: {error}")
    return Transcript(words, str(item.get("language", "")))


def _word(raw: object) -> Word:
    if not isinstance(raw, list | tuple) or len(raw) not in (4, 7):
        raise ValueError(
            "expected [text, start, end, probability] or [text, start, end, probability, "
            f"no_speech, compression, logprob], got {raw!r}"
        )
    text, *numbers = raw
    return Word(str(text), *(float(n) for n in numbers))
