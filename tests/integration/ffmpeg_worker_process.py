"""A ``clipnet worker`` whose ``ffmpeg:polish`` polishes a very long source, for the kill tests.

    python -m tests.integration.ffmpeg_worker_process

Settings come from CLIPNET_* variables like the real worker (the tests use the embedded
profile: SQLite and the in-process queue, whose unfinished jobs a new start recovers);
CLIPNET_TEST_SOURCE names the source. The handler polishes all of it with the real FFmpeg
adapter (quiet, as in production: nothing on stderr that could break when the worker dies)
into a scratch folder of its own, as the real handlers do.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from clipnet.container import Container, build_container
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.worker import serve_jobs
from clipnet.settings import load_settings


class PolishAll:
    def __init__(self, container: Container, source: Path) -> None:
        self._media = container.media()
        self._template = container.templates().get("blur-pad")
        self._source = source

    def __call__(self, job: Job) -> None:
        span = TimeSpan(0.0, self._media.probe(self._source).duration)
        with scratch_folder("render") as folder:
            self._media.polish(self._source, span, self._template, folder / "clip.mp4")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(message)s")
    container = build_container(load_settings())
    source = Path(os.environ["CLIPNET_TEST_SOURCE"])
    container.job_runner().register(JobType.FFMPEG_POLISH, PolishAll(container, source))
    serve_jobs(container)


if __name__ == "__main__":
    main()
