"""The whisper:batch service on in-memory adapters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.inference import NoTranscriber, ScriptedTranscriber
from clipnet.adapters.memory.media import FakeMediaProcessor
from clipnet.adapters.memory.queue import RecordingJobQueue, SynchronousJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.highlights.templates import TemplateCatalogue
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.jobs.runner import JobRunner
from clipnet.domain.pipeline.whisper_batching import EDGE_PAD, BatchPolicy, TranscriptionBatcher
from clipnet.domain.shared.errors import PermanentJobError
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import Source, SourceKind
from clipnet.ports.transcriber import TranscriptionResult, TranscriptionUnavailable

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Harness:
    """The service wired to in-memory adapters, with helpers to set up waiting clips."""

    def __init__(self, transcriber: object | None = None, policy: BatchPolicy | None = None):
        self.db = InMemoryDatabase()
        self.clock = ManualClock(T0)
        self.ids = SequentialIds("job")
        self.queue = RecordingJobQueue()
        self.outbox = Outbox(self.queue, self.clock, self.ids)
        self.media = FakeMediaProcessor()
        self.storage = InMemoryStorage()
        self.transcriber = transcriber or ScriptedTranscriber()
        self.sleeps: list[float] = []
        self.on_sleep: list[object] = []
        self.lifecycle = ClipLifecycle(
            self.db.unit_of_work, self.outbox, self.clock, self.ids, TemplateCatalogue()
        )
        self.service = TranscriptionBatcher(
            self.db.unit_of_work,
            self.lifecycle,
            self.media,
            self.storage,
            self.transcriber,  # type: ignore[arg-type]
            policy=policy or BatchPolicy(),
            sleep=self._sleep,
        )
        self._source("src-1")

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        for action in self.on_sleep:
            action()  # type: ignore[operator]

    def _source(self, source_id: str) -> None:
        with self.db.unit_of_work() as uow:
            uow.sources.add(
                Source(source_id, "owner", SourceKind.LOCAL, f"/videos/{source_id}.mp4", T0)
            )
            uow.commit()

    def waiting_clip(
        self,
        clip_id: str,
        start: float = 0.0,
        source_id: str = "src-1",
        *,
        length: float = 20.0,
        origin: ClipOrigin = ClipOrigin.USER,
    ) -> Clip:
        clip = Clip(clip_id, source_id, "owner", TimeSpan(start, start + length), T0, origin=origin)
        clip.move_to(ClipStatus.QUEUED, T0)
        clip.move_to(ClipStatus.TRANSCRIBING, T0)
        with self.db.unit_of_work() as uow:
            uow.clips.add(clip)
            uow.commit()
        return clip

    def audio_url(self, clip_id: str, attempt: int = 1) -> str:
        return self.storage.url(f"transcription/{clip_id}/audio-{attempt}.wav")

    def script(self, clip_id: str, text: str) -> None:
        assert isinstance(self.transcriber, ScriptedTranscriber)
        words = [Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(text.split())]
        self.transcriber.transcripts[self.audio_url(clip_id)] = Transcript(words, "en")

    def job(self, clip_id: str, attempts: int = 1, max_attempts: int = 5) -> Job:
        return Job(
            "job-x",
            JobType.WHISPER_BATCH,
            f"whisper:batch:{clip_id}",
            T0,
            {"clip_id": clip_id},
            attempts=attempts,
            max_attempts=max_attempts,
        )

    def clip(self, clip_id: str) -> Clip:
        with self.db.unit_of_work() as uow:
            return uow.clips.get(clip_id)

    def score_jobs(self) -> list[Job]:
        return [job for job in self.queue.jobs if job.type is JobType.ML_SCORE]


def test_a_waiting_clip_gets_its_transcript_and_goes_on_to_scoring() -> None:
    # given
    h = Harness()
    h.waiting_clip("clip-a")
    h.script("clip-a", "hello there world")
    # when
    h.service.handle(h.job("clip-a"))
    # then
    clip = h.clip("clip-a")
    assert clip.status is ClipStatus.SCORING
    assert clip.transcript is not None and clip.transcript.text == "hello there world"
    [score] = h.score_jobs()
    assert score.payload == {"clip_id": "clip-a"}
    assert score.idempotency_key == "ml:score:clip-a:1"


def test_clips_waiting_together_are_transcribed_in_one_call() -> None:
    h = Harness()
    for name in ("clip-a", "clip-b", "clip-c"):
        h.waiting_clip(name)
        h.script(name, f"words of {name}")

    h.service.handle(h.job("clip-b"))

    assert isinstance(h.transcriber, ScriptedTranscriber)
    assert len(h.transcriber.calls) == 1
    assert h.transcriber.calls[0][0] == h.audio_url("clip-b"), "the job's own clip comes first"
    assert sorted(h.transcriber.calls[0]) == [
        h.audio_url(c) for c in ("clip-a", "clip-b", "clip-c")
    ]
    for name in ("clip-a", "clip-b", "clip-c"):
        clip = h.clip(name)
        assert clip.status is ClipStatus.SCORING
        assert clip.transcript is not None and clip.transcript.text == f"words of {name}"
    assert sorted(j.payload["clip_id"] for j in h.score_jobs()) == ["clip-a", "clip-b", "clip-c"]


def test_the_batch_size_caps_a_call_and_always_includes_the_jobs_own_clip() -> None:
    h = Harness(policy=BatchPolicy(size=2))
    for name in ("clip-a", "clip-b", "clip-c", "clip-d"):
        h.waiting_clip(name)
        h.script(name, name)

    h.service.handle(h.job("clip-d"))

    assert isinstance(h.transcriber, ScriptedTranscriber)
    assert h.transcriber.calls == [[h.audio_url("clip-d"), h.audio_url("clip-a")]]
    assert h.clip("clip-b").status is ClipStatus.TRANSCRIBING
    assert h.clip("clip-c").status is ClipStatus.TRANSCRIBING


def test_a_failed_item_fails_only_its_own_clip() -> None:
    h = Harness()
    h.waiting_clip("clip-a")
    h.waiting_clip("clip-b")
    h.script("clip-a", "fine words")  # clip-b has no script: its item fails

    h.service.handle(h.job("clip-a"))

    good, bad = h.clip("clip-a"), h.clip("clip-b")
    assert good.status is ClipStatus.SCORING
    assert bad.status is ClipStatus.FAILED
    assert "transcription failed" in bad.last_error and h.audio_url("clip-b") in bad.last_error
    assert [j.payload["clip_id"] for j in h.score_jobs()] == ["clip-a"]


def test_running_the_job_twice_does_nothing_the_second_time() -> None:
    h = Harness()
    h.waiting_clip("clip-a")
    h.script("clip-a", "once only")

    h.service.handle(h.job("clip-a"))
    version = h.clip("clip-a").version
    h.service.handle(h.job("clip-a"))

    assert isinstance(h.transcriber, ScriptedTranscriber)
    assert len(h.transcriber.calls) == 1
    assert h.clip("clip-a").version == version
    assert len(h.score_jobs()) == 1


def test_a_clip_already_past_transcribing_is_skipped() -> None:
    h = Harness()
    clip = h.waiting_clip("clip-a")
    with h.db.unit_of_work() as uow:
        clip = uow.clips.get("clip-a")
        clip.move_to(ClipStatus.CANCELLED, T0, "cancelled")
        uow.clips.update(clip)
        uow.commit()

    h.service.handle(h.job("clip-a"))

    assert isinstance(h.transcriber, ScriptedTranscriber)
    assert h.transcriber.calls == []
    assert h.clip("clip-a").status is ClipStatus.CANCELLED
    assert h.queue.jobs == []


def test_the_padded_clip_spans_audio_goes_to_the_transcriber_as_a_storage_url_then_away() -> None:
    h = Harness()
    h.waiting_clip("clip-a", start=42.0)
    h.script("clip-a", "hi")
    seen: dict[str, object] = {}

    original = h.storage.put

    def spy(key: str, path: Path, content_type: str = ""):  # type: ignore[no-untyped-def]
        seen[key] = json.loads(Path(path).read_text())
        return original(key, path, content_type)

    h.storage.put = spy  # type: ignore[method-assign]

    h.service.handle(h.job("clip-a"))

    assert seen == {
        # the clip's 42-62 s and EDGE_PAD on each side, so words its edges cut are heard whole
        "transcription/clip-a/audio-1.wav": {
            "audio_of": "/videos/src-1.mp4",
            "span": [42.0 - EDGE_PAD, 62.0 + EDGE_PAD],
        }
    }
    assert isinstance(h.transcriber, ScriptedTranscriber)
    assert h.transcriber.calls == [["memory://clips/transcription/clip-a/audio-1.wav"]]
    assert h.storage.keys() == []


def test_a_clip_whose_audio_cannot_be_extracted_fails_alone() -> None:
    h = Harness()
    h._source("src-2")
    h.waiting_clip("clip-a")
    h.waiting_clip("clip-b", source_id="src-2")
    h.script("clip-a", "still fine")
    with h.db.unit_of_work() as uow:
        uow.sources.update(
            Source("src-2", "owner", SourceKind.URL, "https://example.com/v.mp4", T0, version=0)
        )
        uow.commit()

    h.service.handle(h.job("clip-b"))

    assert h.clip("clip-a").status is ClipStatus.SCORING
    broken = h.clip("clip-b")
    assert broken.status is ClipStatus.FAILED
    assert "audio extraction failed" in broken.last_error


def test_without_a_speech_model_clips_go_on_to_scoring_without_a_transcript() -> None:
    h = Harness(transcriber=NoTranscriber())
    h.waiting_clip("clip-a")

    h.service.handle(h.job("clip-a"))

    clip = h.clip("clip-a")
    assert clip.status is ClipStatus.SCORING and clip.transcript is None
    assert len(h.score_jobs()) == 1
    assert h.storage.keys() == []


class DownTranscriber:
    available = True

    def transcribe(self, audio: list[str]) -> list[TranscriptionResult]:
        raise TranscriptionUnavailable("endpoint not reachable")


def test_an_unreachable_service_retries_the_job_and_fails_the_clips_only_at_the_last_try() -> None:
    h = Harness(transcriber=DownTranscriber())
    h.waiting_clip("clip-a")

    with pytest.raises(TranscriptionUnavailable):
        h.service.handle(h.job("clip-a", attempts=1, max_attempts=3))
    assert h.clip("clip-a").status is ClipStatus.TRANSCRIBING

    h.service.handle(h.job("clip-a", attempts=3, max_attempts=3))
    clip = h.clip("clip-a")
    assert clip.status is ClipStatus.FAILED
    assert "endpoint not reachable" in clip.last_error


def test_a_short_wait_lets_clips_that_arrive_meanwhile_join_the_batch() -> None:
    h = Harness(policy=BatchPolicy(size=4, wait=0.25))
    h.waiting_clip("clip-a")
    h.script("clip-a", "first")
    h.script("clip-b", "second")
    h.on_sleep.append(lambda: h.waiting_clip("clip-b"))

    h.service.handle(h.job("clip-a"))

    assert h.sleeps == [0.25]
    assert isinstance(h.transcriber, ScriptedTranscriber)
    assert h.transcriber.calls == [[h.audio_url("clip-a"), h.audio_url("clip-b")]]


def test_a_full_batch_does_not_wait() -> None:
    h = Harness(policy=BatchPolicy(size=1, wait=5.0))
    h.waiting_clip("clip-a")
    h.script("clip-a", "now")

    h.service.handle(h.job("clip-a"))

    assert h.sleeps == []


def test_a_job_without_a_clip_id_fails_permanently() -> None:
    h = Harness()
    job = h.job("x")
    job.payload.clear()
    with pytest.raises(PermanentJobError, match="clip_id"):
        h.service.handle(job)


def test_the_job_runner_runs_whisper_batch_through_the_outbox() -> None:
    # given a runner with the batcher registered, and a queue that runs jobs at once
    h = Harness()
    runner = JobRunner(h.db.unit_of_work, h.clock, {JobType.WHISPER_BATCH: h.service})
    queue = SynchronousJobQueue(runner)
    h.outbox = Outbox(queue, h.clock, h.ids)
    h.waiting_clip("clip-a")
    h.script("clip-a", "through the runner")
    # when a whisper:batch job is recorded and released
    with h.db.unit_of_work() as uow:
        job = h.outbox.add(uow, JobType.WHISPER_BATCH, {"clip_id": "clip-a"}, "whisper:batch:a")
        uow.commit()
    h.outbox.release([job])
    # then
    assert queue.finished[0].status is JobStatus.SUCCEEDED
    assert h.clip("clip-a").status is ClipStatus.SCORING


# -- edges at word gaps ----------------------------------------------------------------------


def speech(text: str, start: float, step: float = 0.5, length: float = 0.4) -> list[Word]:
    """Words in source time, ``step`` apart, each ``length`` long."""
    return [Word(w, start + i * step, start + i * step + length) for i, w in enumerate(text)]


def hear(h: Harness, clip: Clip, words: list[Word]) -> None:
    """Script the padded audio of ``clip``: ``words`` (source times) as heard in it."""
    heard_from = max(0.0, clip.span.start - EDGE_PAD)
    h.transcriber.transcripts[h.audio_url(clip.id)] = Transcript(  # type: ignore[attr-defined]
        [Word(w.text, w.start - heard_from, w.end - heard_from) for w in words], "en"
    )


def inside_a_word(point: float, words: list[Word]) -> bool:
    return any(w.start < point < w.end for w in words)


def test_an_automatic_clips_edges_move_out_of_words_to_a_sentence_break() -> None:
    h = Harness()
    clip = h.waiting_clip("clip-a", start=40.0, origin=ClipOrigin.AUTO)  # 40-60 s
    # Talk from 37.5 s to 63 s (times in eighths of a second: exact in binary), a sentence
    # ending near each edge; both 40 s and 60 s fall inside words.
    words = (
        speech(["so", "that", "round", "was."], 37.5, 0.5, 0.375)  # ends 39.375
        + speech(["the", "best", "round", "we", "ever", "played", "right"], 39.625, 0.5, 0.5)
        + speech(" ".join(["and then it went on"] * 5).split(), 43.25, 0.625, 0.5)
        + speech(
            ["so", "good.", "and", "that", "was", "it", "for", "the", "day"], 58.875, 0.5, 0.375
        )
    )
    assert inside_a_word(40.0, words) and inside_a_word(60.0, words)
    hear(h, clip, words)

    h.service.handle(h.job("clip-a"))

    moved = h.clip("clip-a")
    assert moved.status is ClipStatus.SCORING
    assert not inside_a_word(moved.span.start, words)
    assert not inside_a_word(moved.span.end, words)
    # In the sentence breaks nearest the old edges ("was." | "the", "good." | "and"), at the
    # points of them nearest the old edges: just before the next sentence's first word.
    assert moved.span == TimeSpan(39.625, 59.875)
    # The stored transcript is the new span's words, relative to its start.
    assert moved.transcript is not None
    kept = [w for w in words if moved.span.start <= w.start < moved.span.end]
    assert [w.text for w in moved.transcript.words] == [w.text for w in kept]
    assert moved.transcript.words[0].start == pytest.approx(kept[0].start - moved.span.start)


def test_a_span_a_person_asked_for_is_kept_exactly() -> None:
    h = Harness()
    clip = h.waiting_clip("clip-a", start=40.0, origin=ClipOrigin.USER)
    words = speech(
        ["one", "two", "three", "four", "five", "six", "seven", "eight"], 39.75, 0.5, 0.375
    )
    hear(h, clip, words)
    h.service.handle(h.job("clip-a"))
    kept = h.clip("clip-a")
    assert kept.span == TimeSpan(40.0, 60.0)
    assert kept.transcript is not None
    assert kept.transcript.words[0].text == "two"  # the first word starting inside it
    assert kept.transcript.words[0].start == pytest.approx(40.25 - 40.0)


def test_an_edge_is_never_moved_to_where_the_padded_audio_was_itself_cut() -> None:
    h = Harness()
    clip = h.waiting_clip("clip-a", start=40.0, origin=ClipOrigin.AUTO)
    # One long unbroken run of words covering the whole padded window: no gap is a sentence
    # break or a pause, and the only "good" gaps are the window's own outer edges.
    words = speech([f"w{i}" for i in range(80)], 36.0, 0.375, 0.375)
    hear(h, clip, words)
    h.service.handle(h.job("clip-a"))
    moved = h.clip("clip-a")
    assert moved.span.start > 40.0 - EDGE_PAD + 1e-3
    assert moved.span.end < 60.0 + EDGE_PAD - 1e-3


def test_a_clip_with_no_words_keeps_its_span() -> None:
    h = Harness()
    h.waiting_clip("clip-a", start=40.0, origin=ClipOrigin.BOT)
    h.transcriber.transcripts[h.audio_url("clip-a")] = Transcript((), "en")  # type: ignore[attr-defined]
    h.service.handle(h.job("clip-a"))
    assert h.clip("clip-a").span == TimeSpan(40.0, 60.0)


def test_what_whisper_wrote_for_tones_never_reaches_the_clip() -> None:
    h = Harness()
    h.waiting_clip("clip-a")
    h.script("clip-a", "1 -2 -3 ... ♪ [Music] what a shot")
    h.service.handle(h.job("clip-a"))
    clip = h.clip("clip-a")
    assert clip.transcript is not None and clip.transcript.text == "what a shot"
