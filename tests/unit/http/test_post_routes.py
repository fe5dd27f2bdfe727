"""Publishing over HTTP: POST/GET /clips/{id}/posts, DELETE of a scheduled post, and approve /
reject; each post goes out through its job, a scheduled one only once it is due."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.clock import ManualClock
from clipnet.adapters.memory.events import InMemoryEventLog
from clipnet.adapters.memory.platforms import InMemoryPublisher
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import Job, JobStatus
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.http import create_app
from tests.builders import an_account
from tests.unit.http.conftest import ApiUser, memory_container

START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def container(tmp_path: Path, clock: ManualClock) -> Container:
    container = memory_container(tmp_path, CLIPNET_PUBLISHING="memory", CLIPNET_AUTO_POST="true")
    container.queue.override(providers.Singleton(RecordingJobQueue))  # jobs wait to be run
    container.clock.override(providers.Object(clock))
    return container


def ready_clip(container: Container, user: ApiUser, tmp_path: Path) -> str:
    """A clip as the pipeline leaves it: ready, its video in storage."""
    clip_id = user.clip(user.source())
    video = tmp_path / f"{clip_id}.mp4"
    video.write_bytes(b"rendered video")
    key = container.storage().put(f"clips/{clip_id}/video.mp4", video, "video/mp4").key
    with container.uow_factory()() as uow:
        clip = uow.clips.get(clip_id)
        clip.status, clip.assets = ClipStatus.READY, {"video": key}
        uow.clips.update(clip)
        uow.commit()
    return clip_id


def link(container: Container, user: ApiUser, platform: Platform = Platform.YOUTUBE) -> None:
    with container.uow_factory()() as uow:
        uow.oauth_accounts.save(
            an_account(user.id, id=f"acct-{user.id}-{platform}", provider=platform, expires_at=None)
        )
        uow.commit()


def post_jobs(container: Container) -> list[Job]:
    queue: RecordingJobQueue = container.queue()
    with container.uow_factory()() as uow:
        recorded = [uow.jobs.get(j.id) for j in queue.jobs]
    return [j for j in recorded if j.type.value.startswith("post:")]


def all_post_jobs(container: Container) -> list[Job]:
    with container.uow_factory()() as uow:
        return [j for j in uow.jobs.recent(limit=1000) if j.type.value.startswith("post:")]


def youtube(container: Container) -> InMemoryPublisher:
    publisher: InMemoryPublisher = container.publishers()[Platform.YOUTUBE]
    return publisher


def run_jobs(container: Container) -> list[Job]:
    return [container.job_runner().run(job.id) for job in all_post_jobs(container)]


def test_a_post_now_is_accepted_then_goes_out_through_its_job(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    made = client.post(
        f"/clips/{clip_id}/posts",
        json={"platform": "youtube", "privacy": "unlisted", "title": "My best moment"},
        headers=alice.headers,
    )
    assert made.status_code == 202, made.text
    body = made.json()
    assert (body["clip_id"], body["platform"], body["status"]) == (clip_id, "youtube", "pending")
    assert (body["publish_at"], body["url"], body["error"]) == (None, None, None)
    assert [job.type.value for job in post_jobs(container)] == ["post:youtube"]

    (finished,) = run_jobs(container)
    assert finished.status is JobStatus.SUCCEEDED, finished.last_error
    ((published, metadata),) = youtube(container).posts.values()
    assert metadata.title == "My best moment"
    ((options),) = youtube(container).options.values()
    assert options.privacy == "unlisted"
    listed = client.get(f"/clips/{clip_id}/posts", headers=alice.headers).json()["items"]
    assert [(p["id"], p["status"], p["url"]) for p in listed] == [
        (body["id"], "posted", published.url)
    ]
    detail = client.get(f"/clips/{clip_id}", headers=alice.headers).json()
    assert detail["status"] == "posted"


def test_a_second_request_returns_the_same_post_unless_again_is_asked(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    url = f"/clips/{clip_id}/posts"
    first = client.post(url, json={"platform": "youtube"}, headers=alice.headers)
    repeat = client.post(url, json={"platform": "youtube"}, headers=alice.headers)
    again = client.post(url, json={"platform": "youtube", "again": True}, headers=alice.headers)
    assert (first.status_code, repeat.status_code, again.status_code) == (202, 200, 202)
    assert repeat.json()["id"] == first.json()["id"] != again.json()["id"]
    assert len(post_jobs(container)) == 2
    run_jobs(container)
    assert len(youtube(container).posts) == 2  # again: a second video, by its own key


def test_posting_needs_a_linked_account_and_a_ready_clip(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    unlinked = client.post(
        f"/clips/{clip_id}/posts", json={"platform": "youtube"}, headers=alice.headers
    )
    assert unlinked.status_code == 409
    assert unlinked.json()["type"] == "/problems/account-not-linked"
    assert "no youtube account is linked" in unlinked.json()["detail"]
    link(container, alice)
    queued = alice.clip(alice.source())
    not_ready = client.post(
        f"/clips/{queued}/posts", json={"platform": "youtube"}, headers=alice.headers
    )
    assert not_ready.status_code == 409 and "is queued" in not_ready.json()["detail"]
    assert post_jobs(container) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"platform": "youtube", "privacy": "friends"}, "privacy 'friends'"),
        ({"platform": "youtube", "publish_at": "2001-01-01T00:00:00Z"}, "in the past"),
        ({"platform": "youtube", "publish_at": "2999-01-01T00:00:00"}, "timezone"),
        ({"platform": "twitch"}, "platform"),
    ],
)
def test_a_bad_post_request_is_refused_naming_the_problem(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    tmp_path: Path,
    body: dict[str, object],
    reason: str,
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    refused = client.post(f"/clips/{clip_id}/posts", json=body, headers=alice.headers)
    assert refused.status_code in (400, 422), refused.text
    assert reason in refused.text
    assert post_jobs(container) == []


def test_a_scheduled_post_waits_for_its_time_then_goes_out_once(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    when = START + timedelta(hours=1)
    made = client.post(
        f"/clips/{clip_id}/posts",
        json={"platform": "youtube", "publish_at": when.isoformat()},
        headers=alice.headers,
    )
    assert made.status_code == 202, made.text
    assert made.json()["status"] == "scheduled"
    assert datetime.fromisoformat(made.json()["publish_at"]) == when
    (job,) = all_post_jobs(container)
    assert job.run_after == when
    with container.uow_factory()() as uow:
        assert (
            uow.jobs.claim_due(clock.now(), ids=[job.id]) == []
        )  # the relay does not hand it over yet

    early = container.job_runner().run(job.id)  # an early delivery is left alone
    assert early.status is JobStatus.QUEUED and youtube(container).posts == {}
    clock.advance(3600)
    assert container.job_runner().run(job.id).status is JobStatus.SUCCEEDED
    assert container.job_runner().run(job.id).status is JobStatus.SUCCEEDED  # redelivered
    assert len(youtube(container).posts) == 1
    with container.uow_factory()() as uow:
        (post,) = uow.posts.list_for_clip(clip_id)
    assert post.status.value == "posted"


def test_a_cancelled_scheduled_post_never_goes_out_even_when_its_job_fires(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    when = START + timedelta(minutes=5)
    made = client.post(
        f"/clips/{clip_id}/posts",
        json={"platform": "youtube", "publish_at": when.isoformat()},
        headers=alice.headers,
    ).json()
    gone = client.delete(f"/clips/{clip_id}/posts/{made['id']}", headers=alice.headers)
    assert gone.status_code == 204
    again = client.delete(f"/clips/{clip_id}/posts/{made['id']}", headers=alice.headers)
    assert again.status_code == 409 and "only a scheduled post" in again.json()["detail"]
    listed = client.get(f"/clips/{clip_id}/posts", headers=alice.headers).json()["items"]
    assert [p["status"] for p in listed] == ["cancelled"]

    clock.advance(600)
    (job,) = all_post_jobs(container)
    assert container.job_runner().run(job.id).status is JobStatus.SUCCEEDED
    assert youtube(container).posts == {}


def test_a_post_that_went_out_cannot_be_cancelled(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    made = client.post(
        f"/clips/{clip_id}/posts", json={"platform": "youtube"}, headers=alice.headers
    ).json()
    run_jobs(container)
    refused = client.delete(f"/clips/{clip_id}/posts/{made['id']}", headers=alice.headers)
    assert refused.status_code == 409 and "is posted" in refused.json()["detail"]


def test_another_users_clip_and_posts_are_not_found_and_nothing_changes(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    bob: ApiUser,
    tmp_path: Path,
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    link(container, bob)
    when = (START + timedelta(hours=1)).isoformat()
    made = client.post(
        f"/clips/{clip_id}/posts",
        json={"platform": "youtube", "publish_at": when},
        headers=alice.headers,
    ).json()
    base = f"/clips/{clip_id}"
    attempts = [
        client.post(f"{base}/posts", json={"platform": "youtube"}, headers=bob.headers),
        client.get(f"{base}/posts", headers=bob.headers),
        client.delete(f"{base}/posts/{made['id']}", headers=bob.headers),
        client.post(f"{base}/approve", headers=bob.headers),
        client.post(f"{base}/reject", headers=bob.headers),
        client.patch(base, json={"start": 0, "end": 20}, headers=bob.headers),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    # A post id of another clip is not found under this one either.
    bobs_clip = ready_clip(container, bob, tmp_path)
    crossed = client.delete(f"/clips/{bobs_clip}/posts/{made['id']}", headers=bob.headers)
    assert crossed.status_code == 404
    listed = client.get(f"{base}/posts", headers=alice.headers).json()["items"]
    assert [p["status"] for p in listed] == ["scheduled"]
    detail = client.get(base, headers=alice.headers).json()
    assert (detail["status"], detail["start"], detail["end"]) == ("ready", 10.0, 40.0)


def test_a_rejected_clip_is_terminal_and_cannot_be_posted(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    rejected = client.post(f"/clips/{clip_id}/reject", headers=alice.headers)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    for path in ("approve", "reject"):
        refused = client.post(f"/clips/{clip_id}/{path}", headers=alice.headers)
        assert refused.status_code == 409, path
    post = client.post(
        f"/clips/{clip_id}/posts", json={"platform": "youtube"}, headers=alice.headers
    )
    assert post.status_code == 409 and "is rejected" in post.json()["detail"]


def test_a_scheduled_post_of_a_clip_rejected_meanwhile_fails_with_the_reason(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    link(container, alice)
    when = (START + timedelta(minutes=1)).isoformat()
    client.post(
        f"/clips/{clip_id}/posts",
        json={"platform": "youtube", "publish_at": when},
        headers=alice.headers,
    )
    client.post(f"/clips/{clip_id}/reject", headers=alice.headers)
    clock.advance(120)
    (finished,) = run_jobs(container)
    assert finished.status is JobStatus.DEAD and youtube(container).posts == {}
    with container.uow_factory()() as uow:
        (post,) = uow.posts.list_for_clip(clip_id)
    assert post.status.value == "failed" and "rejected" in post.last_error


def test_approving_a_ready_clip_queues_its_auto_posts_once(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = ready_clip(container, alice, tmp_path)
    approved = client.post(f"/clips/{clip_id}/approve", headers=alice.headers)
    again = client.post(f"/clips/{clip_id}/approve", headers=alice.headers)
    assert (approved.status_code, again.status_code) == (200, 200)
    assert approved.json()["status"] == "ready"
    keys = sorted(j.idempotency_key for j in all_post_jobs(container))
    assert keys == [f"post:tiktok:{clip_id}", f"post:youtube:{clip_id}"]


def test_approving_queues_nothing_while_auto_post_is_off(tmp_path: Path) -> None:
    container = memory_container(tmp_path, CLIPNET_AUTO_POST="false")
    container.queue.override(providers.Singleton(RecordingJobQueue))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        alice = ApiUser(client, "alice")
        clip_id = ready_clip(container, alice, tmp_path)
        assert client.post(f"/clips/{clip_id}/approve", headers=alice.headers).status_code == 200
    assert all_post_jobs(container) == []
    with container.uow_factory()() as uow:
        assert uow.clips.get(clip_id).approved


def test_every_status_a_post_goes_through_is_one_post_status_event(
    tmp_path: Path, clock: ManualClock
) -> None:
    container = memory_container(tmp_path, CLIPNET_PUBLISHING="memory")
    container.queue.override(providers.Singleton(RecordingJobQueue))
    container.clock.override(providers.Object(clock))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        alice = ApiUser(client, "alice")
        clip_id = ready_clip(container, alice, tmp_path)
        link(container, alice)
        when = (START + timedelta(minutes=1)).isoformat()
        kept = client.post(
            f"/clips/{clip_id}/posts",
            json={"platform": "youtube", "publish_at": when},
            headers=alice.headers,
        ).json()
        dropped = client.post(
            f"/clips/{clip_id}/posts",
            json={"platform": "youtube", "publish_at": when, "again": True},
            headers=alice.headers,
        ).json()
        client.delete(f"/clips/{clip_id}/posts/{dropped['id']}", headers=alice.headers)
    clock.advance(120)
    run_jobs(container)
    told = post_events(container, alice.id)
    assert told and post_events(container, "someone else") == []
    by_post = {
        post_id: [e["status"] for e in told if e["post_id"] == post_id]
        for post_id in (kept["id"], dropped["id"])
    }
    assert by_post == {
        kept["id"]: ["scheduled", "posting", "posted"],
        dropped["id"]: ["scheduled", "cancelled"],
    }
    last = next(e for e in reversed(told) if e["post_id"] == kept["id"])
    assert last["url"] and last["error"] is None and last["clip_id"] == clip_id


def test_an_event_log_that_fails_does_not_undo_the_post(tmp_path: Path, clock: ManualClock) -> None:
    class BrokenLog(InMemoryEventLog):
        def publish(self, owner_id: str, kind: str, data: Mapping[str, Any]) -> str:
            raise ConnectionError("event log down")

    container = memory_container(tmp_path, CLIPNET_PUBLISHING="memory")
    container.queue.override(providers.Singleton(RecordingJobQueue))
    container.event_log.override(providers.Object(BrokenLog()))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        alice = ApiUser(client, "alice")
        clip_id = ready_clip(container, alice, tmp_path)
        link(container, alice)
        made = client.post(
            f"/clips/{clip_id}/posts", json={"platform": "youtube"}, headers=alice.headers
        )
        assert made.status_code == 202
        (finished,) = run_jobs(container)
        listed = client.get(f"/clips/{clip_id}/posts", headers=alice.headers).json()["items"]
    assert finished.status is JobStatus.SUCCEEDED
    assert [p["status"] for p in listed] == ["posted"]


def post_events(container: Container, owner: str) -> list[dict[str, Any]]:
    """The ``post.status`` events in the owner's live-event log, oldest first."""
    found = asyncio.run(container.event_log().read(owner, "0", 0))
    return [dict(e.data) for e in found if e.kind == "post.status"]
