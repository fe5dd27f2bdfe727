"""Inference inside the worker: the local vision scorer (with its CLIP fallback) and the
faster-whisper transcriber on the packaged Whisper base model."""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.adapters.inference.namespaces import LocalFolders
from clipnet.adapters.inference.scorer import EngineBackend, FallbackVisionScorer
from clipnet.adapters.inference.vision_models import Lazy
from clipnet.adapters.whisper_local import FasterWhisperTranscriber, WhisperOptions
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.ports.transcriber import TranscriptionFailure, TranscriptionUnavailable

PROMPTS = ["an exciting moment in a video game"]


def local_scorer(
    tmp_path: Path, captioner: Lazy, matcher: Lazy, caption_timeout: float = 20.0
) -> FallbackVisionScorer:
    engine = InferenceEngine(
        LocalFolders(tmp_path / "work", "embedded"),
        transcriber=Lazy(None),
        captioner=captioner,
        matcher=matcher,
    )
    return FallbackVisionScorer(EngineBackend(engine, "embedded"), caption_timeout)


@pytest.fixture
def segments(tmp_path: Path, draw_frames: Callable[..., list[Path]]) -> list[list[str]]:
    return [
        [str(p) for p in draw_frames(tmp_path / "frames-a", 2, seed=1)],
        [str(p) for p in draw_frames(tmp_path / "frames-b", 3, moving=True, seed=2)],
    ]


def test_the_local_scorer_reads_worker_paths_and_scores_each_segment(
    tmp_path: Path, tiny_vision: Any, segments: list[list[str]]
) -> None:
    scorer = local_scorer(
        tmp_path, Lazy(lambda: tiny_vision.captioner), Lazy(lambda: tiny_vision.matcher)
    )

    results = scorer.score(segments, PROMPTS)

    assert len(results) == 2
    for result in results:
        assert result.captions and not result.used_fallback
        assert len(result.tags) == 3
    assert results[0].motion == 0.0 < results[1].motion


def broken_captioner() -> Any:
    raise RuntimeError("CUDA out of memory")


def test_when_blip_fails_clip_tags_stand_in_for_captions(
    tmp_path: Path, tiny_vision: Any, segments: list[list[str]]
) -> None:
    scorer = local_scorer(tmp_path, Lazy(broken_captioner), Lazy(lambda: tiny_vision.matcher))

    results = scorer.score(segments, PROMPTS)

    for result in results:
        assert result.used_fallback
        assert result.captions == result.tags and len(result.tags) == 3


class SlowCaptioner:
    def caption(self, images: Any) -> list[str]:
        import time

        time.sleep(1.0)
        return ["too late"] * len(images)


def test_when_blip_times_out_clip_tags_stand_in_for_captions(
    tmp_path: Path, tiny_vision: Any, segments: list[list[str]]
) -> None:
    scorer = local_scorer(
        tmp_path, Lazy(SlowCaptioner), Lazy(lambda: tiny_vision.matcher), caption_timeout=0.2
    )
    results = scorer.score(segments, PROMPTS)
    assert all(r.used_fallback and "too late" not in r.captions for r in results)


def test_without_vision_models_only_motion_is_scored(
    tmp_path: Path, segments: list[list[str]]
) -> None:
    scorer = local_scorer(tmp_path, Lazy(None), Lazy(None))

    still, moving = scorer.score(segments, PROMPTS)

    assert (still.captions, still.tags, still.similarity, still.used_fallback) == ((), (), 0, False)
    assert moving.motion > 0


def test_scoring_no_segments_gives_no_results(tmp_path: Path) -> None:
    assert local_scorer(tmp_path, Lazy(None), Lazy(None)).score([], PROMPTS) == []


# -- faster-whisper --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def transcriber(whisper_model_dir: Path) -> FasterWhisperTranscriber:
    return FasterWhisperTranscriber(str(whisper_model_dir), WhisperOptions(batch_size=4))


