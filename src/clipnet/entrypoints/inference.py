"""The GPU inference server: a RunPod serverless handler.

RunPod calls ``handler(job)`` with ``job = {"id": ..., "input": {...}}`` and sends back what it
returns; a returned ``{"error": ...}`` marks the job FAILED. The input names a task
(``transcribe``, ``caption``, ``clip_score``, ``motion``) and the caller's namespace; see
:mod:`clipnet.adapters.inference.engine` for the shapes. Models load on first use, on the GPU
when there is one. Run it with ``python -m clipnet.entrypoints.inference`` (needs the
``runpod`` package and the ``inference`` extra).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.container.inference import server_engine
from clipnet.settings import load_settings

log = logging.getLogger(__name__)

Handler = Callable[[Mapping[str, Any]], dict[str, Any]]

_engine: InferenceEngine | None = None
_engine_lock = threading.Lock()


def make_handler(engine: InferenceEngine) -> Handler:
    """A RunPod handler over ``engine``."""

    def handle(job: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(job, Mapping):
            return {"error": "a job must be a JSON object with an input"}
        task_input = job.get("input")
        if task_input is None:
            return {"error": "the job has no input"}
        output = engine.run(task_input)
        if "error" in output:
            log.warning("job %s failed: %s", job.get("id", "?"), output["error"])
        return output

    return handle


def _default_engine() -> InferenceEngine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = server_engine(load_settings().inference)
        return _engine


def handler(job: Mapping[str, Any]) -> dict[str, Any]:
    """RunPod's entry: the engine is built from ``CLIPNET_*`` settings on the first job."""
    try:
        engine = _default_engine()
    except Exception as error:  # bad settings: every job says so instead of crashing the worker
        return {"error": f"inference server misconfigured: {error}"}
    return make_handler(engine)(job)


def main() -> None:
    try:
        import runpod
    except ImportError as error:
        raise SystemExit(
            "the inference server needs the runpod package (pip install runpod)"
        ) from error
    logging.basicConfig(level=logging.INFO)
    runpod.serverless.start({"handler": handler})


if __name__ == "__main__":
    main()
