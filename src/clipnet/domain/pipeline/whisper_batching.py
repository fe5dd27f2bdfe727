"""The ``whisper:batch`` job: transcribe waiting clips together, then send each on to scoring.

``clip:process`` moves a clip to ``transcribing`` and enqueues ``whisper:batch {"clip_id"}``.
The handler gathers that clip and other clips waiting in ``transcribing`` (up to a batch
size, optionally waiting a moment for more), extracts each clip's audio, puts it in object
storage and hands the storage URLs to the transcriber in one call. Each transcript (times
relative to the clip's start), without what Whisper wrote for sound that is not speech (see
:mod:`clipnet.domain.highlights.hallucinations`), is stored on its clip, which moves on to
``scoring`` with an ``ml:score`` job. A failed item fails only its own clip.

Edges at word boundaries: each clip's audio is taken ``EDGE_PAD`` seconds wider on both sides,
so a word its edge cuts is heard whole. A clip ClipNET chose (auto, or a bot's ``!clip``)
then has each edge moved to the nearest sentence break or pause within ``SNAP_TOLERANCE``
seconds, else to the nearest gap between words: it never starts or ends mid-word. A span a
person asked for is kept exactly as asked. An edge is never moved into the padding's own
outer edge (a word cut there was not heard whole), and the length stays within the clip
bounds (or the clip's own length, if that is outside them).

Idempotent: a clip already past ``transcribing`` is left alone, so running the job twice, or
two workers gathering the same clip, transcribe and advance it once.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.highlights.candidates import DEFAULT_BOUNDS, LengthBounds, WordBoundaries
from clipnet.domain.highlights.hallucinations import spoken_only
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.shared.errors import DomainError, NotFound, PermanentJobError
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.media import SourceMedia
from clipnet.domain.sources.model import Source
from clipnet.ports.media import MediaError, MediaProcessor
from clipnet.ports.repositories import ClipQuery, UnitOfWorkFactory
from clipnet.ports.storage import ObjectStorage
from clipnet.ports.transcriber import Transcriber, TranscriptionFailure, TranscriptionResult

log = logging.getLogger(__name__)

#: Seconds of audio heard beyond each end of a clip (more than the snap tolerance, so a good
#: gap within reach is always one that was heard).
EDGE_PAD = 3.5


@attrs.frozen
class BatchPolicy:
    """How many clips go into one transcription call, and how long to wait for company."""

    size: int = 8
    wait: float = 0.0
    """Seconds to wait once for more clips when the batch is not full (0: never wait)."""


@attrs.frozen
class _Item:
    """One clip of a batch whose audio is ready in storage."""

    clip_id: str
    audio_key: str
    audio_url: str
    heard: TimeSpan
    """The span of the source the audio covers (the clip's, padded)."""
    source_duration: float


class TranscriptionBatcher:
    """Handles ``whisper:batch`` jobs (see the module docstring)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        lifecycle: ClipLifecycle,
        media: MediaProcessor,
        storage: ObjectStorage,
        transcriber: Transcriber,
        *,
        policy: BatchPolicy = BatchPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        bounds: LengthBounds = DEFAULT_BOUNDS,
    ) -> None:
        self._uow = uow
        self._lifecycle = lifecycle
        self._media = media
        self._storage = storage
        self._transcriber = transcriber
        self._policy = policy
        self._source_media = SourceMedia(storage)
        self._sleep = sleep
        self._bounds = bounds

    def __call__(self, job: Job) -> None:
        self.handle(job)

    def handle(self, job: Job) -> None:
        clip_id = job.payload.get("clip_id")
        if not isinstance(clip_id, str) or not clip_id:
            raise PermanentJobError(f"whisper:batch needs a clip_id, got {job.payload!r}")
        batch, sources = self._gather(clip_id)
        if not batch:
            log.info("whisper:batch %s: clip %s is not waiting for speech", job.id, clip_id)
            return
        if not self._transcriber.available:
            for clip in batch:
                self._advance(clip.id, None)
            return
        with scratch_folder("whisper") as tmp:
            items = self._prepare(batch, sources, tmp)
        try:
            self._transcribe(items, job)
        finally:
            for item in items:
                self._storage.delete(item.audio_key)

    # -- gathering -----------------------------------------------------------------------------

    def _gather(self, clip_id: str) -> tuple[list[Clip], dict[str, Source]]:
        """The job's clip first, then the oldest other waiting clips, up to the batch size."""
        batch = self._waiting(clip_id)
        if batch and len(batch) < self._policy.size and self._policy.wait > 0:
            self._sleep(self._policy.wait)
            batch = self._waiting(clip_id)
        with self._uow() as uow:
            sources = {}
            for clip in batch:
                try:
                    sources[clip.source_id] = uow.sources.get(clip.source_id)
                except DomainError:  # its clip fails when its audio is wanted
                    continue
        return batch, sources

    def _waiting(self, clip_id: str) -> list[Clip]:
        with self._uow() as uow:
            try:
                clip = uow.clips.get(clip_id)
            except DomainError:  # deleted meanwhile: nothing to transcribe
                return []
            if not _needs_speech(clip):
                return []
            query = ClipQuery(statuses=(ClipStatus.TRANSCRIBING,), limit=self._policy.size * 4)
            others = [c for c in uow.clips.search(query) if c.id != clip_id and _needs_speech(c)]
        return [clip, *others][: self._policy.size]

    # -- audio ---------------------------------------------------------------------------------

    def _prepare(
        self, batch: Sequence[Clip], sources: dict[str, Source], workdir: Path
    ) -> list[_Item]:
        """Each clip's audio, extracted and stored; a clip whose audio fails is failed now."""
        items: list[_Item] = []
        with contextlib.ExitStack() as fetched:  # local copies live until every clip is cut
            located: dict[str, Path] = {}

            def local_file(source: Source) -> Path:
                if source.id not in located:  # one fetch per source, however many of its clips
                    located[source.id] = fetched.enter_context(
                        self._source_media.local_file(source)
                    )
                return located[source.id]

            for clip in batch:
                try:
                    source = sources.get(clip.source_id)
                    if source is None:
                        raise MediaError(f"source {clip.source_id} no longer exists")
                    items.append(self._store_audio(clip, source, local_file(source), workdir))
                except (MediaError, DomainError, OSError) as error:
                    self._fail(clip.id, f"audio extraction failed: {error}")
        return items

    def _store_audio(self, clip: Clip, source: Source, source_file: Path, workdir: Path) -> _Item:
        heard = _padded(clip.span, source.duration)
        wav = self._media.extract_audio(source_file, workdir / f"{clip.id}.wav", heard)
        key = f"transcription/{clip.id}/audio-{clip.attempts}.wav"
        self._storage.put(key, wav, "audio/wav")
        return _Item(clip.id, key, self._storage.url(key), heard, source.duration)

    # -- transcribing --------------------------------------------------------------------------

    def _transcribe(self, items: Sequence[_Item], job: Job) -> None:
        if not items:
            return
        try:
            results = self._transcriber.transcribe([item.audio_url for item in items])
        except Exception as error:  # the service as a whole: retry the job, fail clips at the end
            if job.attempts < job.max_attempts:
                raise
            results = [TranscriptionFailure(f"speech service unavailable: {error}")] * len(items)
        if len(results) != len(items):
            raise PermanentJobError(
                f"the transcriber returned {len(results)} results for {len(items)} items"
            )
        for item, result in zip(items, results, strict=True):
            self._record(item, result)

    def _record(self, item: _Item, result: TranscriptionResult) -> None:
        if isinstance(result, TranscriptionFailure):
            self._fail(item.clip_id, f"transcription failed: {result.reason}")
        else:
            self._advance(item.clip_id, result, item)

    # -- saving --------------------------------------------------------------------------------

    def _advance(
        self, clip_id: str, transcript: Transcript | None, item: _Item | None = None
    ) -> None:
        """Store the transcript (the clip's edges moved to word gaps first, where ClipNET
        chose them), move the clip to scoring and enqueue ``ml:score``."""

        def store(clip: Clip) -> None:
            if transcript is None or item is None:
                clip.transcript = transcript
                return
            # Whisper's tones-as-digits and loops never reach a score, title or caption.
            heard = spoken_only(transcript).shifted(item.heard.start)  # source times
            if clip.origin is not ClipOrigin.USER:
                clip.span = self._at_word_gaps(clip.span, heard, item)
            clip.transcript = heard.between(clip.span.start, clip.span.end)

        with contextlib.suppress(NotFound):  # deleted meanwhile
            self._lifecycle.advance(
                clip_id,
                ClipStatus.SCORING,
                "transcribed",
                expected=_needs_speech,
                change=store,
                next_job=JobType.ML_SCORE,
            )

    def _at_word_gaps(self, span: TimeSpan, heard: Transcript, item: _Item) -> TimeSpan:
        """``span`` with its edges at word gaps (see the module docstring); as it is when no
        such span fits. ``heard``: the padded audio's words, in source times."""
        window = item.heard
        bounds = LengthBounds(
            min(self._bounds.shortest, span.duration), max(self._bounds.longest, span.duration)
        )
        snapped = WordBoundaries(heard.words, window.end).snap(span, bounds)
        if snapped is None:
            return span
        cut_start = window.start > 0  # the padding's outer edge is inside the source
        cut_end = item.source_duration <= 0 or window.end < item.source_duration - 1e-3
        if (cut_start and snapped.start <= window.start + 1e-3) or (
            cut_end and snapped.end >= window.end - 1e-3
        ):
            return span  # at (or past) an edge no one heard past
        return snapped

    def _fail(self, clip_id: str, reason: str) -> None:
        log.warning("clip %s: %s", clip_id, reason)
        with contextlib.suppress(NotFound):  # deleted meanwhile
            self._lifecycle.fail(clip_id, reason, expected=_needs_speech)


def _needs_speech(clip: Clip) -> bool:
    return clip.status is ClipStatus.TRANSCRIBING and clip.transcript is None


def _padded(span: TimeSpan, source_duration: float) -> TimeSpan:
    """``span`` widened by ``EDGE_PAD`` each side, within the source (when its length is
    known)."""
    end = span.end + EDGE_PAD
    if source_duration > 0:
        end = min(end, max(source_duration, span.end))
    return TimeSpan(max(0.0, span.start - EDGE_PAD), end)
