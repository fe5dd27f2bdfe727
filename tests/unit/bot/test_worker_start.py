"""What a starting worker does once for ClipBOT: say which chat platforms it can answer on,
and post the clips that became eligible while auto-posting was off."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from dependency_injector import providers

from clipnet.container import Container
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import JobType
from clipnet.domain.shared.errors import ServiceUnavailable
from clipnet.entrypoints.worker import serve_jobs
from tests.builders import a_clip, a_source, a_user
from tests.containers import app_container, memory_settings

POST_KEYS = ["post:tiktok:clip-a", "post:youtube:clip-a"]


def in_process_container(tmp_path: Path, **env: str) -> Container:
    container = app_container(memory_settings(tmp_path, CLIPNET_QUEUE="inprocess", **env))
    with container.uow_factory()() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.clips.add(a_clip("clip-a", status=ClipStatus.READY, auto_post_eligible=True))
        uow.clips.add(a_clip("clip-b", status=ClipStatus.READY))
        uow.commit()
    return container


def post_job_keys(container: Container) -> list[str]:
    with container.uow_factory()() as uow:
        jobs = uow.jobs.recent(limit=100)
    posts = (JobType.POST_YOUTUBE, JobType.POST_TIKTOK)
    return sorted(j.idempotency_key for j in jobs if j.type in posts)


def start_and_stop(container: Container) -> None:
    stop = threading.Event()
    stop.set()  # stop as soon as it has started
    serve_jobs(container, stop)


def test_a_starting_worker_posts_the_clips_eligible_while_auto_post_was_off(
    tmp_path: Path,
) -> None:
    container = in_process_container(tmp_path, CLIPNET_AUTO_POST="true")
    start_and_stop(container)
    assert post_job_keys(container) == POST_KEYS
    start_and_stop(container)  # started again: nothing more
    assert post_job_keys(container) == POST_KEYS


def test_a_worker_without_auto_post_posts_nothing_at_start(tmp_path: Path) -> None:
    container = in_process_container(tmp_path)  # CLIPNET_AUTO_POST is off by default
    start_and_stop(container)
    assert post_job_keys(container) == []


def test_a_starting_worker_says_which_chat_platforms_it_can_answer_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = in_process_container(tmp_path, CLIPNET_X_BOT_TOKEN="x-token")
    with caplog.at_level(logging.INFO, logger="clipnet.entrypoints.worker"):
        start_and_stop(container)
    assert (
        "ClipBOT replies on: x; not on twitch, discord (no bot credentials: see docs/clipbot.md)"
        in caplog.messages
    )


class DatabaseDownVoting:
    def post_eligible(self) -> int:
        raise ServiceUnavailable("the database is unavailable; retry later")


def test_a_worker_starts_even_when_the_catch_up_cannot_reach_the_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = in_process_container(tmp_path, CLIPNET_AUTO_POST="true")
    container.voting.override(providers.Object(DatabaseDownVoting()))
    with caplog.at_level(logging.WARNING, logger="clipnet.entrypoints.worker"):
        start_and_stop(container)  # returns: the worker started and stopped
    assert "auto-post catch-up skipped: the database is unavailable; retry later" in caplog.messages
