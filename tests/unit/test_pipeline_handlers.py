"""The media pipeline's job handlers, built through the real container with in-memory fakes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.ids import SequentialIds
from clipnet.adapters.memory.inference import ScriptedTranscriber
from clipnet.adapters.memory.media import FakeMediaProcessor
from clipnet.adapters.memory.queue import RecordingJobQueue, SynchronousJobQueue
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.highlights.features import FeatureTimeline, Segment
from clipnet.domain.highlights.scoring import RankedSegment, score_segment
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.jobs.model import Job, JobStatus, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.media import MediaInfo
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import SourceKind, SourceStatus
from tests.builders import a_source, a_user
from tests.containers import app_container, memory_settings

VOD = "/media/vod.mp4"


class CountingMedia(FakeMediaProcessor):
    """The fake media processor, counting the expensive calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def polish(self, *args: Any, **kwargs: Any) -> Path:
        self._count("polish")
        return super().polish(*args, **kwargs)

    def probe(self, path: Path) -> MediaInfo:
        self._count("probe")
        return super().probe(path)


def burst_timeline(seconds: int = 300) -> FeatureTimeline:
    loud = [-40.0] * seconds
    motion = [0.01] * seconds
    for second in range(140, 160):
        loud[second], motion[second] = -18.0, 0.2
    return FeatureTimeline(
        seconds=seconds,
        series={"loudness": loud, "motion": motion, "speech": [0.0] * seconds},
        scene_cuts=[144.0, 148.0, 152.0],
    )


class World:
    def __init__(self, tmp_path: Path, transcriber: ScriptedTranscriber | None = None) -> None:
        self.queue = RecordingJobQueue()
        self.media = CountingMedia()
        self.media.register(VOD, MediaInfo(300.0, True, True, 1920, 1080, 30.0), burst_timeline())
        self.storage = InMemoryStorage()
        self.container = app_container(
            memory_settings(tmp_path),
            queue=self.queue,
            clock=ManualClock(),
            ids=SequentialIds("id"),
            media=self.media,
            storage=self.storage,
            transcriber=transcriber or ScriptedTranscriber(available=False),
        )
        with self.uow() as uow:
            uow.users.add(a_user())
            uow.sources.add(a_source(kind=SourceKind.LOCAL, location=VOD, duration=0.0, channel=""))
            uow.commit()

    def uow(self) -> Any:
        return self.container.uow_factory()()

    def request(
        self,
        span: TimeSpan | None = None,
        template: str = "",
        caption_style: str = "",
        aspect: str = "",
    ) -> Clip:
        return self.container.lifecycle().request(
            "source-1",
            "user-1",
            span or TimeSpan(135, 165),
            template=template,
            caption_style=caption_style,
            aspect=aspect,
        )

    def clip(self, clip_id: str) -> Clip:
        with self.uow() as uow:
            return uow.clips.get(clip_id)

    def run(self, job_type: JobType) -> Job:
        """Run the last queued job of ``job_type`` through the job runner."""
        job = [j for j in self.queue.jobs if j.type is job_type][-1]
        return self.container.job_runner().run(job.id)

    def run_all(self, job_type: JobType) -> None:
        for job in [j for j in self.queue.jobs if j.type is job_type]:
            self.container.job_runner().run(job.id)

    def run_handler_again(self, job_type: JobType) -> None:
        job = [j for j in self.queue.jobs if j.type is job_type][-1]
        self.container.pipeline().handlers()[job_type](job)

    def stored_jobs(self) -> list[str]:
        with self.uow() as uow:
            return sorted(j.idempotency_key for j in uow.jobs.recent(limit=1000))


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_processing_a_clip_analyses_its_source_and_sends_the_clip_to_scoring(
    world: World,
) -> None:
    clip = world.request()
    assert world.run(JobType.CLIP_PROCESS).status is JobStatus.SUCCEEDED
    with world.uow() as uow:
        source = uow.sources.get("source-1")
    assert source.status is SourceStatus.ANALYZED
    assert source.timeline == burst_timeline()
    assert source.duration == 300.0
    assert world.clip(clip.id).status is ClipStatus.SCORING
    assert world.queue.jobs[-1].idempotency_key == f"ml:score:{clip.id}:1"


