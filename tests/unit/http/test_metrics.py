"""``GET /metrics``: the Prometheus text format, with request counters and job metrics that move
as the API works (jobs run inside the request on the in-memory queue)."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.errors import ServiceUnavailable
from clipnet.entrypoints.http import create_app
from tests.unit.http.conftest import ApiUser, memory_container

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient[Litestar], **headers: str) -> Samples:
    """Every sample of /metrics, parsed by prometheus_client's own parser."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 for a labelled series not yet seen (a counter before its first)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_and_jobs_show_in_the_metrics_and_change_after_work(
    client: TestClient[Litestar],
) -> None:
    user = ApiUser(client, "metrics")
    source_id = user.source()
    clip_created = {"method": "POST", "path": "/clips", "status_code": "201", "app_name": "clipnet"}
    before = scrape(client)
    assert value(before, "clipnet_job_metrics_up") == 1
    done = {"type": JobType.CLIP_PROCESS.value, "status": "succeeded"}
    assert value(before, "clipnet_jobs", **done) == 0  # every series is there, at zero
    assert ("clipnet_jobs", frozenset(done.items())) in before

    # when a clip is asked for (its jobs run inside the request on this queue)
    response = client.post(
        "/clips/", json={"source_id": source_id, "start": 10, "end": 20}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    after = scrape(client)

    # then the request counter and the job metrics moved
    requests = "clipnet_requests_total"
    assert value(after, requests, **clip_created) == value(before, requests, **clip_created) + 1
    assert value(after, "clipnet_jobs", **done) == 1
    process = {"type": JobType.CLIP_PROCESS.value}
    assert value(after, "clipnet_job_latency_seconds_count", **process) == 1
    assert value(after, "clipnet_job_latency_seconds_sum", **process) >= 0
    assert value(after, "clipnet_job_run_seconds_count", **process) == 1
    assert value(after, "clipnet_job_queue_depth", **process) == 0
    assert value(after, "clipnet_job_retries_total", **process) == 0
    assert value(after, "clipnet_jobs", type="clip:process", status="dead") == 0


def test_queued_failed_and_dead_jobs_show_as_depth_retries_and_dead(
    client: TestClient[Litestar], container: object
) -> None:
    from clipnet.domain.jobs.model import RetryPolicy
    from tests.builders import a_job, at

    retry = RetryPolicy(base_delay=0, jitter=0)
    with container.uow_factory()() as uow:  # type: ignore[attr-defined]
        uow.jobs.add(a_job("waiting", type=JobType.POST_YOUTUBE))
        failing = uow.jobs.add(a_job("failing", type=JobType.POST_YOUTUBE))
        dead = uow.jobs.add(a_job("dead", type=JobType.POST_YOUTUBE, max_attempts=2))
        uow.commit()
    with container.uow_factory()() as uow:  # type: ignore[attr-defined]
        for second in (1, 3):
            dead.start(at(second))
            dead.fail("403 forbidden", at(second + 1), retry)
        failing.start(at(1))
        failing.fail("503", at(2), retry)
        uow.jobs.update(dead)
        uow.jobs.update(failing)
        uow.commit()

    samples = scrape(client)
    post = {"type": JobType.POST_YOUTUBE.value}
    assert value(samples, "clipnet_job_queue_depth", **post) == 2  # queued + failed (retry due)
    assert value(samples, "clipnet_jobs", **post, status="dead") == 1
    assert value(samples, "clipnet_job_retries_total", **post) == 1


def test_metrics_ask_for_the_token_when_one_is_set(tmp_path: Path) -> None:
    app = create_app(memory_container(tmp_path, CLIPNET_METRICS_TOKEN="scrape-secret"))
    with TestClient(app, raise_server_exceptions=False) as client:
        refused = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
        samples = scrape(client, Authorization="Bearer scrape-secret")
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["type"] == "/problems/unauthenticated"
    assert "CLIPNET_METRICS_TOKEN" in refused.json()["detail"]
    assert "scrape-secret" not in refused.text
    assert value(samples, "clipnet_job_metrics_up") == 1


def test_metrics_off_means_no_route(tmp_path: Path) -> None:
    app = create_app(memory_container(tmp_path, CLIPNET_METRICS="off"))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/metrics").status_code == 404
        assert "/metrics" not in client.get("/schema/openapi.json").json()["paths"]


def test_with_the_database_down_request_metrics_still_answer(tmp_path: Path) -> None:
    container = memory_container(tmp_path)

    class DownAdmin:
        def tally(self) -> list[object]:
            raise ServiceUnavailable("database is unavailable", dependency="database")

    container.job_admin.override(providers.Object(DownAdmin()))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        client.get("/health/live")
        samples = scrape(client)
    assert value(samples, "clipnet_job_metrics_up") == 0
    live = {"method": "GET", "path": "/health/live", "status_code": "200", "app_name": "clipnet"}
    assert value(samples, "clipnet_requests_total", **live) >= 1
    assert not [name for name, _ in samples if name.startswith("clipnet_jobs")]
