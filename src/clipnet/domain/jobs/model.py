"""Background jobs: the seed's job types, their records, and how failures are retried."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from clipnet.domain.shared.errors import IllegalTransition, InvalidInput


class JobType(enum.StrEnum):
    """The job types of the Phase 1 design, by their domain names."""

    SOURCE_ANALYZE = "source:analyze"
    """Analyse a source, then clip its best moments (``POST /clips`` auto, answered at once)."""
    CLIP_PROCESS = "clip:process"
    FFMPEG_POLISH = "ffmpeg:polish"
    ML_SCORE = "ml:score"
    WHISPER_BATCH = "whisper:batch"
    CLIPBOT_POST = "clipbot:post"
    CLIPBOT_NOTIFY = "clipbot:notify"
    CLIPBOT_CLIP = "clipbot:clip"
    """ClipBOT's ``!clip`` made by the platform itself (Twitch clips), then processed."""
    POST_YOUTUBE = "post:youtube"
    POST_TIKTOK = "post:tiktok"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Failed at least once and waiting for another try."""
    DEAD = "dead"
    """Out of tries, or failed permanently; kept with its payload and last error."""


JsonValue = Any
"""A value that survives a JSON round trip (str, int, float, bool, None, list, dict)."""

REQUEST_ID_KEY = "request_id"
"""Payload key of the id of the request that caused the job (see ``domain.shared.correlation``)."""


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter, up to ``max_attempts`` tries in all."""

    max_attempts: int = 5
    base_delay: float = 2.0
    """Seconds before the second try."""
    max_delay: float = 600.0
    jitter: float = 0.25
    """Up to this fraction of the delay is added at random (from the job id: reproducible)."""

    def delay(self, attempt: int, job_id: str = "") -> timedelta:
        """How long to wait after try number ``attempt`` (1-based) failed."""
        raw = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        digest = hashlib.blake2b(f"{job_id}:{attempt}".encode(), digest_size=4).digest()
        spread = int.from_bytes(digest, "big") / 0xFFFFFFFF
        return timedelta(seconds=raw * (1 + self.jitter * spread))


DEFAULT_RETRY = RetryPolicy()


def _payload(value: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    return dict(value)


@attrs.define(slots=False, eq=False)
class Job:
    """A unit of background work and everything known about its runs."""

    id: str
    type: JobType
    idempotency_key: str
    """Unique: enqueuing a second job with the same key returns the first."""
    created_at: datetime
    payload: dict[str, JsonValue] = attrs.field(converter=_payload, factory=dict)
    status: JobStatus = JobStatus.QUEUED
    attempts: int = 0
    max_attempts: int = 5
    last_error: str = ""
    run_after: datetime | None = None
    """Not before this time (set by the retry backoff)."""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    dispatched: bool = False
    """True once the job has been handed to the broker (the outbox relay's mark)."""
    version: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.DEAD)

    def is_due(self, at: datetime) -> bool:
        """True when nothing (a retry backoff) asks the job to wait past ``at``."""
        return self.run_after is None or self.run_after <= at

    def _require(self, *allowed: JobStatus, target: JobStatus) -> None:
        if self.status not in allowed:
            raise IllegalTransition(self.status.value, target.value, entity="job")

    def start(self, at: datetime) -> None:
        self._require(
            JobStatus.QUEUED, JobStatus.FAILED, JobStatus.RUNNING, target=JobStatus.RUNNING
        )
        # RUNNING -> RUNNING happens when a worker died mid-job and the broker redelivered it.
        self.status, self.started_at, self.finished_at = JobStatus.RUNNING, at, None
        self.attempts += 1

    def succeed(self, at: datetime) -> None:
        self._require(JobStatus.RUNNING, target=JobStatus.SUCCEEDED)
        self.status, self.finished_at, self.last_error = JobStatus.SUCCEEDED, at, ""

    def fail(
        self, error: str, at: datetime, policy: RetryPolicy, *, permanent: bool = False
    ) -> None:
        """Record a failed try: retry later with backoff, or dead when out of tries."""
        self._require(JobStatus.RUNNING, target=JobStatus.FAILED)
        self.last_error, self.finished_at = error, at
        if permanent or self.attempts >= self.max_attempts:
            self.status, self.run_after = JobStatus.DEAD, None
        else:
            self.status = JobStatus.FAILED
            self.run_after = at + policy.delay(self.attempts, self.id)
            # Back in the outbox: the relay hands it to the broker again once it is due.
            self.dispatched = False

    def requeue(self, at: datetime, extra_attempts: int = 3) -> None:
        """An operator's retry: a dead or failed job gets ``extra_attempts`` more tries."""
        self._require(JobStatus.DEAD, JobStatus.FAILED, target=JobStatus.QUEUED)
        self.status, self.run_after, self.dispatched = JobStatus.QUEUED, at, False
        self.max_attempts = self.attempts + max(1, extra_attempts)


def job_key(job_type: JobType, *parts: object) -> str:
    """A readable idempotency key, e.g. ``clip:process:clip-42:1``."""
    if not parts:
        raise InvalidInput("an idempotency key needs at least one part")
    return ":".join([job_type.value, *map(str, parts)])