def test_a_second_clip_of_the_same_source_does_not_decode_it_again(world: World) -> None:
    world.request(TimeSpan(10, 40))
    world.run(JobType.CLIP_PROCESS)
    world.request(TimeSpan(100, 130))
    world.run(JobType.CLIP_PROCESS)
    assert world.media.analyzed == [VOD]


def test_with_a_speech_model_a_processed_clip_waits_for_transcription(tmp_path: Path) -> None:
    world = World(tmp_path, ScriptedTranscriber())
    clip = world.request()
    world.run(JobType.CLIP_PROCESS)
    assert world.clip(clip.id).status is ClipStatus.TRANSCRIBING
    assert world.queue.jobs[-1].type is JobType.WHISPER_BATCH
    assert world.queue.jobs[-1].payload == {"clip_id": clip.id}


def test_scoring_records_the_score_template_and_metadata_then_queues_the_polish(
    world: World,
) -> None:
    clip = world.request()
    world.run(JobType.CLIP_PROCESS)
    world.run(JobType.ML_SCORE)
    scored = world.clip(clip.id)
    assert scored.status is ClipStatus.POLISHING
    assert scored.score is not None
    assert scored.score.total > 50
    assert "loud burst" in scored.score.explanation
    assert scored.template == "reframe"
    assert scored.title == scored.score.explanation[:1].upper() + scored.score.explanation[1:]
    assert scored.description
    assert world.queue.jobs[-1].idempotency_key == job_key(JobType.FFMPEG_POLISH, clip.id, 1)


def test_a_calm_span_scores_lower_than_the_burst(world: World) -> None:
    calm, burst = world.request(TimeSpan(20, 50)), world.request(TimeSpan(135, 165))
    world.run_all(JobType.CLIP_PROCESS)
    world.run_all(JobType.ML_SCORE)
    calm_score, burst_score = world.clip(calm.id).score, world.clip(burst.id).score
    assert calm_score is not None and burst_score is not None
    assert calm_score.total < burst_score.total
    assert calm_score.explanation == "calm moment"


def test_a_clip_keeps_the_template_it_was_asked_for(world: World) -> None:
    clip = world.request(template="split")
    world.run(JobType.CLIP_PROCESS)
    world.run(JobType.ML_SCORE)
    assert world.clip(clip.id).template == "split"


@pytest.mark.parametrize(
    ("asked", "rendered_with"),
    [("", "bold-pop"), ("boxed", "boxed"), ("lower-third", "lower-third"), ("none", "none")],
)
def test_a_caption_style_asked_for_with_the_clip_wins_over_the_templates(
    world: World, asked: str, rendered_with: str
) -> None:
    # center-crop's own style is bold-pop
    clip = world.request(template="center-crop", caption_style=asked)
    for job_type in (JobType.CLIP_PROCESS, JobType.ML_SCORE, JobType.FFMPEG_POLISH):
        assert world.run(job_type).status is JobStatus.SUCCEEDED
    ready = world.clip(clip.id)
    assert ready.caption_style == asked
    rendered = json.loads(world.storage._objects[ready.assets["video"]])
    assert (rendered["template"], rendered["caption_style"]) == ("center-crop", rendered_with)


@pytest.mark.parametrize(
    ("asked", "size"), [("", [1080, 1920]), ("1:1", [1080, 1080]), ("16:9", [1920, 1080])]
)
def test_an_aspect_asked_for_with_the_clip_sets_the_output_size_and_a_rerender_keeps_it(
    world: World, asked: str, size: list[int]
) -> None:
    clip = world.request(template="split", aspect=asked)
    for job_type in (JobType.CLIP_PROCESS, JobType.ML_SCORE, JobType.FFMPEG_POLISH):
        assert world.run(job_type).status is JobStatus.SUCCEEDED
    ready = world.clip(clip.id)
    assert ready.aspect == asked
    rendered = json.loads(world.storage._objects[ready.assets["video"]])
    assert (rendered["template"], rendered["size"]) == ("split", size)


def test_an_unknown_aspect_is_refused_naming_the_known_ones(world: World) -> None:
    with pytest.raises(InvalidInput, match=r"unknown aspect '4:3' \(known: 9:16, 1:1, 16:9\)"):
        world.request(aspect="4:3")


