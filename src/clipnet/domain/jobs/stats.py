"""Counts over the job table, for metrics: how many jobs of each type are in each status, how
often they were retried, how long the finished ones took."""

from __future__ import annotations

import attrs

from clipnet.domain.jobs.model import JobStatus, JobType


@attrs.frozen
class JobTally:
    """The jobs of one type in one status."""

    type: JobType
    status: JobStatus
    count: int
    retries: int
    """Tries after the first, summed over these jobs."""
    run_seconds: float = 0.0
    """Succeeded jobs: their last try's run time (start to finish), summed."""
    latency_seconds: float = 0.0
    """Succeeded jobs: creation to finish (queueing, retries and run), summed."""
