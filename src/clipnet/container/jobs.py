"""Jobs: the queue (by ``CLIPNET_QUEUE``), the outbox and its relay, the runner and worker.

Which service handles which job type is data (:data:`JOB_HANDLERS`), and what happens around
every job (a log line, ClipBOT's notification check) is middleware (:data:`JOB_MIDDLEWARE`):
nothing is registered imperatively and nothing is re-wrapped. Handlers are looked up on the
finished container when their job runs, so a service whose adapter cannot be built fails its
own jobs only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
from dependency_injector import providers

from clipnet.adapters.dramatiq.broker import redis_broker
from clipnet.adapters.dramatiq.queue import DramatiqJobQueue
from clipnet.adapters.dramatiq.worker import InProcessJobQueue, JobWorker
from clipnet.adapters.memory.queue import SynchronousJobQueue
from clipnet.adapters.memory.workers import InMemoryWorkerRegistry
from clipnet.adapters.redis_workers import RedisWorkerRegistry
from clipnet.adapters.system import worker_identity
from clipnet.container.core import CoreContainer
from clipnet.domain.jobs.admin import JobAdmin
from clipnet.domain.jobs.groups import QueueGroup
from clipnet.domain.jobs.middleware import JobLog, JobMiddleware, RequestContext
from clipnet.domain.jobs.model import Job, JobType, RetryPolicy
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.jobs.queries import JobQueries
from clipnet.domain.jobs.relay import OutboxRelay
from clipnet.domain.jobs.runner import JobRunner
from clipnet.domain.jobs.workers import Placement, WorkerHeartbeat, WorkerRoster
from clipnet.domain.shared.health import HealthService
from clipnet.ports.queue import JobHandler
from clipnet.settings.sections import QueueSettings

JOB_HANDLERS: Mapping[JobType, tuple[str, str]] = {
    JobType.SOURCE_ANALYZE: ("highlights", "handle_analyze"),
    JobType.CLIP_PROCESS: ("pipeline", "process"),
    JobType.ML_SCORE: ("pipeline", "score"),
    JobType.FFMPEG_POLISH: ("pipeline", "polish"),
    JobType.WHISPER_BATCH: ("transcription", "handle"),
    JobType.POST_YOUTUBE: ("posting", "handle"),
    JobType.POST_TIKTOK: ("posting", "handle"),
    JobType.CLIPBOT_POST: ("clipbot_jobs", "post"),
    JobType.CLIPBOT_NOTIFY: ("clipbot_jobs", "notify"),
    JobType.CLIPBOT_CLIP: ("platform_clip_jobs", "handle"),
}
"""Job type -> (the container's provider, the method of it that handles the job)."""

JOB_MIDDLEWARE: Sequence[str] = ("request_context", "job_log", "clipbot_notifier")
"""Providers of the middleware around every job, outermost first (the request id is bound
first, so every other middleware's log lines carry it)."""


@attrs.frozen
class ContainerHandler:
    """A handler found on the container when its job runs (not when the runner is built)."""

    container: Any
    provider: str
    method: str

    def __call__(self, job: Job) -> None:
        service = getattr(self.container, self.provider)()
        getattr(service, self.method)(job)


@attrs.frozen
class ContainerMiddleware(JobMiddleware):
    """Middleware found on the container around each job, like :class:`ContainerHandler`."""

    container: Any
    provider: str

    def before_job(self, job: Job) -> None:
        self._middleware().before_job(job)

    def after_job(self, job: Job, error: BaseException | None) -> None:
        self._middleware().after_job(job, error)

    def _middleware(self) -> JobMiddleware:
        middleware: JobMiddleware = getattr(self.container, self.provider)()
        return middleware


@attrs.frozen
class ContainerDispatcher:
    """The container's job runner, looked up per job: the queue it feeds is built first."""

    container: Any

    def run(self, job_id: str) -> Job:
        runner: JobRunner = self.container.job_runner()
        return runner.run(job_id)

    def handles(self, job_type: JobType) -> bool:
        runner: JobRunner = self.container.job_runner()
        return runner.handles(job_type)


def job_handlers(container: Any) -> dict[JobType, JobHandler]:
    return {
        job_type: ContainerHandler(container, provider, method)
        for job_type, (provider, method) in JOB_HANDLERS.items()
    }


def job_middleware(container: Any) -> list[JobMiddleware]:
    return [ContainerMiddleware(container, name) for name in JOB_MIDDLEWARE]


def worker_starter(container: Any) -> Callable[[], None]:
    """Starts this process's worker threads (the embedded queue calls it at the first job)."""

    def start() -> None:
        container.job_worker().start()

    return start


def time_limit_for(queue: QueueSettings) -> Callable[[JobType], float]:
    return lambda job_type: queue.time_limit_by_type.get(job_type, queue.time_limit)


def threads_by_group(queue: QueueSettings) -> dict[QueueGroup, int]:
    return queue.threads_by_group()


def max_attempts_by_type(queue: QueueSettings) -> dict[JobType, int]:
    return {t: int(queue.max_attempts_by_type.get(t, queue.max_attempts)) for t in JobType}


def retry_policy(queue: QueueSettings) -> RetryPolicy:
    return RetryPolicy(base_delay=queue.retry_base_delay, max_delay=queue.retry_max_delay)


def dramatiq_broker(queue: QueueSettings) -> Iterator[Any]:
    """The Redis broker, made on first use (``clipnet bot links`` never connects) and closed
    at shutdown."""
    broker = redis_broker(
        queue.redis_url,
        queue.namespace,
        heartbeat_timeout=queue.heartbeat_timeout,
        maintenance_interval=queue.maintenance_interval,
    )
    try:
        yield broker
    finally:
        broker.close()


def running_worker(
    queue: DramatiqJobQueue,
    dispatcher: JobRunner,
    relay: OutboxRelay,
    heartbeat: WorkerHeartbeat,
    queue_settings: QueueSettings,
) -> Iterator[JobWorker]:
    """The worker (started by whoever runs jobs); stopped when the container shuts down."""
    worker = JobWorker(
        queue,
        dispatcher,
        relay,
        groups=queue_settings.threads_by_group(),
        heartbeat=heartbeat,
        heartbeat_interval=queue_settings.maintenance_interval,
        relay_interval=queue_settings.relay_interval,
        shutdown_timeout=queue_settings.shutdown_timeout,
    )
    try:
        yield worker
    finally:
        worker.stop()


def database_check(uow_factory: Callable[[], Any]) -> Callable[[], None]:
    def check() -> None:
        with uow_factory() as uow:
            uow.jobs.recent(limit=1)

    return check


def broker_check(backend: str, redis: Callable[[], Any]) -> Callable[[], None]:
    def check() -> None:
        if backend == "dramatiq":
            redis().ping()

    return check


class JobsContainer(CoreContainer):
    __self__ = CoreContainer.__self__
    queue_settings = CoreContainer.settings.provided.queue

    queue = providers.Selector(
        queue_settings.backend,
        memory=providers.Singleton(
            SynchronousJobQueue, providers.Factory(ContainerDispatcher, __self__)
        ),
        inprocess=providers.Singleton(
            InProcessJobQueue,
            providers.Callable(time_limit_for, queue_settings),
            starter=providers.Callable(worker_starter, __self__),
        ),
        dramatiq=providers.Singleton(
            DramatiqJobQueue,
            providers.Resource(dramatiq_broker, queue_settings),
            providers.Callable(time_limit_for, queue_settings),
        ),
    )
    outbox_relay = providers.Singleton(
        OutboxRelay, CoreContainer.uow_factory, queue, CoreContainer.clock
    )
    outbox = providers.Singleton(
        Outbox,
        queue,
        CoreContainer.clock,
        CoreContainer.ids,
        queue_settings.max_attempts,
        max_attempts_by_type=providers.Callable(max_attempts_by_type, queue_settings),
        # A synchronous queue runs the job inside enqueue: no relay (it would hold the row).
        relay=providers.Selector(
            queue_settings.backend,
            memory=providers.Object(None),
            inprocess=outbox_relay,
            dramatiq=outbox_relay,
        ),
    )

    request_context = providers.Singleton(RequestContext)
    job_log = providers.Singleton(JobLog)
    job_runner = providers.Singleton(
        JobRunner,
        CoreContainer.uow_factory,
        CoreContainer.clock,
        providers.Callable(job_handlers, __self__),
        providers.Callable(retry_policy, queue_settings),
        middleware=providers.Callable(job_middleware, __self__),
    )
    worker_registry = providers.Selector(
        queue_settings.backend,
        memory=providers.Singleton(InMemoryWorkerRegistry, CoreContainer.clock),
        inprocess=providers.Singleton(InMemoryWorkerRegistry, CoreContainer.clock),
        dramatiq=providers.Singleton(
            RedisWorkerRegistry, CoreContainer.redis, queue_settings.namespace
        ),
    )
    worker_heartbeat = providers.Singleton(
        WorkerHeartbeat,
        worker_registry,
        CoreContainer.clock,
        providers.Singleton(worker_identity),
        providers.Callable(threads_by_group, queue_settings),
        queue_settings.heartbeat_timeout,
    )
    worker_roster = providers.Singleton(
        WorkerRoster,
        worker_registry,
        providers.Selector(
            queue_settings.backend,
            memory=providers.Object(Placement.NONE),
            inprocess=providers.Object(Placement.IN_PROCESS),
            dramatiq=providers.Object(Placement.SEPARATE),
        ),
    )
    job_worker = providers.Resource(
        running_worker, queue, job_runner, outbox_relay, worker_heartbeat, queue_settings
    )
    job_admin = providers.Singleton(
        JobAdmin,
        CoreContainer.uow_factory,
        CoreContainer.clock,
        # Only a shared broker takes a job from this process; otherwise the worker's relay
        # (in-process: the serving process's) sends the requeued job from the outbox.
        providers.Selector(
            queue_settings.backend,
            memory=providers.Object(None),
            inprocess=providers.Object(None),
            dramatiq=outbox_relay,
        ),
    )
    job_queries = providers.Singleton(JobQueries, CoreContainer.uow_factory, job_admin)
    health = providers.Singleton(
        HealthService,
        providers.Dict(
            database=providers.Callable(database_check, CoreContainer.uow_factory),
            broker=providers.Callable(
                broker_check, queue_settings.backend, CoreContainer.redis.provider
            ),
        ),
    )