def test_an_unknown_caption_style_is_refused_naming_the_known_ones(world: World) -> None:
    with pytest.raises(InvalidInput, match="bold-pop, lower-third, boxed, none"):
        world.request(caption_style="comic")


def test_polishing_uploads_the_video_and_thumbnail_and_makes_the_clip_ready(
    world: World,
) -> None:
    clip = world.request()
    for job_type in (JobType.CLIP_PROCESS, JobType.ML_SCORE, JobType.FFMPEG_POLISH):
        assert world.run(job_type).status is JobStatus.SUCCEEDED
    ready = world.clip(clip.id)
    assert ready.status is ClipStatus.READY
    assert ready.assets == {
        "video": f"clips/{clip.id}/video.mp4",
        "thumbnail": f"clips/{clip.id}/thumbnail.jpg",
    }
    assert world.storage.keys() == sorted(ready.assets.values())
    rendered = json.loads(world.storage._objects[ready.assets["video"]])
    assert rendered["polish_of"] == VOD
    assert rendered["span"] == [135.0, 165.0]
    # framed by the framing service's plan (the scripted scanner's whole 1920x1080 picture)
    assert rendered["framing"]["picture"] == [0.0, 0.0, 1920.0, 1080.0]
    assert rendered["framing"]["crop_segments"] >= 1
    assert [t.target for t in ready.history][-3:] == [
        ClipStatus.POLISHING,
        ClipStatus.UPLOADING,
        ClipStatus.READY,
    ]


@pytest.mark.parametrize(
    "job_type", [JobType.CLIP_PROCESS, JobType.ML_SCORE, JobType.FFMPEG_POLISH]
)
def test_running_a_handler_twice_changes_nothing_the_second_time(
    world: World, job_type: JobType
) -> None:
    clip = world.request()
    for step in (JobType.CLIP_PROCESS, JobType.ML_SCORE, JobType.FFMPEG_POLISH):
        world.run(step)
        if step is job_type:
            break
    before, jobs_before = world.clip(clip.id), world.stored_jobs()
    calls_before, keys_before = dict(world.media.calls), world.storage.keys()
    world.run_handler_again(job_type)
    after = world.clip(clip.id)
    assert after.same_state_as(before)
    assert world.stored_jobs() == jobs_before
    assert world.media.calls == calls_before
    assert world.storage.keys() == keys_before


def test_unreadable_media_fails_the_clip_and_its_job_for_good(world: World) -> None:
    with world.uow() as uow:
        uow.sources.add(a_source("broken", kind=SourceKind.LOCAL, location="/media/gone.mp4"))
        uow.commit()
    clip = world.container.lifecycle().request("broken", "user-1", TimeSpan(0, 20))
    job = world.run(JobType.CLIP_PROCESS)
    assert job.status is JobStatus.DEAD
    assert job.attempts == 1
    failed = world.clip(clip.id)
    assert failed.status is ClipStatus.FAILED
    assert "/media/gone.mp4" in failed.last_error
    with world.uow() as uow:
        assert uow.sources.get("broken").status is SourceStatus.FAILED


def test_a_job_for_a_clip_that_does_not_exist_fails_for_good(world: World) -> None:
    outbox: Outbox = world.container.outbox()
    with world.uow() as uow:
        job = outbox.add(uow, JobType.ML_SCORE, {"clip_id": "nope"}, "ml:score:nope:1")
        uow.commit()
    result = world.container.job_runner().run(job.id)
    assert result.status is JobStatus.DEAD
    assert "nope" in result.last_error


