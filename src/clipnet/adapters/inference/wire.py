"""The JSON shapes that travel between the RunPod client and the inference server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.ports.transcriber import TranscriptionFailure, TranscriptionResult


def transcript_to_wire(transcript: Transcript) -> dict[str, Any]:
    """``{"text", "language", "words": [[text, start, end, probability], ...]}``."""
    return {
        "text": transcript.text,
        "language": transcript.language,
        "words": [[w.text, w.start, w.end, w.probability] for w in transcript.words],
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
    if not isinstance(raw, list | tuple) or len(raw) != 4:
        raise ValueError(f"expected [text, start, end, probability], got {raw!r}")
    text, start, end, probability = raw
    return Word(str(text), float(start), float(end), float(probability))
