"""Queue groups and the settings of a worker's processes and threads per group."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.domain.jobs.groups import GROUP_OF, QueueGroup, job_types_in
from clipnet.domain.jobs.model import JobType
from clipnet.settings import ConfigError, load_settings

MEDIA, PUBLISH, CHAT = QueueGroup.MEDIA, QueueGroup.PUBLISH, QueueGroup.CHAT


def settings(tmp_path: Path, **env: str) -> dict[QueueGroup, int]:
    loaded = load_settings({"CLIPNET_DATA_DIR": str(tmp_path), **env})
    return loaded.queue.threads_by_group()


def test_every_job_type_is_in_exactly_one_group_and_chat_holds_clipbot_only() -> None:
    assert set(GROUP_OF) == set(JobType)
    assert sorted(t for g in QueueGroup for t in job_types_in(g)) == sorted(JobType)
    assert {t.value for t in job_types_in(CHAT)} == {
        "clipbot:post",
        "clipbot:notify",
        "clipbot:clip",
    }
    assert {t.value for t in job_types_in(MEDIA)} == {
        "source:analyze",
        "clip:process",
        "ml:score",
        "ffmpeg:polish",
        "whisper:batch",
    }
    assert {t.value for t in job_types_in(PUBLISH)} == {"post:youtube", "post:tiktok"}


def test_by_default_a_worker_is_one_process_with_a_thread_per_group_and_two_for_chat(
    tmp_path: Path,
) -> None:
    loaded = load_settings({"CLIPNET_DATA_DIR": str(tmp_path)})
    assert loaded.queue.processes == 1
    assert loaded.queue.threads_by_group() == {MEDIA: 1, PUBLISH: 1, CHAT: 2}


def test_threads_apply_to_the_groups_the_queues_setting_does_not_name(tmp_path: Path) -> None:
    assert settings(
        tmp_path, CLIPNET_WORKER_CONCURRENCY="3", CLIPNET_WORKER_QUEUES="media=2, Chat=5"
    ) == {MEDIA: 2, PUBLISH: 3, CHAT: 5}


def test_a_dramatiq_worker_may_leave_groups_to_other_workers(tmp_path: Path) -> None:
    plan = settings(tmp_path, CLIPNET_QUEUE="dramatiq", CLIPNET_WORKER_QUEUES="media=0,publish=0")
    assert plan == {MEDIA: 0, PUBLISH: 0, CHAT: 1}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("video=2", "GROUP one of media, publish, chat"),
        ("media", "media: expected a whole number of threads"),
        ("media=two", "media: expected a whole number of threads"),
        ("media=-1", "media: expected a whole number of threads"),
        ("chat=1,chat=2", "chat is given twice"),
    ],
)
def test_a_malformed_queues_setting_is_a_config_error_naming_it(
    tmp_path: Path, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match="CLIPNET_WORKER_QUEUES") as error:
        settings(tmp_path, CLIPNET_WORKER_QUEUES=value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CLIPNET_QUEUE": "dramatiq", "CLIPNET_WORKER_QUEUES": "media=0,publish=0,chat=0"},
            "CLIPNET_WORKER_QUEUES: every queue group has 0 threads",
        ),
        (
            {"CLIPNET_QUEUE": "inprocess", "CLIPNET_WORKER_QUEUES": "chat=0"},
            "CLIPNET_WORKER_QUEUES: chat has 0 threads, but with CLIPNET_QUEUE=inprocess",
        ),
        (
            {"CLIPNET_QUEUE": "inprocess", "CLIPNET_WORKER_PROCESSES": "2"},
            "CLIPNET_WORKER_PROCESSES above 1 needs CLIPNET_QUEUE=dramatiq",
        ),
        ({"CLIPNET_WORKER_PROCESSES": "0"}, "CLIPNET_WORKER_PROCESSES: must be at least 1"),
    ],
)
def test_a_worker_plan_that_cannot_run_every_job_is_a_config_error(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        settings(tmp_path, **env)
    assert message in str(error.value)


def test_several_processes_on_dramatiq_are_allowed(tmp_path: Path) -> None:
    loaded = load_settings(
        {
            "CLIPNET_DATA_DIR": str(tmp_path),
            "CLIPNET_QUEUE": "dramatiq",
            "CLIPNET_WORKER_PROCESSES": "4",
        }
    )
    assert loaded.queue.processes == 4


def test_config_shows_the_queues_setting_as_it_is_written(tmp_path: Path) -> None:
    loaded = load_settings(
        {"CLIPNET_DATA_DIR": str(tmp_path), "CLIPNET_WORKER_QUEUES": "chat=3,media=2"}
    )
    shown = {name: value for name, value, _ in loaded.describe()}
    assert shown["CLIPNET_WORKER_QUEUES"] == "media=2,chat=3"
