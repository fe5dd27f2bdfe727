"""Broker-safe names for the domain's job types (Dramatiq refuses ``:`` in queue names)."""

from __future__ import annotations

import re

from clipnet.domain.jobs.model import JobType

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def queue_name(job_type: JobType) -> str:
    """``clip:process`` -> ``clip_process``: one queue (and one actor) per job type."""
    return _UNSAFE.sub("_", job_type.value)


def job_type_of(queue: str) -> JobType:
    """The job type a queue name stands for. Raises ``ValueError`` for a foreign queue."""
    for job_type in JobType:
        if queue_name(job_type) == queue:
            return job_type
    raise ValueError(f"{queue!r} is not a ClipNET job queue")
