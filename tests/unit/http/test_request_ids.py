"""Request ids: the client's X-Request-ID honoured when well-formed, else a new one; returned
on every response; and carried into the jobs the request queued, whose log lines show it
wherever and whenever they run."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.jobs.model import REQUEST_ID_KEY, JobType
from clipnet.domain.shared.correlation import current_request_id
from clipnet.entrypoints.http import create_app
from clipnet.entrypoints.logs import log_handler
from tests.unit.http.conftest import ApiUser, memory_container

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "incoming",
    ["0f8fad5b-d9cb-469f-a165-70867728950e", "trace:abc.123_x", "a"],
)
def test_a_well_formed_incoming_id_is_kept(client: TestClient[Litestar], incoming: str) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": incoming})
    assert response.headers["x-request-id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", "x" * 129, "-leading-dash", "new\u00e9line", "semi;colon", "<script>"],
)
def test_a_malformed_incoming_id_is_replaced(client: TestClient[Litestar], incoming: str) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": incoming.encode("latin-1")})
    assert GENERATED.fullmatch(response.headers["x-request-id"])


def test_every_response_has_its_own_id_even_a_404_or_an_error(
    client: TestClient[Litestar],
) -> None:
    ids = [
        client.get("/health/live").headers["x-request-id"],
        client.get("/no/such/route").headers["x-request-id"],
        client.get("/clips/").headers["x-request-id"],  # 401
        client.post("/auth/login", json={"email": 1}).headers["x-request-id"],  # 400
    ]
    assert all(GENERATED.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)


@pytest.fixture
def recording(
    tmp_path: Path,
) -> Iterator[tuple[Container, RecordingJobQueue, TestClient[Litestar]]]:
    """The in-memory app whose queue records jobs instead of running them."""
    container = memory_container(tmp_path)
    queue = RecordingJobQueue()
    container.queue.override(providers.Object(queue))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield container, queue, client


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What ClipNET's loggers write, as JSON lines."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    logger = logging.getLogger("clipnet")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def test_a_requests_id_appears_in_the_log_lines_of_the_jobs_it_caused(
    recording: tuple[Container, RecordingJobQueue, TestClient[Litestar]], json_log: io.StringIO
) -> None:
    container, queue, client = recording
    user = ApiUser(client, "tracer")
    source_id = user.source()

    # given a clip asked for under a request id; its job is queued, not yet run
    response = client.post(
        "/clips/",
        json={"source_id": source_id, "start": 10, "end": 20},
        headers={**user.headers, "X-Request-ID": "req-clip-7"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == "req-clip-7"
    [job] = [j for j in queue.jobs if j.type is JobType.CLIP_PROCESS]
    assert job.payload[REQUEST_ID_KEY] == "req-clip-7"

    # when a worker runs it later, outside any request
    assert current_request_id() == ""
    container.job_runner().run(job.id)

    # then the job's log line carries the request's id, and so do the jobs it queued in turn
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    [ended] = [line for line in lines if f"job {job.id} (clip:process)" in str(line["message"])]
    assert ended["request_id"] == "req-clip-7"
    followers = [j for j in queue.jobs if j.id != job.id and j.created_at >= job.created_at]
    assert followers, "clip:process queues the next step"
    assert {j.payload.get(REQUEST_ID_KEY) for j in followers} == {"req-clip-7"}
    assert current_request_id() == ""  # unbound again after the job


def test_jobs_queued_outside_a_request_carry_no_request_id(
    recording: tuple[Container, RecordingJobQueue, TestClient[Litestar]],
) -> None:
    container, _, _ = recording
    outbox = container.outbox()
    with container.uow_factory()() as uow:
        job = outbox.add(uow, JobType.CLIP_PROCESS, {"clip_id": "c-1"}, "k-1")
        uow.commit()
    assert REQUEST_ID_KEY not in job.payload
