"""Worker heartbeats (who runs, with which queue groups), the roster readiness and the CLI
show, and queue groups on the in-process queue: a chat reply runs while polishes hold every
media thread."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient
from typer.testing import CliRunner

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.memory.workers import InMemoryWorkerRegistry
from clipnet.domain.jobs.groups import QueueGroup
from clipnet.domain.jobs.model import JobType
from clipnet.domain.jobs.workers import (
    Placement,
    WorkerHeartbeat,
    WorkerIdentity,
    WorkerRecord,
    WorkerRoster,
)
from clipnet.entrypoints.cli import app
from clipnet.entrypoints.http import create_app
from tests.containers import app_container, memory_settings
from tests.job_harness import HeldPolishes, build_system
from tests.waiting import wait_for

MEDIA, PUBLISH, CHAT = QueueGroup.MEDIA, QueueGroup.PUBLISH, QueueGroup.CHAT
ME = WorkerIdentity("w1", "box-1", 4242)


def heartbeat(
    clock: ManualClock, registry: InMemoryWorkerRegistry, ttl: float = 15
) -> WorkerHeartbeat:
    return WorkerHeartbeat(registry, clock, ME, {MEDIA: 2, PUBLISH: 0, CHAT: 1}, ttl)


def test_a_beating_worker_is_listed_with_its_groups_and_queues_then_expires_after_its_ttl() -> None:
    clock = ManualClock()
    registry = InMemoryWorkerRegistry(clock)
    beats = heartbeat(clock, registry)
    started = clock.now()

    beats.beat()
    clock.advance(10)
    beats.beat()

    [record] = registry.live()
    assert (record.id, record.host, record.pid) == ("w1", "box-1", 4242)
    assert record.threads == ((MEDIA, 2), (CHAT, 1))  # publish is left to other workers
    assert record.total_threads == 3
    assert set(record.queues) == {
        JobType.SOURCE_ANALYZE,
        JobType.CLIP_PROCESS,
        JobType.ML_SCORE,
        JobType.FFMPEG_POLISH,
        JobType.WHISPER_BATCH,
        JobType.CLIPBOT_POST,
        JobType.CLIPBOT_NOTIFY,
        JobType.CLIPBOT_CLIP,
    }
    assert (record.started_at, record.last_beat) == (started, clock.now())
    clock.advance(14.9)
    assert [r.id for r in registry.live()] == ["w1"]
    clock.advance(0.2)  # 15 s after the last beat: the worker stopped beating
    assert registry.live() == []


def test_a_worker_that_leaves_is_gone_at_once_and_a_new_start_is_a_new_record() -> None:
    clock = ManualClock()
    registry = InMemoryWorkerRegistry(clock)
    beats = heartbeat(clock, registry)
    beats.beat()
    beats.leave()
    assert registry.live() == []

    clock.advance(60)
    beats.beat()
    [record] = registry.live()
    assert record.started_at == clock.now()


class BrokenRegistry(InMemoryWorkerRegistry):
    def live(self) -> list[WorkerRecord]:
        raise ConnectionError("redis://10.0.0.7:6379 refused")


@pytest.mark.parametrize(
    ("placement", "note"),
    [
        (Placement.NONE, "CLIPNET_QUEUE=memory runs each job inside its request"),
        (
            Placement.SEPARATE,
            "no worker is alive: jobs wait in the queue until a clipnet worker starts",
        ),
        (Placement.IN_PROCESS, "CLIPNET_QUEUE=inprocess: the worker runs inside clipnet serve"),
    ],
)
def test_the_roster_says_why_no_worker_is_listed(placement: Placement, note: str) -> None:
    roll = WorkerRoster(InMemoryWorkerRegistry(ManualClock()), placement).roll()
    assert roll.workers == () and roll.note.startswith(note)


def test_the_roster_of_an_unreadable_registry_is_a_note_without_the_reason() -> None:
    roll = WorkerRoster(BrokenRegistry(ManualClock()), Placement.SEPARATE).roll()
    assert roll.workers == () and roll.note == "the worker list could not be read"


def test_the_roster_lists_live_workers_oldest_first() -> None:
    clock = ManualClock()
    registry = InMemoryWorkerRegistry(clock)
    for name in ("late", "early"):
        clock.advance(-5 if name == "early" else 0)
        WorkerHeartbeat(registry, clock, WorkerIdentity(name, "h", 1), {CHAT: 1}, 60).beat()
    roll = WorkerRoster(registry, Placement.SEPARATE).roll()
    assert [w.id for w in roll.workers] == ["early", "late"] and roll.note == ""


def test_readiness_lists_the_in_process_worker_while_it_runs(tmp_path: Path) -> None:
    container = app_container(memory_settings(tmp_path, CLIPNET_QUEUE="inprocess"))
    with TestClient(create_app(container)) as client:
        worker = container.job_worker()
        worker.start()
        running = client.get("/health/ready")
        worker.stop(timeout=5)
        stopped = client.get("/health/ready")

    assert running.status_code == 200 and stopped.status_code == 200  # information only
    workers = running.json()["workers"]
    assert (workers["alive"], workers["note"]) == (1, "")
    [item] = workers["items"]
    assert item["threads"] == {"media": 1, "publish": 1, "chat": 2}
    assert "clipbot:post" in item["queues"] and "ffmpeg:polish" in item["queues"]
    assert {"host", "pid"}.isdisjoint(item)  # readiness is anonymous: no host named
    assert stopped.json()["workers"]["alive"] == 0
    assert stopped.json()["workers"]["note"].startswith("CLIPNET_QUEUE=inprocess")


def test_jobs_workers_on_the_embedded_profile_says_where_its_worker_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["jobs", "workers"])
    assert result.exit_code == 0
    assert "the worker runs inside clipnet serve" in result.output


def test_with_queue_groups_a_chat_reply_runs_while_polishes_hold_every_media_thread() -> None:
    # given an in-process worker with four media threads, all held by long polishes
    system = build_system(
        "inprocess", InMemoryDatabase().unit_of_work, groups={MEDIA: 4, PUBLISH: 1, CHAT: 1}
    )
    try:
        held = HeldPolishes()
        system.on(JobType.FFMPEG_POLISH, held.polish)
        system.on(JobType.CLIPBOT_POST, held.reply)
        polishes = [system.submit(JobType.FFMPEG_POLISH, {"n": n}) for n in range(4)]
        wait_for(lambda: held.running == 4, 30, "four polishes running")

        # when a chat reply is queued
        reply = system.submit(JobType.CLIPBOT_POST, {"text": "hi"})
        system.wait_finished([reply.id], timeout=120)

        # then it finished while every polish still held its media thread
        still_running = [system.job(p.id).status.value for p in polishes]
        held.release()
        done = system.wait_finished([reply.id, *(p.id for p in polishes)], timeout=120)
    finally:
        held.release()
        system.close()

    assert still_running == ["running"] * 4
    assert held.finished[0] == reply.id
    assert sorted(held.finished[1:]) == sorted(p.id for p in polishes)
    finished_at = {job.id: job.finished_at for job in done}
    assert all(finished_at[reply.id] < finished_at[p.id] for p in polishes)  # type: ignore[operator]
