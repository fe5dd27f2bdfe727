"""The RunPod client and the ports over it, against a loopback server speaking RunPod's
serverless protocol with our own inference handler behind it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from clipnet.adapters.http_resilience import Backoff
from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.adapters.inference.namespaces import NamespaceFolders
from clipnet.adapters.inference.scorer import FallbackVisionScorer
from clipnet.adapters.inference.vision_models import Lazy
from clipnet.adapters.local_files import LocalFileStorage
from clipnet.adapters.memory.inference import ScriptedTranscriber
from clipnet.adapters.runpod.client import (
    RunPodClient,
    RunPodJobFailed,
    RunPodRejected,
    RunPodTimeout,
    RunPodUnavailable,
)
from clipnet.adapters.runpod.inference import (
    STAGING_PREFIX,
    RunPodTranscriber,
    RunPodVisionBackend,
)
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.entrypoints.inference import make_handler
from clipnet.ports.transcriber import TranscriptionFailure, TranscriptionUnavailable
from tests.integration.inference.runpod_fake import FakeRunPod, running


class World:
    """Our handler behind a fake RunPod, and a client for it."""

    def __init__(self, root: Path, server: FakeRunPod, engine: InferenceEngine) -> None:
        self.root = root
        self.server = server
        self.engine = engine
        self.sleeps: list[float] = []

    def client(
        self, *, key: str = "test-key", timeout: float = 20.0, retries: int = 3
    ) -> RunPodClient:
        return RunPodClient(
            self.server.base_url,
            self.server.endpoint,
            key,
            "staging",
            timeout=timeout,
            poll_interval=0.02,
            backoff=Backoff(retries=retries, base=0.01, cap=0.05),
            sleep=self._sleep,
        )

    def _sleep(self, seconds: float) -> None:
        import time

        self.sleeps.append(seconds)
        time.sleep(min(seconds, 0.05))

    def staging_file(self, name: str, data: bytes = b"RIFF....WAVE") -> Path:
        path = self.root / "staging" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture
def scripted() -> ScriptedTranscriber:
    return ScriptedTranscriber()


def _engine(
    root: Path, scripted: ScriptedTranscriber, tiny: Any = None, **lazies: Lazy
) -> InferenceEngine:
    return InferenceEngine(
        NamespaceFolders(root, ("staging", "production")),
        transcriber=Lazy(lambda: scripted),
        captioner=lazies.get("captioner", Lazy((lambda: tiny.captioner) if tiny else None)),
        matcher=lazies.get("matcher", Lazy((lambda: tiny.matcher) if tiny else None)),
    )


@pytest.fixture
def world(tmp_path: Path, scripted: ScriptedTranscriber) -> Iterator[World]:
    root = tmp_path / "gpu"
    engine = _engine(root, scripted)
    with running(make_handler(engine)) as server:  # type: ignore[arg-type]
        yield World(root, server, engine)


def _transcript(text: str) -> Transcript:
    return Transcript(
        [Word(w, i * 0.4, i * 0.4 + 0.3, 0.9) for i, w in enumerate(text.split())], "en"
    )


# -- the protocol -------------------------------------------------------------------------------


def test_a_job_is_queued_polled_to_completion_and_its_output_returned(
    world: World, scripted: ScriptedTranscriber
) -> None:
    audio = world.staging_file("a.wav")
    scripted.transcripts[str(audio.resolve())] = _transcript("hello there")

    output = world.client().run({"task": "transcribe", "audio": [audio.as_uri()]})

    assert output["results"][0]["text"] == "hello there"
    # text, start, end, probability, then what Whisper said of its segment (unknown: 0)
    assert output["results"][0]["words"][1] == ["there", 0.4, 0.7, 0.9, 0.0, 0.0, 0.0]
    paths = world.server.paths()
    assert paths[0] == "POST /v2/ep-test/run"
    assert all(p.startswith("GET /v2/ep-test/status/job-1") for p in paths[1:])
    assert world.server.jobs["job-1"].status == "COMPLETED"


def test_a_job_behind_a_busy_worker_goes_through_in_queue_and_in_progress_to_completed(
    world: World,
) -> None:
    # given a worker busy with a slow job
    world.server.job_delay = 0.8  # far longer than a poll, even on a loaded machine
    client = world.client()
    first = threading.Thread(target=client.run, args=({"task": "motion", "frames": [["a"]]},))
    first.start()
    while not world.server.jobs or world.server.jobs["job-1"].status == "IN_QUEUE":
        time.sleep(0.01)
    # when a second job is queued behind it
    output = client.run({"task": "motion", "frames": [["b"]]})
    first.join()
    # then it waited in the queue, then ran, and only its completed output came back
    seen = list(dict.fromkeys(world.server.jobs["job-2"].served))
    assert seen == ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]
    assert "no such file" in output["results"][0]["error"]


def test_every_request_carries_the_bearer_key_and_every_job_the_namespace(world: World) -> None:
    world.client().run({"task": "motion", "frames": [["x.jpg"]]})

    assert {r.authorization for r in world.server.requests} == {"Bearer test-key"}
    assert world.server.jobs["job-1"].input["namespace"] == "staging"


def test_a_wrong_key_is_refused_without_retrying(world: World) -> None:
    with pytest.raises(RunPodRejected, match="401"):
        world.client(key="wrong").run({"task": "motion", "frames": [["x.jpg"]]})
    assert len(world.server.requests) == 1


def test_429_and_5xx_answers_are_retried_with_backoff(world: World) -> None:
    world.server.fail_next(429, 503, 502)

    output = world.client().run({"task": "motion", "frames": [["x.jpg"]]})

    assert "results" in output
    assert world.server.paths()[:4] == ["POST /v2/ep-test/run"] * 4
    assert len(world.server.jobs) == 1
    backoffs = world.sleeps[:3]
    assert all(0 <= s <= 0.05 for s in backoffs)


def test_retry_after_is_honoured(world: World) -> None:
    world.server.fail_next(429, retry_after="0.5")
    world.client().run({"task": "motion", "frames": [["x.jpg"]]})
    assert world.sleeps[0] == 0.5


def test_the_client_gives_up_when_the_api_keeps_failing(world: World) -> None:
    world.server.fail_next(500, 500, 500, 500)
    with pytest.raises(RunPodUnavailable, match="HTTP 500 after 4 tries"):
        world.client(retries=3).run({"task": "motion", "frames": [["x.jpg"]]})
    assert world.server.jobs == {}


def test_a_failed_job_reports_the_handlers_error(world: World) -> None:
    with pytest.raises(RunPodJobFailed, match="unknown task 'paint'") as failure:
        world.client().run({"task": "paint"})
    assert failure.value.status == "FAILED"


def test_a_slow_job_is_cancelled_at_our_deadline(world: World) -> None:
    world.server.job_delay = 5.0

    with pytest.raises(RunPodTimeout):
        world.client(timeout=0.3).run({"task": "motion", "frames": [["x.jpg"]]})

    assert "POST /v2/ep-test/cancel/job-1" in world.server.paths()
    assert world.server.jobs["job-1"].status == "CANCELLED"


def test_a_job_the_server_times_out_is_reported_as_timed_out(
    tmp_path: Path, scripted: ScriptedTranscriber
) -> None:
    engine = _engine(tmp_path, scripted)
    with running(make_handler(engine), execution_timeout=0.05) as server:  # type: ignore[arg-type]
        server.job_delay = 0.2
        world = World(tmp_path, server, engine)
        with pytest.raises(RunPodJobFailed) as failure:
            world.client().run({"task": "motion", "frames": [["x.jpg"]]})
    assert failure.value.status == "TIMED_OUT"


def test_runsync_answers_a_quick_job_in_one_round_trip(world: World) -> None:
    output = world.client().run_sync({"task": "motion", "frames": [["x.jpg"]]})
    assert "results" in output
    assert world.server.paths() == ["POST /v2/ep-test/runsync"]


def test_runsync_falls_back_to_polling_when_the_job_is_not_done_in_time(world: World) -> None:
    world.server.runsync_wait_cap = 0.05
    world.server.job_delay = 0.3

    output = world.client().run_sync({"task": "motion", "frames": [["x.jpg"]]})

    assert "results" in output
    assert world.server.paths()[0] == "POST /v2/ep-test/runsync"
    assert any(p.startswith("GET /v2/ep-test/status/") for p in world.server.paths())


# -- the transcriber port over RunPod ---------------------------------------------------------


def test_a_failed_item_in_a_batch_fails_only_that_item(
    world: World, scripted: ScriptedTranscriber
) -> None:
    good = world.staging_file("good.wav")
    scripted.transcripts[str(good.resolve())] = _transcript("all good")
    unknown = world.staging_file("unknown.wav")  # the model has nothing for it
    transcriber = RunPodTranscriber(world.client())

    results = transcriber.transcribe(
        [
            good.as_uri(),
            (world.root / "staging" / "missing.wav").as_uri(),
            unknown.as_uri(),
            (world.root / "production" / "x.wav").as_uri(),
            "/worker/tmp/local.wav",
        ]
    )

    assert isinstance(results[0], Transcript) and results[0].text == "all good"
    assert all(isinstance(r, TranscriptionFailure) for r in results[1:])
    reasons = [r.reason for r in results[1:] if isinstance(r, TranscriptionFailure)]
    assert "no such file" in reasons[0]
    assert "no transcript" in reasons[1]
    assert "outside the 'staging' namespace" in reasons[2]
    assert "the GPU server cannot read it" in reasons[3]
    assert len(world.server.jobs) == 1, "one request for the whole batch"


class EveryFileTranscriber:
    """Hears the same words in any file that exists; remembers what it was given."""

    available = True

    def __init__(self) -> None:
        self.seen: list[str] = []

    def transcribe(self, audio: list[str]) -> list[Any]:
        self.seen.extend(audio)
        return [
            _transcript("through storage") if Path(a).is_file() else TranscriptionFailure("gone")
            for a in audio
        ]


def test_a_worker_local_file_travels_through_storage_and_is_removed_afterwards(
    tmp_path: Path,
) -> None:
    # given storage that the GPU server can read (a shared volume inside its staging folder)
    root = tmp_path / "gpu"
    objects = root / "staging" / "objects"
    storage = LocalFileStorage(objects)
    local = tmp_path / "worker" / "clip.wav"
    local.parent.mkdir()
    local.write_bytes(b"RIFF....WAVE")
    model = EveryFileTranscriber()
    engine = _engine(root, model)  # type: ignore[arg-type]
    with running(make_handler(engine)) as server:  # type: ignore[arg-type]
        transcriber = RunPodTranscriber(World(root, server, engine).client(), storage=storage)
        # when
        [result] = transcriber.transcribe([str(local)])
        [sent] = server.jobs["job-1"].input["audio"]
    # then
    assert isinstance(result, Transcript) and result.text == "through storage"
    assert sent.startswith("file://") and f"/staging/objects/{STAGING_PREFIX}/" in sent
    assert model.seen[0].startswith(str(objects.resolve()))
    assert not any(p.is_file() for p in objects.rglob("*")), "the staged copy is removed"


def test_an_unreachable_server_makes_the_transcriber_raise_unavailable(world: World) -> None:
    world.server.fail_next(503, 503)
    transcriber = RunPodTranscriber(world.client(retries=1))
    with pytest.raises(TranscriptionUnavailable):
        transcriber.transcribe([world.staging_file("a.wav").as_uri()])


# -- the vision port over RunPod ---------------------------------------------------------------


class SlowCaptioner:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def caption(self, images: Any) -> list[str]:
        import time

        time.sleep(1.0)
        return self._inner.caption(images)  # type: ignore[no-any-return]


@pytest.fixture
def frames_on_gpu(tmp_path: Path, draw_frames: Callable[..., list[Path]]) -> list[list[str]]:
    root = tmp_path / "gpu" / "staging"
    return [
        [p.as_uri() for p in draw_frames(root / "a", 3, seed=1)],
        [p.as_uri() for p in draw_frames(root / "b", 2, moving=True, seed=2)],
    ]


def test_vision_scoring_over_runpod_gives_captions_tags_similarity_and_motion(
    tmp_path: Path, scripted: ScriptedTranscriber, tiny_vision: Any, frames_on_gpu: list[list[str]]
) -> None:
    engine = _engine(tmp_path / "gpu", scripted, tiny_vision)
    with running(make_handler(engine)) as server:  # type: ignore[arg-type]
        client = World(tmp_path / "gpu", server, engine).client()
        scorer = FallbackVisionScorer(RunPodVisionBackend(client), caption_timeout=20)
        results = scorer.score(frames_on_gpu, ["an exciting moment in a video game"])

    assert len(results) == 2
    for result in results:
        assert result.captions and not result.used_fallback
        assert len(result.tags) == 3
        assert 0.0 <= result.similarity <= 1.0
    assert results[0].motion == 0.0 < results[1].motion


def test_when_captions_time_out_clip_tags_stand_in_for_them(
    tmp_path: Path, scripted: ScriptedTranscriber, tiny_vision: Any, frames_on_gpu: list[list[str]]
) -> None:
    slow = Lazy(lambda: SlowCaptioner(tiny_vision.captioner))
    engine = _engine(tmp_path / "gpu", scripted, tiny_vision, captioner=slow)
    with running(make_handler(engine)) as server:  # type: ignore[arg-type]
        client = World(tmp_path / "gpu", server, engine).client()
        scorer = FallbackVisionScorer(RunPodVisionBackend(client), caption_timeout=0.3)
        results = scorer.score(frames_on_gpu, ["an exciting moment in a video game"])
        cancelled = any(p.startswith("POST /v2/ep-test/cancel/") for p in server.paths())

    assert cancelled
    for result in results:
        assert result.used_fallback
        assert result.captions == result.tags and len(result.tags) == 3
