"""Real faster-whisper (the packaged base model) on real audio: what it writes for tones and
near-silence never becomes a transcript word or a title, excited speech moves a clip's score
above calm speech and no speech over the same calm video, and the title is a key phrase.

Tones and noise are written with the standard library; speech is espeak-ng's."""

from __future__ import annotations

import math
import random
import struct
import wave
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from clipnet.adapters.whisper_local import FasterWhisperTranscriber, WhisperOptions
from clipnet.adapters.yake_phrases import YakeKeyPhrases
from clipnet.domain.highlights.excitement import with_speech, with_speech_weights
from clipnet.domain.highlights.features import Segment
from clipnet.domain.highlights.hallucinations import spoken_only
from clipnet.domain.highlights.metadata import ClipMetadata, build_metadata
from clipnet.domain.highlights.scoring import DEFAULT_WEIGHTS, score_segment
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan

RATE = 16_000

pytestmark = pytest.mark.slow


def write_wav(path: Path, samples: Iterable[float]) -> Path:
    frames = b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    return path


def beeps(path: Path, seconds: int = 10) -> Path:
    """A 440 Hz test tone beeping: half a second on, half a second off."""
    return write_wav(
        path,
        (
            0.3 * math.sin(2 * math.pi * 440 * i / RATE) if (i % RATE) >= RATE // 2 else 0.0
            for i in range(seconds * RATE)
        ),
    )


def hiss(path: Path, seconds: float = 6.0) -> Path:
    """A quiet room: faint noise, no speech."""
    noise = random.Random(7)
    return write_wav(path, (noise.gauss(0, 0.003) for _ in range(int(seconds * RATE))))


@pytest.fixture(scope="module")
def transcriber(whisper_model_dir: Path) -> FasterWhisperTranscriber:
    return FasterWhisperTranscriber(str(whisper_model_dir), WhisperOptions(batch_size=4))


def heard(transcriber: FasterWhisperTranscriber, *paths: Path) -> list[Transcript]:
    results = transcriber.transcribe([str(p) for p in paths])
    assert all(isinstance(r, Transcript) for r in results), results
    return [r for r in results if isinstance(r, Transcript)]


def test_tones_and_silence_leave_no_transcript_words(
    transcriber: FasterWhisperTranscriber, tmp_path: Path
) -> None:
    raw = heard(transcriber, beeps(tmp_path / "beeps.wav"), hiss(tmp_path / "hiss.wav"))
    assert any(not t.is_empty for t in raw), "Whisper wrote words for them: the filter's work"
    for transcript in raw:
        kept = spoken_only(transcript)
        assert kept.is_empty, transcript.text
        meta = metadata_of(kept, explanation="calm moment", source_title="Tone check")
        assert meta.title == "Calm moment — Tone check"
        assert meta.hashtags == ()


def test_real_speech_survives_the_filter_with_whispers_numbers_on_each_word(
    transcriber: FasterWhisperTranscriber, speak: Callable[[str, Path], Path], tmp_path: Path
) -> None:
    line = speak("What a shot! No way, that was insane!", tmp_path / "excited.wav")
    [transcript] = heard(transcriber, line)
    kept = spoken_only(transcript)
    assert "insane" in kept.text.lower()
    assert len(kept.words) == len(transcript.words)
    assert all(0 <= w.no_speech < 0.6 and w.compression > 0 and w.logprob < 0 for w in kept.words)


def metadata_of(speech: Transcript, **known: str) -> ClipMetadata:
    phrases = YakeKeyPhrases().extract(speech.text, speech.language, 5)
    return build_metadata(Platform.YOUTUBE, transcript=speech.text, phrases=phrases, **known)


CALM_VIDEO = {"loudness": 0.05, "motion": 0.05, "scene": 0.0}


def test_excited_speech_over_calm_video_outranks_calm_speech_and_no_speech(
    transcriber: FasterWhisperTranscriber, speak: Callable[[str, Path], Path], tmp_path: Path
) -> None:
    excited_line = speak("Oh my god! No way! That was insane! Let's go!", tmp_path / "x.wav")
    calm_line = speak("The report said tomorrow would be mostly cloudy.", tmp_path / "c.wav")
    excited, calm = (spoken_only(t) for t in heard(transcriber, excited_line, calm_line))
    span = TimeSpan(0, 20)
    weights = with_speech_weights(DEFAULT_WEIGHTS)
    silent_score = score_segment(Segment(span, CALM_VIDEO)).total
    calm_score = score_segment(with_speech(Segment(span, CALM_VIDEO), calm), weights).total
    excited_score = score_segment(with_speech(Segment(span, CALM_VIDEO), excited), weights)
    assert excited_score.total > silent_score and excited_score.total > calm_score
    assert "shouting" in excited_score.explanation or "hype" in excited_score.explanation


def test_the_title_of_real_speech_holds_its_key_phrase_and_no_stop_word_hashtag(
    transcriber: FasterWhisperTranscriber, speak: Callable[[str, Path], Path], tmp_path: Path
) -> None:
    line = speak(
        "Okay so we walked in. The sniper hit the dragon through the smoke! Then we left.",
        tmp_path / "story.wav",
    )
    [speech] = (spoken_only(t) for t in heard(transcriber, line))
    phrases = YakeKeyPhrases().extract(speech.text, speech.language, 5)
    meta = build_metadata(Platform.X, transcript=speech.text, phrases=phrases)
    assert any(p.lower() in meta.title.lower() for p in phrases)
    assert not meta.title.lower().startswith("okay")
    assert meta.hashtags and not {"#okay", "#so", "#then", "#the", "#we"} & set(meta.hashtags)
