"""The media pipeline: the job handlers that turn a queued clip into a finished, stored video.

    clip:process  -> analyse the source once (timeline kept on the Source)
                  -> whisper:batch (when a speech model is available) or ml:score
    ml:score      -> features of the clip's span, score, template, metadata -> ffmpeg:polish
    ffmpeg:polish -> 9:16 video + thumbnail, uploaded; the clip is ready

Every handler is idempotent: it looks at the clip's state first, and a clip already past its
step is left alone, so a redelivered job changes nothing. Each state change goes through
``ClipLifecycle.advance``, which records the next job in the outbox in the same transaction,
with a key per clip and attempt.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from time import monotonic

import attrs

from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.framing.service import FramingService
from clipnet.domain.highlights.candidates import normalise, span_features
from clipnet.domain.highlights.captions import caption_style
from clipnet.domain.highlights.excitement import with_speech, with_speech_weights
from clipnet.domain.highlights.features import Segment
from clipnet.domain.highlights.hallucinations import spoken_only
from clipnet.domain.highlights.metadata import build_metadata
from clipnet.domain.highlights.scoring import score_segment
from clipnet.domain.highlights.templates import Template, TemplateCatalogue
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.shared.errors import NotFound, PermanentJobError
from clipnet.domain.shared.live import JOB_PROGRESS, SOURCE_STATUS, LiveEvents
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.sources.fetching import SourceFetcher
from clipnet.domain.sources.media import SourceMedia
from clipnet.domain.sources.model import REMOTE_KINDS, Source
from clipnet.ports.key_phrases import KeyPhrases
from clipnet.ports.media import MediaError, MediaProcessor
from clipnet.ports.queue import JobHandler
from clipnet.ports.repositories import UnitOfWorkFactory
from clipnet.ports.storage import ObjectStorage
from clipnet.ports.transcriber import Transcriber
from clipnet.ports.vision import VisionScorer

log = logging.getLogger(__name__)

#: Frames per clip shown to the vision models, when they are configured.
VISION_FRAMES = 4
#: Where in the finished clip the thumbnail is taken (fraction of its length).
THUMBNAIL_AT = 1 / 3
#: Key phrases asked of a clip's words: the first makes the title, all may be hashtags.
KEY_PHRASES = 5


@attrs.frozen
class PipelineEvent:
    """Something a progress display may want to show."""

    stage: str
    """"downloading" (detail: the share done, 0 to 1), "analyzing", "analyzed", "scoring",
    "polishing", "ready" or "failed"."""
    subject_id: str
    """The source's id (analysis) or the clip's id."""
    detail: str = ""


Listener = Callable[[PipelineEvent], None]


class AnalysisProgress:
    """The analysis pass's share done, as ``job.progress`` events: one per whole 5 % and at
    most two a second, so a long source does not flood its owner's log."""

    STEP = 5
    MIN_GAP = 0.5

    def __init__(
        self,
        events: LiveEvents,
        source: Source,
        clock: Callable[[], float] = monotonic,
        stage: str = "analyzing",
    ):
        """``stage``: what the events say is going on ("downloading": a URL source's fetch)."""
        self._events = events
        self._source = source
        self._stage = stage
        self._clock = clock
        self._last_percent = -1
        self._last_at = float("-inf")

    def __call__(self, share: float) -> None:
        percent = max(0, min(100, int(share * 100)))
        now = self._clock()
        final = percent in (0, 100)
        if percent == self._last_percent or (
            not final
            and (percent < self._last_percent + self.STEP or now - self._last_at < self.MIN_GAP)
        ):
            return
        self._last_percent, self._last_at = percent, now
        self._events.publish(
            self._source.owner_id,
            JOB_PROGRESS,
            {
                "source_id": self._source.id,
                "clip_id": None,
                "stage": self._stage,
                "percent": percent,
            },
        )


def source_status_event(source: Source) -> dict[str, object]:
    """The ``source.status`` live event's data (the studio contract)."""
    return {
        "source_id": source.id,
        "status": source.status.value,
        "duration": source.duration,
        "error": source.last_error or None,
    }


