"""``GET /metrics``: the Prometheus text format.

- **Requests**: Litestar's Prometheus middleware (``clipnet_requests_total``,
  ``clipnet_request_duration_seconds``, ``clipnet_requests_in_progress``, by method, route
  template and status; paths no route matches are left out, so scanners add no series).
- **Jobs**: computed from the job table when scraped (one grouped query), so every worker's
  jobs count wherever they ran and nothing needs a metrics port or shared folder on the workers:
  ``clipnet_jobs`` by type and status (``status="dead"`` is the dead-letter count),
  ``clipnet_job_queue_depth`` (jobs waiting: queued, or failed and waiting for their retry; one
  broker queue per job type), ``clipnet_job_retries_total``, and the summaries
  ``clipnet_job_latency_seconds`` (creation to finish) and ``clipnet_job_run_seconds`` (the
  last try's run) over succeeded jobs.

``CLIPNET_METRICS`` turns the route on or off; with ``CLIPNET_METRICS_TOKEN`` set it asks for
``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from litestar import Request, Response, get
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig
from litestar.types import ControllerRouterHandler
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector

from clipnet.container import Container
from clipnet.domain.jobs.model import JobStatus, JobType
from clipnet.domain.jobs.stats import JobTally
from clipnet.domain.shared.access import Unauthenticated
from clipnet.entrypoints.http.problems import problem_responses
from clipnet.entrypoints.http.security import bearer_token
from clipnet.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "clipnet"
#: The classic text format, which every Prometheus reads (Litestar adds the charset).
TEXT_FORMAT = "text/plain; version=0.0.4"
WAITING = (JobStatus.QUEUED, JobStatus.FAILED)


def request_metrics(settings: Settings) -> list[DefineMiddleware]:
    """The request-counting middleware, when metrics are on."""
    if not settings.observability.metrics:
        return []
    config = PrometheusConfig(
        app_name=PREFIX,
        prefix=PREFIX,
        group_path=True,  # the route template, not the path: one series per route
        exclude_unhandled_paths=True,
        exclude=["^/metrics$"],
    )
    return [config.middleware]


class JobCollector(Collector):
    """Job metrics from a fresh tally at each scrape."""

    def __init__(self, tally: Callable[[], list[JobTally]]) -> None:
        self._tally = tally

    def collect(self) -> Iterator[Metric]:
        up = f"{PREFIX}_job_metrics_up"
        try:
            tallies = self._tally()
        except Exception as error:  # a database outage must not break request metrics
            log.warning("job metrics unavailable: %s", error)
            yield GaugeMetricFamily(up, "1 when the job table could be read", value=0)
            return
        yield GaugeMetricFamily(up, "1 when the job table could be read", value=1)
        yield from job_metrics(tallies)


def job_metrics(tallies: Iterable[JobTally]) -> Iterator[Metric]:
    """Every (type, status) pair appears, zero when no job is in it, so series never vanish."""
    by_key = {(t.type, t.status): t for t in tallies}

    def of(job_type: JobType, *statuses: JobStatus) -> list[JobTally]:
        return [by_key[job_type, s] for s in statuses if (job_type, s) in by_key]

    jobs = GaugeMetricFamily(f"{PREFIX}_jobs", "Jobs by type and status", labels=["type", "status"])
    depth = GaugeMetricFamily(
        f"{PREFIX}_job_queue_depth",
        "Jobs waiting to run (queued, or failed and waiting for a retry), by type",
        labels=["type"],
    )
    retries = CounterMetricFamily(
        f"{PREFIX}_job_retries", "Tries after the first, over all jobs, by type", labels=["type"]
    )
    latency = SummaryMetricFamily(
        f"{PREFIX}_job_latency_seconds",
        "Succeeded jobs: seconds from creation to finish, by type",
        labels=["type"],
    )
    run = SummaryMetricFamily(
        f"{PREFIX}_job_run_seconds",
        "Succeeded jobs: seconds their last try ran, by type",
        labels=["type"],
    )
    for job_type in JobType:
        label = [job_type.value]
        for status in JobStatus:
            in_status = sum(t.count for t in of(job_type, status))
            jobs.add_metric([job_type.value, status.value], in_status)
        depth.add_metric(label, sum(t.count for t in of(job_type, *WAITING)))
        retries.add_metric(label, sum(t.retries for t in of(job_type, *JobStatus)))
        done = of(job_type, JobStatus.SUCCEEDED)
        count = sum(t.count for t in done)
        latency.add_metric(label, count, sum(t.latency_seconds for t in done))
        run.add_metric(label, count, sum(t.run_seconds for t in done))
    yield from (jobs, depth, retries, latency, run)


def metrics_routes(container: Container) -> list[ControllerRouterHandler]:
    """``GET /metrics`` for ``container``'s settings and job table (none when off)."""
    settings = container.settings().observability
    if not settings.metrics:
        return []
    jobs = CollectorRegistry(auto_describe=False)
    jobs.register(JobCollector(lambda: container.job_admin().tally()))
    token = settings.metrics_token

    @get(
        "/metrics",
        tags=["health"],
        summary="Prometheus metrics: requests and jobs",
        description="The Prometheus text format. With CLIPNET_METRICS_TOKEN set, send "
        "`Authorization: Bearer <token>`.",
        sync_to_thread=True,  # the job tally reads the database
        media_type=TEXT_FORMAT,  # so the document says what the 200 is
        responses=problem_responses(401),
    )
    def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
        if token and not _bearer_is(request, token):
            raise Unauthenticated("/metrics needs Authorization: Bearer <CLIPNET_METRICS_TOKEN>")
        body = generate_latest(REGISTRY) + generate_latest(jobs)
        return Response(body, media_type=TEXT_FORMAT)

    return [metrics]


def _bearer_is(request: Request[Any, Any, Any], token: str) -> bool:
    try:
        given = bearer_token(request)
    except Unauthenticated:
        return False
    return hmac.compare_digest(given.encode(), token.encode())