@pytest.mark.slow
def test_local_paths_and_file_urls_are_transcribed_and_bad_items_fail_alone(
    transcriber: FasterWhisperTranscriber, speak: Callable[[str, Path], Path], tmp_path: Path
) -> None:
    hello = speak("hello from the first clip", tmp_path / "hello.wav")
    bye = speak("goodbye from the second clip", tmp_path / "bye.wav")
    silence = tmp_path / "silence.wav"
    silence.write_bytes(hello.read_bytes()[:44])  # a WAV header and no samples

    results = transcriber.transcribe(
        [str(hello), bye.as_uri(), str(tmp_path / "nope.wav"), "https://x/y.wav", str(silence)]
    )

    first, second, missing, remote, empty = results
    assert isinstance(first, Transcript) and "first" in first.text.lower()
    assert isinstance(second, Transcript) and "second" in second.text.lower()
    assert isinstance(missing, TranscriptionFailure) and "no such file" in missing.reason
    assert isinstance(remote, TranscriptionFailure) and "only local paths" in remote.reason
    assert isinstance(empty, Transcript) and empty.is_empty


def _joined_with_silence(parts: list[Path], gap: float, out: Path) -> float:
    """The WAV files one after another with ``gap`` seconds of silence between; its length."""
    with wave.open(str(parts[0])) as first:
        params = first.getparams()
    silence = b"\x00" * (int(gap * params.framerate) * params.sampwidth * params.nchannels)
    frames = 0
    with wave.open(str(out), "wb") as joined:
        joined.setparams(params)
        for index, part in enumerate(parts):
            with wave.open(str(part)) as piece:
                data = piece.readframes(piece.getnframes())
            joined.writeframes(data if index == 0 else silence + data)
            frames += len(data) // (params.sampwidth * params.nchannels)
        frames += (len(parts) - 1) * int(gap * params.framerate)
    return frames / params.framerate


@pytest.mark.slow
def test_an_item_longer_than_one_whisper_window_is_transcribed_whole(
    transcriber: FasterWhisperTranscriber, speak: Callable[[str, Path], Path], tmp_path: Path
) -> None:
    phrases = ["the red balloon", "a quiet library", "the purple elephant"]
    parts = [speak(text, tmp_path / f"part-{i}.wav") for i, text in enumerate(phrases)]
    long_audio = tmp_path / "long.wav"
    duration = _joined_with_silence(parts, 14.0, long_audio)
    assert duration > 32

    [result] = transcriber.transcribe([str(long_audio)])

    assert isinstance(result, Transcript)
    heard = result.text.lower()
    assert "balloon" in heard and "elephant" in heard
    elephant = next(w for w in result.words if "elephant" in w.text.lower())
    assert 29.0 < elephant.start <= duration, "times are relative to the whole item"


def test_a_model_that_cannot_load_makes_the_batch_unavailable(tmp_path: Path) -> None:
    broken = FasterWhisperTranscriber(str(tmp_path / "no-model-here"))
    with pytest.raises(TranscriptionUnavailable, match="could not be loaded"):
        broken.transcribe([str(tmp_path / "a.wav")])


def test_an_items_first_window_starts_a_margin_before_its_first_sound() -> None:
    import numpy as np

    from clipnet.adapters.whisper_local import LEAD_MARGIN, SAMPLE_RATE, sound_start

    quiet = np.zeros(SAMPLE_RATE, dtype=np.float32)  # 1 s of digital silence
    tone = 0.3 * np.sin(np.arange(SAMPLE_RATE) * 2 * np.pi * 440 / SAMPLE_RATE)
    hiss = np.random.default_rng(0).normal(0, 1e-3, SAMPLE_RATE)  # far below the tone

    assert sound_start(quiet) is None
    assert sound_start(quiet[:100]) is None
    assert sound_start(tone.astype(np.float32)) == 0
    start = sound_start(np.concatenate([hiss, tone]).astype(np.float32))
    assert start == SAMPLE_RATE - int(LEAD_MARGIN * SAMPLE_RATE)
