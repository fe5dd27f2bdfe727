"""A client for RunPod's serverless API (one endpoint), with httpx.

    POST {base}/v2/{endpoint}/run          {"input": …}  -> {"id", "status": "IN_QUEUE"}
    GET  {base}/v2/{endpoint}/status/{id}                -> {"id", "status", "output"|"error"}
    POST {base}/v2/{endpoint}/runsync      {"input": …}  -> the status, if done in time
    POST {base}/v2/{endpoint}/cancel/{id}                -> {"id", "status": "CANCELLED"}

Statuses: IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED, CANCELLED, TIMED_OUT. Every request carries
``Authorization: Bearer <key>``; every job's input carries this environment's namespace.
429 and 5xx answers and connection errors are retried with exponential backoff and jitter
(honouring ``Retry-After``); a job still unfinished at our own deadline is cancelled.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from clipnet.adapters.http_resilience import Backoff, json_object, retry_after

log = logging.getLogger(__name__)

RUNNING = frozenset({"IN_QUEUE", "IN_PROGRESS"})
FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"})


class RunPodError(Exception):
    """Base of the client's errors."""


class RunPodUnavailable(RunPodError):
    """The API could not be reached or kept answering 429/5xx after every retry."""


class RunPodRejected(RunPodError):
    """The API refused the request (a 4xx other than 429): a bad key, endpoint or body."""


class RunPodJobFailed(RunPodError):
    """The job finished without output: FAILED (the handler's error), CANCELLED or TIMED_OUT."""

    def __init__(self, job_id: str, status: str, error: str) -> None:
        super().__init__(f"RunPod job {job_id} {status}: {error}" if error else status)
        self.job_id = job_id
        self.status = status
        self.error = error


class RunPodTimeout(RunPodError):
    """The job did not finish before our deadline; it was cancelled."""


#: RunPod's policy for 429/5xx and connection errors: 0.5, 1, 2 … s (full jitter) up to 20 s;
#: a longer ``Retry-After`` than ``max_wait`` is cut to it.
RUNPOD_BACKOFF = Backoff(retries=5, base=0.5, cap=20.0, max_wait=60.0)

#: RunPod's documented API base URL (CLIPNET_RUNPOD_BASE_URL moves it).
RUNPOD_API_URL = "https://api.runpod.ai"


class RunPodClient:
    def __init__(
        self,
        base_url: str,
        endpoint: str,
        api_key: str,
        namespace: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        backoff: Backoff | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not endpoint:
            raise ValueError("a RunPod endpoint id is required (CLIPNET_RUNPOD_ENDPOINT)")
        self._root = f"{(base_url or RUNPOD_API_URL).rstrip('/')}/v2/{endpoint}"
        self._namespace = namespace
        self._timeout = timeout
        self._poll = poll_interval
        self._backoff = backoff or RUNPOD_BACKOFF
        self._http = http or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._sleep = sleep
        self._clock = clock
        self._rng = rng

    @property
    def namespace(self) -> str:
        return self._namespace

    def close(self) -> None:
        self._http.close()

    def run(self, task_input: Mapping[str, Any], timeout: float | None = None) -> Any:
        """Queue a job and poll it to the end; its output. Raises a :class:`RunPodError`."""
        deadline = self._clock() + (self._timeout if timeout is None else timeout)
        answer = self._request("POST", "/run", {"input": self._with_namespace(task_input)})
        return self._follow(answer, deadline)

    def run_sync(self, task_input: Mapping[str, Any], timeout: float | None = None) -> Any:
        """For short calls: ``/runsync`` answers in one round trip when the job is quick;
        a job still running when it answers is polled like :meth:`run`."""
        limit = self._timeout if timeout is None else timeout
        deadline = self._clock() + limit
        wait_ms = max(1000, min(int(limit * 1000), 300_000))
        answer = self._request(
            "POST", f"/runsync?wait={wait_ms}", {"input": self._with_namespace(task_input)}
        )
        return self._follow(answer, deadline)

    def status(self, job_id: str) -> dict[str, Any]:
        return self._request("GET", f"/status/{job_id}")

    def cancel(self, job_id: str) -> None:
        try:
            self._request("POST", f"/cancel/{job_id}")
        except RunPodError as error:  # the job may have finished meanwhile
            log.warning("could not cancel RunPod job %s: %s", job_id, error)

    # -- internals -----------------------------------------------------------------------------

    def _with_namespace(self, task_input: Mapping[str, Any]) -> dict[str, Any]:
        return {**task_input, "namespace": self._namespace}

    def _follow(self, answer: dict[str, Any], deadline: float) -> Any:
        job_id = str(answer.get("id", ""))
        while True:
            status = answer.get("status")
            if status == "COMPLETED":
                return answer.get("output")
            if status in FINISHED:
                raise RunPodJobFailed(job_id, str(status), _error_text(answer))
            if status not in RUNNING or not job_id:
                raise RunPodRejected(f"unexpected answer from RunPod: {answer!r}")
            if self._clock() >= deadline:
                self.cancel(job_id)
                raise RunPodTimeout(f"RunPod job {job_id} was still {status}; cancelled it")
            self._sleep(min(self._poll, max(0.0, deadline - self._clock())))
            answer = self.status(job_id)

    def _request(self, method: str, path: str, body: object = None) -> dict[str, Any]:
        url = self._root + path
        for attempt in range(1, self._backoff.retries + 2):
            try:
                response = self._http.request(method, url, json=body, headers=self._headers)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
                wait = self._backoff.delay(attempt, self._rng)
            else:
                if response.status_code < 400:
                    return json_object(response, "RunPod", RunPodRejected)
                if response.status_code != 429 and response.status_code < 500:
                    raise RunPodRejected(
                        f"{method} {path}: HTTP {response.status_code} {response.text[:200]}"
                    )
                problem = f"HTTP {response.status_code}"
                asked = retry_after(response)
                wait = (
                    min(asked, self._backoff.max_wait)
                    if asked
                    else self._backoff.delay(attempt, self._rng)
                )
            if attempt > self._backoff.retries:
                break
            log.info("RunPod %s %s: %s; retrying in %.2f s", method, path, problem, wait)
            self._sleep(wait)
        raise RunPodUnavailable(
            f"{method} {path}: {problem} after {self._backoff.retries + 1} tries"
        )


def _error_text(answer: Mapping[str, Any]) -> str:
    error = answer.get("error")
    if error is None and isinstance(answer.get("output"), Mapping):
        error = answer["output"].get("error")
    return "" if error is None else str(error)
