"""Transcripts on the RunPod wire keep what Whisper said of each word's segment."""

from __future__ import annotations

from clipnet.adapters.inference.wire import result_from_wire, transcript_to_wire
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.ports.transcriber import TranscriptionFailure


def test_a_transcript_round_trips_with_its_speech_evidence() -> None:
    transcript = Transcript([Word("gg", 0.5, 0.9, 0.8, 0.1, 1.3, -0.4)], "en")
    assert result_from_wire(transcript_to_wire(transcript)) == transcript


def test_a_word_of_four_values_from_an_older_server_is_read_with_unknown_evidence() -> None:
    read = result_from_wire({"language": "en", "words": [["gg", 0.5, 0.9, 0.8]]})
    assert read == Transcript([Word("gg", 0.5, 0.9, 0.8)], "en")


def test_a_word_of_another_length_is_a_failure_not_a_crash() -> None:
    read = result_from_wire({"words": [["gg", 0.5, 0.9]]})
    assert isinstance(read, TranscriptionFailure) and "expected" in read.reason
