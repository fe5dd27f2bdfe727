"""The transcriber contract: the scripted stand-in, faster-whisper on the packaged base model,
and the RunPod client against a loopback RunPod server with that same model behind it.

Speech is espeak-ng's, two short phrases; the model is loaded once for the module.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.adapters.inference.namespaces import NamespaceFolders
from clipnet.adapters.inference.vision_models import Lazy
from clipnet.adapters.memory.inference import ScriptedTranscriber
from clipnet.adapters.runpod.client import Backoff, RunPodClient
from clipnet.adapters.runpod.inference import RunPodTranscriber
from clipnet.adapters.whisper_local import FasterWhisperTranscriber, WhisperOptions
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.entrypoints.inference import make_handler
from clipnet.ports.transcriber import (
    Transcriber,
    TranscriptionFailure,
    TranscriptionUnavailable,
)
from tests.integration.inference.conftest import speak, whisper_model_dir  # noqa: F401
from tests.integration.inference.runpod_fake import running

#: The real model runs under both the local adapter and the RunPod one (hence ``slow``).
TRANSCRIBERS = [
    "scripted",
    pytest.param("whisper", marks=pytest.mark.slow),
    pytest.param("runpod", marks=pytest.mark.slow),
]
HELLO, BYE = "hello from the first clip", "goodbye from the second clip"


@pytest.fixture(scope="module")
def whisper(whisper_model_dir: Path) -> FasterWhisperTranscriber:  # noqa: F811
    return FasterWhisperTranscriber(str(whisper_model_dir), WhisperOptions(batch_size=4))


@pytest.fixture(scope="module")
def speech(
    tmp_path_factory: pytest.TempPathFactory,
    speak: Callable[[str, Path], Path],  # noqa: F811
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("speech")
    return {text: speak(text, folder / f"{text.split()[0]}.wav") for text in (HELLO, BYE)}


def client_for(base_url: str, endpoint: str, *, retries: int = 2) -> RunPodClient:
    return RunPodClient(
        base_url,
        endpoint,
        "test-key",
        "staging",
        timeout=60.0,
        poll_interval=0.02,
        backoff=Backoff(retries=retries, base=0.01, cap=0.05),
    )


@attrs.define
class TranscriberUnderTest:
    transcriber: Transcriber
    reference: Callable[[Path, str], str]
    """Where the adapter reads a WAV file from (given what is said in it)."""
    unreachable: Callable[[], Transcriber] | None = None
    """The same adapter with its speech service gone, if it has one."""


def _scripted() -> TranscriberUnderTest:
    scripted = ScriptedTranscriber()

    def reference(path: Path, said: str) -> str:
        words = [Word(w, i * 0.4, i * 0.4 + 0.3, 0.9) for i, w in enumerate(said.split())]
        scripted.transcripts[str(path)] = Transcript(words, "en")
        return str(path)

    return TranscriberUnderTest(scripted, reference)


@pytest.fixture(params=TRANSCRIBERS)
def speech_to_text(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[TranscriberUnderTest]:
    if request.param == "scripted":
        yield _scripted()
        return
    whisper: FasterWhisperTranscriber = request.getfixturevalue("whisper")
    if request.param == "whisper":
        yield TranscriberUnderTest(
            whisper,
            lambda path, said: str(path),
            lambda: FasterWhisperTranscriber(str(tmp_path / "no-model-here")),
        )
        return
    root = tmp_path / "gpu"
    engine = InferenceEngine(
        NamespaceFolders(root, ("staging", "production")),
        transcriber=Lazy(lambda: whisper),
        captioner=Lazy(None),
        matcher=Lazy(None),
    )

    def on_the_gpu(path: Path, said: str) -> str:
        copy = root / "staging" / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        return copy.as_uri()

    def gone() -> Transcriber:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return RunPodTranscriber(client_for(f"http://127.0.0.1:{port}", "ep-gone", retries=1))

    with running(make_handler(engine)) as server:  # type: ignore[arg-type]
        client = client_for(server.base_url, server.endpoint)
        yield TranscriberUnderTest(RunPodTranscriber(client), on_the_gpu, gone)


def test_a_configured_transcriber_is_available(speech_to_text: TranscriberUnderTest) -> None:
    assert speech_to_text.transcriber.available is True


def test_each_item_gets_its_own_transcript_in_the_order_asked(
    speech_to_text: TranscriberUnderTest, speech: dict[str, Path]
) -> None:
    hello = speech_to_text.reference(speech[HELLO], HELLO)
    bye = speech_to_text.reference(speech[BYE], BYE)

    results = speech_to_text.transcriber.transcribe([bye, hello])

    assert len(results) == 2
    first, second = results
    assert isinstance(first, Transcript) and "second" in first.text.lower()
    assert isinstance(second, Transcript) and "first" in second.text.lower()


def test_words_come_in_time_order_inside_the_audio(
    speech_to_text: TranscriberUnderTest, speech: dict[str, Path]
) -> None:
    [result] = speech_to_text.transcriber.transcribe(
        [speech_to_text.reference(speech[HELLO], HELLO)]
    )
    assert isinstance(result, Transcript) and result.words
    starts = [word.start for word in result.words]
    assert starts == sorted(starts)
    assert all(0.0 <= w.start <= w.end <= 5.0 and 0.0 <= w.probability <= 1.0 for w in result.words)


def test_an_item_that_cannot_be_read_fails_alone(
    speech_to_text: TranscriberUnderTest, speech: dict[str, Path]
) -> None:
    hello = speech_to_text.reference(speech[HELLO], HELLO)
    missing = hello.replace("hello.wav", "missing.wav")  # beside it, but never written

    results = speech_to_text.transcriber.transcribe([hello, missing, hello])

    assert len(results) == 3
    assert isinstance(results[0], Transcript) and isinstance(results[2], Transcript)
    assert results[0].text == results[2].text
    assert isinstance(results[1], TranscriptionFailure) and results[1].reason


def test_an_empty_batch_gives_no_results(speech_to_text: TranscriberUnderTest) -> None:
    assert speech_to_text.transcriber.transcribe([]) == []


def test_a_service_that_cannot_be_reached_raises_unavailable_for_the_batch(
    speech_to_text: TranscriberUnderTest, speech: dict[str, Path]
) -> None:
    if speech_to_text.unreachable is None:
        pytest.skip("this adapter has no speech service to lose")
    reference = speech_to_text.reference(speech[HELLO], HELLO)
    with pytest.raises(TranscriptionUnavailable):
        speech_to_text.unreachable().transcribe([reference])