def test_a_whole_run_through_the_synchronous_queue_ends_ready_with_captions(
    tmp_path: Path,
) -> None:
    # given a speech model and a stand-in for the whisper:batch handler (issue 6's contract)
    world = World(tmp_path, ScriptedTranscriber())
    queue = SynchronousJobQueue(world.container.job_runner())
    world.container.queue.override(providers.Object(queue))
    words = Transcript([Word("what", 0.5, 0.8), Word("a", 0.9, 1.0), Word("play!", 1.1, 1.6)])

    def transcribe(job: Job) -> None:
        with world.uow() as uow:
            clip = uow.clips.get(job.payload["clip_id"])
            if clip.status is not ClipStatus.TRANSCRIBING:
                return
            clip.transcript = words
            clip.move_to(ClipStatus.SCORING, world.container.clock().now())
            key = job_key(JobType.ML_SCORE, clip.id, clip.attempts)
            next_job = world.container.outbox().add(
                uow, JobType.ML_SCORE, {"clip_id": clip.id}, key
            )
            uow.clips.update(clip)
            uow.commit()
        world.container.outbox().release([next_job])

    world.container.job_runner().register(JobType.WHISPER_BATCH, transcribe)
    # when
    segment = Segment(TimeSpan(135, 165), {"loudness": 1.0})
    ranked = [RankedSegment(segment, score_segment(segment), 1)]
    (clip,) = world.container.lifecycle().create_detected("source-1", "user-1", ranked)
    # then
    done = world.clip(clip.id)
    assert done.status is ClipStatus.READY
    assert done.transcript == words
    assert done.title == "What a play!"
    rendered = json.loads(world.storage._objects[done.assets["video"]])
    assert rendered["captions"] == "what a play!"
    assert [j.type.value for j in queue.finished] == [
        "clip:process",
        "whisper:batch",
        "ml:score",
        "ffmpeg:polish",
    ]


def _scored_with(world: World, span: TimeSpan, transcript: Transcript | None) -> Clip:
    """A clip of ``span`` scored with ``transcript`` (clip times) stored on it."""
    clip = world.request(span)
    world.run(JobType.CLIP_PROCESS)
    with world.uow() as uow:
        stored = uow.clips.get(clip.id)
        stored.transcript = transcript
        uow.clips.update(stored)
        uow.commit()
    world.run(JobType.ML_SCORE)
    return world.clip(clip.id)


def test_excited_words_over_a_calm_span_outrank_the_same_span_without_speech(
    world: World,
) -> None:
    shouted = [
        Word(w, 1 + i * 0.4, 1.3 + i * 0.4) for i, w in enumerate(["WOW!", "no", "way!", "insane!"])
    ]
    silent = _scored_with(world, TimeSpan(20, 50), None)
    excited = _scored_with(world, TimeSpan(20, 50), Transcript(shouted, "en"))
    assert silent.score is not None and excited.score is not None
    assert excited.score.total > silent.score.total
    assert excited.score.values["shouting"] == 1.0
    assert "shouting" in excited.score.explanation


def test_a_transcript_of_only_noise_scores_exactly_as_no_transcript(world: World) -> None:
    noise = Transcript([Word("1", 0.5, 0.8), Word("-2", 1.0, 1.2), Word("...", 1.5, 1.9)], "en")
    silent = _scored_with(world, TimeSpan(20, 50), None)
    tones = _scored_with(world, TimeSpan(20, 50), noise)
    assert tones.score == silent.score
    assert tones.title == silent.title


def test_a_clip_of_a_named_source_is_titled_and_tagged_from_it_when_nothing_was_said(
    world: World,
) -> None:
    with world.uow() as uow:
        source = uow.sources.get("source-1")
        source.title, source.category = "Friday ranked", "Valorant"
        uow.sources.update(source)
        uow.commit()
    calm = _scored_with(world, TimeSpan(20, 50), None)
    assert calm.title == "Calm moment — Friday ranked"
    assert calm.hashtags[0] == "#valorant"
    said = [Word(w, 1 + i * 0.4, 1.3 + i * 0.4) for i, w in enumerate(SHOUTED)]
    spoken = _scored_with(world, TimeSpan(60, 90), Transcript(said, "en"))
    assert spoken.title == "The sniper hit the dragon through the smoke!"
    assert spoken.hashtags[0] == "#valorant"
    assert not {"#the", "#through"} & set(spoken.hashtags)


SHOUTED = ["okay", "so.", "The", "sniper", "hit", "the", "dragon", "through", "the", "smoke!"]


def test_a_transcript_stored_before_the_filter_burns_in_no_noise(world: World) -> None:
    said = Transcript([Word("1", 0.5, 0.8), Word("-2", 1.0, 1.2), Word("gg", 1.5, 1.9)], "en")
    clip = _scored_with(world, TimeSpan(20, 50), said)
    world.run(JobType.FFMPEG_POLISH)
    rendered = json.loads(world.storage._objects[world.clip(clip.id).assets["video"]])
    assert rendered["captions"] == "gg"