def asset_key(clip_id: str, name: str) -> str:
    """Where a clip's finished files are stored, e.g. ``clips/<id>/video.mp4``."""
    return f"clips/{clip_id}/{name}"


class PipelineService:
    """The handlers of ``clip:process``, ``ml:score`` and ``ffmpeg:polish``, and source analysis."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        lifecycle: ClipLifecycle,
        media: MediaProcessor,
        storage: ObjectStorage,
        transcriber: Transcriber,
        templates: TemplateCatalogue,
        *,
        vision: VisionScorer | None = None,
        framing: FramingService | None = None,
        platform: Platform = Platform.YOUTUBE,
        scratch_dir: Path | None = None,
        events: LiveEvents | None = None,
        fetcher: SourceFetcher | None = None,
        key_phrases: KeyPhrases | None = None,
    ) -> None:
        """``fetcher``: downloads a URL source's media before its analysis (without one, URL
        sources cannot be analysed)."""
        self._uow = uow
        self._key_phrases = key_phrases
        self._lifecycle = lifecycle
        self._media = media
        self._storage = storage
        self._transcriber = transcriber
        self._templates = templates
        self._vision = vision
        self._framing = framing
        self._platform = platform
        self._scratch_dir = scratch_dir
        # A local path to a source's media for the length of a ``with`` block.
        self._source_file = SourceMedia(storage, scratch_dir).local_file
        self._listeners: list[Listener] = []
        self._events = events or LiveEvents()
        self._fetcher = fetcher

    # -- wiring --------------------------------------------------------------------------------

    JOB_TYPES = (JobType.CLIP_PROCESS, JobType.ML_SCORE, JobType.FFMPEG_POLISH)
    """The job types this service handles."""

    def handlers(self) -> Mapping[JobType, JobHandler]:
        return {
            JobType.CLIP_PROCESS: self.process,
            JobType.ML_SCORE: self.score,
            JobType.FFMPEG_POLISH: self.polish,
        }

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` on every event; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, stage: str, subject_id: str, detail: str = "") -> None:
        for listener in list(self._listeners):
            listener(PipelineEvent(stage, subject_id, detail))

    # -- sources -------------------------------------------------------------------------------

    def analyze_source(self, source_id: str) -> Source:
        """Probe and analyse the source unless done before; the timeline stays on the Source.

        Raises ``MediaError`` (recorded on the source) when the media cannot be read.
        """
        with self._uow() as uow:
            source = uow.sources.get(source_id)
        if source.timeline is not None:
            return source
        self._emit("analyzing", source_id, source.location)
        self._mark_analyzing(source_id)
        report = AnalysisProgress(self._events, source)
        try:
            self._fetch_if_remote(source)
            with self._source_file(source) as path:
                info = self._media.probe(path)
                report(0.0)
                timeline = self._media.analyze(path, report)
        except MediaError as error:
            self._record_source_failure(source_id, str(error))
            raise
        with self._uow() as uow:
            source = uow.sources.get(source_id)
            if source.timeline is None:  # another worker may have finished first
                source.record_probe(info.duration)
                source.record_analysis(timeline)
                uow.sources.update(source)
                uow.commit()
        report(1.0)
        self._events.publish(source.owner_id, SOURCE_STATUS, source_status_event(source))
        self._emit("analyzed", source_id)
        return source

    def _fetch_if_remote(self, source: Source) -> None:
        """Download a URL source's media into storage (once), telling its owner how far."""
        if source.kind not in REMOTE_KINDS or self._fetcher is None:
            return
        report = AnalysisProgress(self._events, source, stage="downloading")
        shown = [-1]

        def share(done: float) -> None:
            report(done)
            if int(done * 100) != shown[0]:  # the command line's bar, once per whole percent
                shown[0] = int(done * 100)
                self._emit("downloading", source.id, f"{done:.2f}")

        share(0.0)
        self._fetcher.ensure_stored(source, share)

    # -- job handlers --------------------------------------------------------------------------

    def process(self, job: Job) -> None:
        """``clip:process``: make sure the source is analysed, then transcribe or score."""
        self._guarded(job, self._process)

    def score(self, job: Job) -> None:
        """``ml:score``: score the clip's span, choose its template and metadata."""
        self._guarded(job, self._score)

    def polish(self, job: Job) -> None:
        """``ffmpeg:polish``: render, upload and mark the clip ready."""
        self._guarded(job, self._polish)

    def _process(self, clip: Clip) -> None:
        if clip.status is not ClipStatus.QUEUED:
            return
        self.analyze_source(clip.source_id)
        speech = self._transcriber.available
        self._lifecycle.advance(
            clip.id,
            ClipStatus.TRANSCRIBING if speech else ClipStatus.SCORING,
            expected=ClipStatus.QUEUED,
            next_job=JobType.WHISPER_BATCH if speech else JobType.ML_SCORE,
        )

    def _score(self, clip: Clip) -> None:
        if clip.status is not ClipStatus.SCORING:
            return
        self._emit("scoring", clip.id)
        source = self._source(clip.source_id)
        if source.timeline is None:
            raise PermanentJobError(f"source {source.id} of clip {clip.id} was never analysed")
        segment = Segment(clip.span, span_features(normalise(source.timeline), clip.span))
        speech = _speech_of(clip)
        if speech is not None:
            segment = with_speech(segment, speech)
        segment = self._with_vision(source, segment)
        template = self._template_for(clip, segment)
        # What was said counts only where something was: a clip without speech scores as before.
        weights = template.weights if speech is None else with_speech_weights(template.weights)
        score = score_segment(segment, weights)
        metadata = build_metadata(
            self._platform,
            title=clip.title,
            transcript=speech.text if speech else "",
            captions=segment.captions,
            tags=segment.tags,
            explanation=score.explanation,
            phrases=self._phrases_of(speech),
            source_title=source.title,
            category=source.category,
        )

        def apply(fresh: Clip) -> None:
            fresh.score = score
            fresh.template = template.name
            fresh.captions, fresh.tags = segment.captions, segment.tags
            fresh.rename(fresh.title or metadata.title)
            fresh.description, fresh.hashtags = metadata.description, metadata.hashtags

        self._lifecycle.advance(
            clip.id,
            ClipStatus.POLISHING,
            expected=ClipStatus.SCORING,
            change=apply,
            next_job=JobType.FFMPEG_POLISH,
        )

    def _polish(self, clip: Clip) -> None:
        if clip.status not in (ClipStatus.POLISHING, ClipStatus.UPLOADING):
            return
        self._emit("polishing", clip.id)
        template = self._templates.get(clip.template) if clip.template else self._templates.default
        if clip.caption_style:  # asked for with the clip: wins over the template's
            template = attrs.evolve(template, captions=caption_style(clip.caption_style))
        template = template.at_aspect(clip.aspect)  # one asked for with the clip wins
        source = self._source(clip.source_id)
        with self._scratch() as scratch, self._source_file(source) as path:
            framing = (
                self._framing.plan(path, clip.span, template, _names(source))
                if self._framing
                else None
            )
            video = self._media.polish(
                path,
                clip.span,
                template,
                scratch / "video.mp4",
                transcript=_speech_of(clip),  # captions never show Whisper's noise
                title=clip.title if template.overlay_title else "",
                framing=framing,
            )
            thumbnail = self._media.thumbnail(
                video, clip.span.duration * THUMBNAIL_AT, scratch / "thumbnail.jpg"
            )
            if clip.status is ClipStatus.POLISHING:
                self._lifecycle.advance(
                    clip.id, ClipStatus.UPLOADING, expected=ClipStatus.POLISHING
                )
            assets = {
                "video": self._storage.put(asset_key(clip.id, "video.mp4"), video, "video/mp4").key,
                "thumbnail": self._storage.put(
                    asset_key(clip.id, "thumbnail.jpg"), thumbnail, "image/jpeg"
                ).key,
            }

        def record(fresh: Clip) -> None:
            fresh.assets = {**fresh.assets, **assets}

        self._lifecycle.advance(
            clip.id, ClipStatus.READY, expected=ClipStatus.UPLOADING, change=record
        )
        self._emit("ready", clip.id)

    # -- helpers -------------------------------------------------------------------------------

    def _guarded(self, job: Job, step: Callable[[Clip], None]) -> None:
        """Run one step for the job's clip; a failure that will not be retried fails the clip."""
        clip = self._clip_of(job)
        try:
            step(clip)
        except MediaError as error:  # unreadable media stays unreadable: do not retry
            self._fail_clip(clip.id, str(error))
            raise PermanentJobError(str(error)) from error
        except PermanentJobError as error:
            self._fail_clip(clip.id, str(error))
            raise
        except Exception as error:
            if job.attempts >= job.max_attempts:
                self._fail_clip(clip.id, f"{type(error).__name__}: {error}")
            raise

    def _clip_of(self, job: Job) -> Clip:
        clip_id = str(job.payload.get("clip_id", ""))
        try:
            with self._uow() as uow:
                return uow.clips.get(clip_id)
        except NotFound:
            raise PermanentJobError(f"job {job.id}: clip {clip_id!r} does not exist") from None

    def _source(self, source_id: str) -> Source:
        try:
            with self._uow() as uow:
                return uow.sources.get(source_id)
        except NotFound:
            raise PermanentJobError(f"source {source_id!r} does not exist") from None

    def _fail_clip(self, clip_id: str, reason: str) -> None:
        """Fail the clip unless it is past failing (ready, terminal); tell listeners if so."""
        if self._lifecycle.fail(clip_id, reason) is not None:
            self._emit("failed", clip_id, reason)

    def _mark_analyzing(self, source_id: str) -> None:
        self._change_source(source_id, Source.start_analysis)

    def _record_source_failure(self, source_id: str, reason: str) -> None:
        self._change_source(source_id, lambda source: source.record_failure(reason))

    def _change_source(self, source_id: str, change: Callable[[Source], None]) -> None:
        """Change the source's status in one unit of work, then tell its owner's studio."""
        with self._uow() as uow:
            source = uow.sources.get(source_id)
            change(source)
            uow.sources.update(source)
            uow.commit()
        self._events.publish(source.owner_id, SOURCE_STATUS, source_status_event(source))

    def _template_for(self, clip: Clip, segment: Segment) -> Template:
        if clip.template:
            return self._templates.get(clip.template)
        return self._templates.choose(segment.tags, segment.captions)

    def _phrases_of(self, speech: Transcript | None) -> list[str]:
        """The clip's key phrases (none without speech, or without an extractor: then
        ``build_metadata`` takes the most frequent words)."""
        if speech is None or self._key_phrases is None:
            return []
        return self._key_phrases.extract(speech.text, speech.language, KEY_PHRASES)

    def _with_vision(self, source: Source, segment: Segment) -> Segment:
        if self._vision is None:
            return segment
        with self._scratch() as scratch, self._source_file(source) as path:
            frames = self._media.sample_frames(path, segment.span, VISION_FRAMES, scratch)
            prompts = [p for t in self._templates for p in t.prompts]
            (result,) = self._vision.score([[str(f) for f in frames]], list(dict.fromkeys(prompts)))
        enriched = segment.with_features(highlight=result.similarity)
        if result.motion > 0:
            enriched = enriched.with_features(
                motion=max(segment.features.get("motion", 0), result.motion)
            )
        return attrs.evolve(enriched, captions=result.captions, tags=result.tags)

    @contextlib.contextmanager
    def _scratch(self) -> Iterator[Path]:
        with scratch_folder("pipeline", self._scratch_dir) as folder:
            yield folder


def _names(source: Source) -> tuple[str, ...]:
    """What a per-source setting may call the source: its channel, title and file name."""
    file_name = source.location.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return tuple(name for name in (source.channel, source.title, file_name) if name)


def _speech_of(clip: Clip) -> Transcript | None:
    """The clip's transcript without what is not speech (one stored before the filter may
    hold some); None when no word is left."""
    if clip.transcript is None:
        return None
    speech = spoken_only(clip.transcript)
    return None if speech.is_empty else speech
