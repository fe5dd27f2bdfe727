"""``GET /jobs`` lists the caller's failed and dead jobs with their reason; ``POST
/jobs/{id}/retry`` queues one again; another user's jobs are invisible (404)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from clipnet.container import Container
from clipnet.domain.jobs.model import JobStatus
from tests.unit.http.conftest import ApiUser


def dead_job_of(container: Container, clip_id: str, reason: str) -> str:
    """The clip's processing job, made dead with ``reason`` (as the runner leaves it)."""
    with container.uow_factory()() as uow:
        job = next(j for j in uow.jobs.recent(None, 100) if j.payload.get("clip_id") == clip_id)
        job.status, job.last_error, job.attempts = JobStatus.DEAD, reason, job.max_attempts
        uow.jobs.update(job)
        uow.commit()
    return job.id


def test_a_user_sees_and_retries_only_their_own_dead_jobs(
    client: TestClient[Litestar], container: Container, alice: ApiUser, bob: ApiUser
) -> None:
    job_id = dead_job_of(container, alice.clip(alice.source()), "ffmpeg: no video stream")
    bobs = dead_job_of(container, bob.clip(bob.source()), "bob's failure")

    listed = client.get("/jobs", headers=alice.headers)
    assert listed.status_code == 200
    assert [(j["id"], j["status"], j["last_error"]) for j in listed.json()["items"]] == [
        (job_id, "dead", "ffmpeg: no video stream")
    ]
    assert client.post(f"/jobs/{bobs}/retry", headers=alice.headers).status_code == 404
    assert client.get(f"/jobs/{bobs}", headers=alice.headers).status_code == 404

    retried = client.post(f"/jobs/{job_id}/retry", headers=alice.headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "queued"
    assert client.get("/jobs", headers=alice.headers).json()["items"] == []
    again = client.post(f"/jobs/{job_id}/retry", headers=alice.headers)
    assert again.status_code == 409  # only a failed or dead job can be retried


def test_the_jobs_list_needs_a_login(client: TestClient[Litestar]) -> None:
    assert client.get("/jobs").status_code == 401
