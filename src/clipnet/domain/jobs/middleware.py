"""Cross-cutting work around every job (logging, timing, notifications), kept out of handlers.

A middleware sees each job before its handler runs and after it ends, whether the handler
succeeded or raised; the runner calls them in order (and in reverse after), so no handler is
re-wrapped and no order of registration matters.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager

from clipnet.domain.jobs.model import REQUEST_ID_KEY, Job
from clipnet.domain.shared.correlation import request_id_bound

log = logging.getLogger(__name__)


class JobMiddleware:
    """Hooks around a job; each does nothing unless a subclass says otherwise."""

    def before_job(self, job: Job) -> None:
        """Called just before the job's handler."""

    def after_job(self, job: Job, error: BaseException | None) -> None:
        """Called after the handler, with what it raised (None when it succeeded)."""


class JobLog(JobMiddleware):
    """One readable line per job: its type, id, how long it took and how it ended."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}  # job id -> monotonic start (threads share it)

    def before_job(self, job: Job) -> None:
        self._started[job.id] = time.monotonic()
        log.debug("job %s (%s) started, attempt %d", job.id, job.type.value, job.attempts)

    def after_job(self, job: Job, error: BaseException | None) -> None:
        seconds = time.monotonic() - self._started.pop(job.id, time.monotonic())
        outcome = "done" if error is None else f"failed: {type(error).__name__}"
        log.info("job %s (%s) %s in %.2f s", job.id, job.type.value, outcome, seconds)


class RequestContext(JobMiddleware):
    """While a job runs, the id of the request that caused it is the current request id, so
    the job's log lines (and the jobs it queues in turn) carry it, on whichever worker."""

    def __init__(self) -> None:
        self._bound: dict[str, AbstractContextManager[None]] = {}  # job id -> its binding

    def before_job(self, job: Job) -> None:
        request_id = job.payload.get(REQUEST_ID_KEY)
        if isinstance(request_id, str) and request_id:
            binding = request_id_bound(request_id)
            binding.__enter__()
            self._bound[job.id] = binding

    def after_job(self, job: Job, error: BaseException | None) -> None:
        binding = self._bound.pop(job.id, None)
        if binding is not None:
            binding.__exit__(None, None, None)
