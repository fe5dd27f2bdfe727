"""``GET /events`` over real HTTP on loopback (uvicorn), on the embedded profile's memory
event log with the synchronous in-memory queue, so the work a request starts is done (and its
events published) before the request returns.

Two users work interleaved; each stream carries its own user's events only. A reconnect with
``Last-Event-ID`` is sent exactly the events after that id. Bad requests are 4xx problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clipnet.container import Container
from clipnet.entrypoints.http import create_app
from tests.loopback.asgi import serving
from tests.sse import EventReader, Sse
from tests.unit.http.conftest import ApiUser, memory_container


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, httpx.Client, Container]]:
    container = memory_container(tmp_path, CLIPNET_EVENTS_STREAM_SECONDS="30")
    with serving(create_app(container)) as base, httpx.Client(base_url=base) as client:
        yield base, client, container


def token(user: ApiUser) -> str:
    return str(user.tokens["access_token"])


def of_kind(events: list[Sse], kind: str) -> list[dict[str, Any]]:
    return [e.data for e in events if e.event == kind]


def ready(clip_ids: set[str]) -> Any:
    def done(events: list[Sse]) -> bool:
        finished = {d["clip_id"] for d in of_kind(events, "clip.status") if d["status"] == "ready"}
        return clip_ids <= finished

    return done


def test_each_user_is_sent_their_own_events_only_while_both_work(
    world: tuple[str, httpx.Client, Container],
) -> None:
    base, client, _ = world
    alice, bob = ApiUser(client, "alice"), ApiUser(client, "bob")  # type: ignore[arg-type]
    with EventReader(base, token(alice)) as alices, EventReader(base, token(bob)) as bobs:
        a_source = alice.source()
        b_source = bob.source()
        a_clips = {alice.clip(a_source), alice.clip(a_source, 50, 80)}
        b_clips = {bob.clip(b_source, 20, 50)}
        a_auto = client.post(
            "/clips/",
            json={"source_id": a_source, "mode": "auto", "count": 1},
            headers=alice.headers,
        )
        assert a_auto.status_code == 201, a_auto.text
        a_clips |= {c["id"] for c in a_auto.json()["items"]}
        b_source_2 = bob.source()
        b_clips.add(bob.clip(b_source_2))
        seen_by_alice = alices.wait_for(ready(a_clips))
        seen_by_bob = bobs.wait_for(ready(b_clips))

    assert {d["clip_id"] for d in of_kind(seen_by_alice, "clip.status")} == a_clips
    assert {e.data["source_id"] for e in seen_by_alice if e.event != "open"} == {a_source}
    assert {d["clip_id"] for d in of_kind(seen_by_bob, "clip.status")} == b_clips
    assert {e.data["source_id"] for e in seen_by_bob if e.event != "open"} == {b_source, b_source_2}
    # Each clip's statuses arrive in the order the lifecycle moved it.
    for clip_id in a_clips:
        statuses = [
            d["status"] for d in of_kind(seen_by_alice, "clip.status") if d["clip_id"] == clip_id
        ]
        assert statuses[0] == "queued" and statuses[-1] == "ready"
        assert statuses.index("scoring") < statuses.index("polishing")
    # The analysis pass's progress, first to last, for each analysed source.
    progress = [
        d["percent"] for d in of_kind(seen_by_bob, "job.progress") if d["source_id"] == b_source
    ]
    assert progress[0] == 0 and progress[-1] == 100 and progress == sorted(progress)
    assert [d["status"] for d in of_kind(seen_by_bob, "source.status")] == [
        "analyzing",
        "analyzed",
    ] * 2
    ids = [e.id for e in seen_by_alice if e.event != "open"]
    assert len(set(ids)) == len(ids)


def test_a_reconnect_with_last_event_id_is_sent_exactly_what_came_after(
    world: tuple[str, httpx.Client, Container],
) -> None:
    base, client, _ = world
    alice = ApiUser(client, "alice")  # type: ignore[arg-type]
    with EventReader(base, token(alice)) as first:
        source = alice.source()
        clip_id = alice.clip(source)
        everything = [e for e in first.wait_for(ready({clip_id})) if e.event != "open"]
    middle = len(everything) // 2
    # While nobody listens, more happens.
    later_clip = alice.clip(source, 60, 90)
    with EventReader(base, token(alice), last_event_id=everything[middle].id) as resumed:
        opened, *caught_up = resumed.wait_for(ready({later_clip}))
    assert (opened.event, opened.id) == ("open", everything[middle].id)
    assert [e.id for e in caught_up[: len(everything) - middle - 1]] == [
        e.id for e in everything[middle + 1 :]
    ]
    assert {d["clip_id"] for d in of_kind(caught_up, "clip.status")} == {clip_id, later_clip}
    assert len({e.id for e in caught_up}) == len(caught_up)  # none twice


def test_a_stream_without_a_login_is_401_and_a_foreign_event_id_is_422(
    world: tuple[str, httpx.Client, Container],
) -> None:
    _, client, _ = world
    alice = ApiUser(client, "alice")  # type: ignore[arg-type]
    anonymous = client.get("/events")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    refused = client.get("/events", headers={**alice.headers, "Last-Event-ID": "17-0"})
    assert refused.status_code == 422
    assert "not an event id" in refused.json()["detail"]


def test_a_stream_ends_after_its_time_and_says_how_soon_to_come_back(tmp_path: Path) -> None:
    container = memory_container(tmp_path, CLIPNET_EVENTS_STREAM_SECONDS="1")
    with serving(create_app(container)) as base, httpx.Client(base_url=base) as client:
        alice = ApiUser(client, "alice")  # type: ignore[arg-type]
        with client.stream("GET", "/events", headers=alice.headers, timeout=20) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            body = "".join(response.iter_text())  # ends by itself
    assert "retry: 2000" in body
    assert "id: 0\r\n" in body  # where it started: nothing had happened yet


def test_a_stream_that_saw_no_event_resumes_from_where_it_started(
    world: tuple[str, httpx.Client, Container],
) -> None:
    base, client, _ = world
    alice = ApiUser(client, "alice")  # type: ignore[arg-type]
    alice.source()  # something before the stream opens, which it must not be sent
    with EventReader(base, token(alice)) as quiet:
        opened = quiet.wait_for(lambda events: len(events) >= 1)
    assert [e.event for e in opened] == ["open"]
    source = alice.source()
    clip_id = alice.clip(source)
    with EventReader(base, token(alice), last_event_id=opened[0].id) as resumed:
        seen = resumed.wait_for(ready({clip_id}))
    assert {e.data.get("source_id") for e in seen if e.event != "open"} == {source}
    statuses = [e.data["status"] for e in seen if e.event == "clip.status"]
    assert statuses[0] == "queued" and statuses[-1] == "ready"
