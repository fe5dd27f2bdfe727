"""The inference server as RunPod starts it: ``python -m clipnet.entrypoints.inference`` under the
real ``runpod`` worker, fed one job with its local test mode (``--test_input``)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.integration.inference.conftest import installed


def run_worker(
    job_input: dict[str, Any], root: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """RunPod's worker, run on ``job_input`` alone (it exits 0 when the job completed)."""
    require_service(installed("runpod"), "the runpod package (pip install -e '.[dev]')")
    command = [sys.executable, "-m", "clipnet.entrypoints.inference"]
    done = subprocess.run(
        [*command, "--test_input", json.dumps({"input": job_input})],
        env={
            **os.environ,
            "CLIPNET_DATA_DIR": str(root / "data"),
            "CLIPNET_INFERENCE_ROOT": str(root),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done


def job_result(printed: str) -> dict[str, Any]:
    """The result the worker logs for a completed job."""
    marker = "Job result: "
    line = next(line for line in printed.splitlines() if marker in line)
    return dict(ast.literal_eval(line.split(marker, 1)[1]))


@pytest.mark.slow
def test_the_runpod_worker_runs_a_transcribe_job_on_the_real_model(
    tmp_path: Path, whisper_model_dir: Path, speak: Callable[[str, Path], Path]
) -> None:
    speak("please call me tomorrow morning", tmp_path / "staging" / "call.wav")

    done = run_worker(
        {"task": "transcribe", "namespace": "staging", "audio": ["call.wav"]},
        tmp_path,
        CLIPNET_WHISPER_MODEL=str(whisper_model_dir),
    )

    assert done.returncode == 0, done.stdout + done.stderr
    [item] = job_result(done.stdout)["output"]["results"]
    assert "tomorrow" in item["text"].lower()
    assert item["language"] == "en"
    assert [word[0].strip(".").lower() for word in item["words"]][-2:] == ["tomorrow", "morning"]
    assert "completed successfully" in done.stdout


def test_a_bad_job_is_reported_failed_with_its_reason_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "staging").mkdir()

    done = run_worker({"task": "nope", "namespace": "staging"}, tmp_path)

    printed = done.stdout + done.stderr
    assert done.returncode == 1, printed  # the local test mode's exit status for a failed job
    assert "failed with error: unknown task 'nope'" in printed
    assert "Traceback" not in printed
