"""Clips over HTTP: create a span or the best moments, list with filters and a cursor, read
the detail, change, cancel, retry and delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.clipbot.model import Direction
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.scoring import Score
from clipnet.ports.media import MediaError
from tests.unit.http.conftest import ApiUser, ContentProbingMedia, memory_container


@pytest.fixture
def container(tmp_path: Path) -> Container:
    container = memory_container(tmp_path, CLIPNET_MAX_PAGE_SIZE="3")
    container.queue.override(providers.Singleton(RecordingJobQueue))  # jobs wait: states hold
    return container


def first_clip(
    client: TestClient[Litestar], container: Container, user: ApiUser, body: dict[str, object]
) -> str:
    """The id of the (first) clip a create request made, in either mode."""
    if body["mode"] == "auto":
        return str(made_by_analysis(client, container, user, body)[0]["id"])
    made = client.post("/clips/", json=body, headers=user.headers)
    assert made.status_code == 201, made.text
    return str(made.json()["items"][0]["id"])


def set_clip(container: Container, clip_id: str, **changes: object) -> None:
    with container.uow_factory()() as uow:
        clip = uow.clips.get(clip_id)
        for name, value in changes.items():
            setattr(clip, name, value)
        uow.clips.update(clip)
        uow.commit()


def test_a_span_clip_is_queued_with_its_job(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    source_id = alice.source()
    response = client.post(
        "/clips/",
        json={
            "source_id": source_id,
            "start": 5,
            "end": 35,
            "title": " Nice ",
            "template": "split",
        },
        headers=alice.headers,
    )
    assert response.status_code == 201, response.text
    (clip,) = response.json()["items"]
    assert (clip["status"], clip["start"], clip["end"]) == ("queued", 5.0, 35.0)
    assert (clip["title"], clip["template"], clip["origin"]) == ("Nice", "split", "user")
    assert container.queue().types() == ["clip:process"]
    detail = client.get(f"/clips/{clip['id']}", headers=alice.headers).json()
    assert detail["job"]["type"] == "clip:process" and detail["job"]["status"] == "queued"


def test_a_span_past_the_end_of_the_source_is_refused_saying_how_long_the_source_is(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    source_id = alice.source()  # 120 s long
    past_the_end = client.post(
        "/clips/", json={"source_id": source_id, "start": 100, "end": 200}, headers=alice.headers
    )
    outside = client.post(
        "/clips/", json={"source_id": source_id, "start": 130, "end": 140}, headers=alice.headers
    )
    backwards = client.post(
        "/clips/", json={"source_id": source_id, "start": 40, "end": 30}, headers=alice.headers
    )
    missing = client.post("/clips/", json={"source_id": source_id}, headers=alice.headers)
    to_the_end = client.post(
        "/clips/", json={"source_id": source_id, "start": 100, "end": 120}, headers=alice.headers
    )
    assert [r.status_code for r in (past_the_end, outside, backwards, missing)] == [422] * 4
    assert "the source is only 120.0 s long" in past_the_end.json()["detail"]
    assert to_the_end.status_code == 201 and to_the_end.json()["items"][0]["end"] == 120.0
    listed = client.get("/clips/", headers=alice.headers).json()["items"]
    assert len(listed) == 1  # nothing was stored for the refused spans


def made_by_analysis(
    client: TestClient[Litestar], container: Container, user: ApiUser, body: dict[str, object]
) -> list[dict[str, object]]:
    """``POST /clips`` auto on a source not analysed yet, with the worker paused: it answers
    202 at once with the queued analysis job and no clips; the job, run now, makes them."""
    response = client.post("/clips/", json=body, headers=user.headers)
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["items"] == []
    job = accepted["analysis"]
    assert (job["type"], job["status"], job["attempts"]) == ("source:analyze", "queued", 0)
    assert (
        client.get(f"/sources/{body['source_id']}", headers=user.headers).json()["analysed"]
        is False
    )  # nothing was analysed in the request
    done = container.job_runner().run(job["id"])
    assert done.status.value == "succeeded", done.last_error
    assert client.get(f"/jobs/{job['id']}", headers=user.headers).json()["status"] == "succeeded"
    listed = client.get(f"/clips/?source_id={body['source_id']}", headers=user.headers).json()[
        "items"
    ]
    return [c for c in listed if c["origin"] == "auto"]


def test_auto_clips_are_the_best_moments_with_their_scores(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    source_id = alice.source()
    clips = made_by_analysis(
        client, container, alice, {"source_id": source_id, "mode": "auto", "count": 2}
    )
    assert 1 <= len(clips) <= 2
    assert all(c["origin"] == "auto" and c["score"] is not None for c in clips)
    best = max(clips, key=lambda c: float(c["score"]))  # type: ignore[arg-type]
    assert best["start"] < 90 and best["end"] > 70  # type: ignore[operator]
    assert client.get(f"/sources/{source_id}", headers=alice.headers).json()["analysed"] is True
    # Asked again, now that the source is analysed: the clips come back at once (201).
    again = client.post(
        "/clips/", json={"source_id": source_id, "mode": "auto", "count": 1}, headers=alice.headers
    )
    assert again.status_code == 201, again.text
    assert again.json()["analysis"] is None and len(again.json()["items"]) == 1


def test_an_analysis_job_run_twice_makes_its_clips_once(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    body = {"source_id": alice.source(), "mode": "auto", "count": 2}
    first = made_by_analysis(client, container, alice, body)
    job_id = str(first[0]["id"]).rsplit("-", 1)[0]
    job = container.job_runner().run(job_id)  # a redelivery of the same job
    listed = client.get(f"/clips/?source_id={body['source_id']}", headers=alice.headers).json()
    assert job.status.value == "succeeded"
    assert sorted(c["id"] for c in listed["items"]) == sorted(c["id"] for c in first)


def test_an_analysis_that_cannot_read_the_source_says_why_on_its_job(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    class DamagedMedia(ContentProbingMedia):
        def analyze(self, path: Path, progress: object = None) -> FeatureTimeline:
            raise MediaError("stream.mp4: truncated or damaged")

    container.media.override(providers.Object(DamagedMedia()))
    source_id = alice.source()
    response = client.post(
        "/clips/", json={"source_id": source_id, "mode": "auto", "count": 1}, headers=alice.headers
    )
    assert response.status_code == 202
    job = container.job_runner().run(response.json()["analysis"]["id"])
    assert job.status.value == "dead"
    shown = client.get(f"/jobs/{job.id}", headers=alice.headers).json()
    assert shown["last_error"] == (
        "the source could not be analysed: stream.mp4: truncated or damaged"
    )
    assert client.get(f"/sources/{source_id}", headers=alice.headers).json()["status"] == "failed"
    again = client.post(
        "/clips/", json={"source_id": source_id, "mode": "auto", "count": 1}, headers=alice.headers
    )
    assert again.status_code == 422  # failed for good: the reason at once, nothing queued
    assert "truncated or damaged" in again.json()["detail"]


def test_the_clip_detail_has_score_breakdown_votes_and_media_urls(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    score = Score({"loudness": 0.9}, {"loudness": 1.0}, 90.0, "loud burst")
    set_clip(container, clip_id, score=score, assets={"video": f"clips/{clip_id}/video.mp4"})
    container.voting().cast(clip_id, "twitch", "viewer-1", Direction.UP)  # type: ignore[arg-type]
    detail = client.get(f"/clips/{clip_id}", headers=alice.headers).json()
    assert detail["score"] == {
        "total": 90.0,
        "explanation": "loud burst",
        "values": {"loudness": 0.9},
        "weights": {"loudness": 1.0},
    }
    assert detail["votes"] == {"up": 1, "down": 0, "net": 1}
    assert detail["media"] == {"video": f"memory://clips/clips/{clip_id}/video.mp4"}
    assert detail["posts"] == [] and detail["transcript"] is None


def test_listing_filters_by_status_source_and_score(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    first, second = alice.source(), alice.source()
    a, b, c = alice.clip(first), alice.clip(first), alice.clip(second)
    set_clip(container, a, score=Score({}, {}, 80.0, ""))
    set_clip(container, b, score=Score({}, {}, 20.0, ""))
    container.clips_service().cancel(
        container.accounts().authenticate(alice.tokens["access_token"]), c
    )

    def ids(query: str) -> list[str]:
        response = client.get(f"/clips/?{query}", headers=alice.headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(f"source_id={first}") == [a, b]
    assert ids("status=cancelled") == [c]
    assert ids("status=queued&status=cancelled") == [a, b, c]
    assert ids("min_score=50") == [a]


def test_the_cursor_walks_every_clip_once_and_pages_are_capped(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    source_id = alice.source()
    made = [alice.clip(source_id) for _ in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "limit=1000" + (f"&after={cursor}" if cursor else "")
        page = client.get(f"/clips/?{query}", headers=alice.headers).json()
        assert len(page["items"]) <= 3  # CLIPNET_MAX_PAGE_SIZE
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made and pages == 3


@pytest.mark.parametrize("mode", ["span", "auto"])
def test_a_clip_can_ask_for_a_caption_style_but_only_a_known_one(
    mode: str, client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    body = {"source_id": alice.source(), "mode": mode, "start": 5, "end": 35, "count": 1}
    clip_id = first_clip(client, container, alice, {**body, "captions": "boxed"})
    detail = client.get(f"/clips/{clip_id}", headers=alice.headers).json()
    assert detail["caption_style"] == "boxed"
    bad = client.post("/clips/", json={**body, "captions": "comic"}, headers=alice.headers)
    assert bad.status_code == 422
    assert (
        "unknown caption style 'comic' (known: bold-pop, lower-third, boxed, none)"
        in (bad.json()["detail"])
    )


@pytest.mark.parametrize("mode", ["span", "auto"])
def test_a_clip_can_ask_for_an_aspect_ratio_but_only_a_known_one(
    mode: str, client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    body = {"source_id": alice.source(), "mode": mode, "start": 5, "end": 35, "count": 1}
    clip_id = first_clip(client, container, alice, {**body, "aspect": "1:1"})
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).json()["aspect"] == "1:1"
    bad = client.post("/clips/", json={**body, "aspect": "4:3"}, headers=alice.headers)
    assert bad.status_code == 422
    assert "unknown aspect '4:3' (known: 9:16, 1:1, 16:9)" in bad.json()["detail"]


def test_title_and_template_can_be_changed_but_only_to_known_templates(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    ok = client.patch(
        f"/clips/{clip_id}", json={"title": "Better", "template": "blur-pad"}, headers=alice.headers
    )
    bad = client.patch(f"/clips/{clip_id}", json={"template": "nope"}, headers=alice.headers)
    assert ok.status_code == 200 and (ok.json()["title"], ok.json()["template"]) == (
        "Better",
        "blur-pad",
    )
    assert bad.status_code == 422 and "unknown template" in bad.json()["detail"]


def ready_clip(container: Container, alice: ApiUser, template: str = "center-crop") -> str:
    """A clip as the pipeline leaves it: ready, rendered with ``template``."""
    clip_id = alice.clip(alice.source())
    set_clip(
        container,
        clip_id,
        status=ClipStatus.READY,
        template=template,
        assets={"video": f"clips/{clip_id}/video.mp4"},
    )
    return clip_id


def polish_jobs(container: Container) -> list[str]:
    return [j.idempotency_key for j in container.queue().jobs if j.type.value == "ffmpeg:polish"]


def test_a_new_template_on_a_ready_clip_renders_it_again(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = ready_clip(container, alice)
    changed = client.patch(
        f"/clips/{clip_id}", json={"template": "blur-pad"}, headers=alice.headers
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["status"], body["template"], body["rerendering"]) == (
        "polishing",
        "blur-pad",
        True,
    )
    assert polish_jobs(container) == [f"ffmpeg:polish:{clip_id}:1:rerender-1"]
    detail = client.get(f"/clips/{clip_id}", headers=alice.headers).json()
    assert detail["media"]["video"]  # the old video stays until the new one replaces it


def test_a_change_that_leaves_the_video_as_it_is_does_not_render_again(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = ready_clip(container, alice)  # center-crop does not burn the title in
    renamed = client.patch(f"/clips/{clip_id}", json={"title": "New"}, headers=alice.headers)
    same = client.patch(
        f"/clips/{clip_id}", json={"template": "center-crop"}, headers=alice.headers
    )
    for response in (renamed, same):
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["rerendering"]) == ("ready", False)
    assert polish_jobs(container) == []


def test_a_new_title_renders_again_where_the_template_burns_it_in(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = ready_clip(container, alice, template="blur-pad")  # overlays the title
    renamed = client.patch(f"/clips/{clip_id}", json={"title": "New"}, headers=alice.headers)
    assert (renamed.json()["status"], renamed.json()["rerendering"]) == ("polishing", True)
    assert len(polish_jobs(container)) == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ClipStatus.POLISHING, "being rendered"),
        (ClipStatus.UPLOADING, "being rendered"),
        (ClipStatus.POSTED, "was posted"),
    ],
)
def test_a_video_change_while_rendering_or_once_posted_is_refused_with_the_reason(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    status: ClipStatus,
    reason: str,
) -> None:
    clip_id = ready_clip(container, alice)
    set_clip(container, clip_id, status=status)
    refused = client.patch(
        f"/clips/{clip_id}", json={"template": "blur-pad"}, headers=alice.headers
    )
    assert refused.status_code == 422 and reason in refused.json()["detail"]
    detail = client.get(f"/clips/{clip_id}", headers=alice.headers).json()
    assert (detail["status"], detail["template"]) == (status.value, "center-crop")
    assert polish_jobs(container) == []


def test_cancel_then_cancel_again_is_a_conflict_naming_the_states(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    first = client.post(f"/clips/{clip_id}/cancel", headers=alice.headers)
    again = client.post(f"/clips/{clip_id}/cancel", headers=alice.headers)
    assert first.status_code == 200 and first.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/illegal-transition"
    assert "'cancelled'" in again.json()["detail"]


def test_a_failed_clip_can_be_retried_and_a_queued_one_cannot(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    assert client.post(f"/clips/{clip_id}/retry", headers=alice.headers).status_code == 409
    container.lifecycle().fail(clip_id, "ffmpeg crashed")
    retried = client.post(f"/clips/{clip_id}/retry", headers=alice.headers)
    assert retried.status_code == 200 and retried.json()["status"] == ClipStatus.QUEUED.value
    assert container.queue().types() == ["clip:process", "clip:process"]


def test_deleting_a_clip_removes_its_stored_media(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    clip_id = alice.clip(alice.source())
    (tmp_path / "v.mp4").write_bytes(b"video")
    container.storage().put(f"clips/{clip_id}/video.mp4", tmp_path / "v.mp4")
    set_clip(container, clip_id, assets={"video": f"clips/{clip_id}/video.mp4"})
    assert client.delete(f"/clips/{clip_id}", headers=alice.headers).status_code == 204
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).status_code == 404
    assert not container.storage().exists(f"clips/{clip_id}/video.mp4")
    assert client.delete(f"/clips/{clip_id}", headers=alice.headers).status_code == 404


def test_a_job_is_readable_by_the_owner_of_its_clip(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    job_id = container.queue().jobs[0].id
    response = client.get(f"/jobs/{job_id}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json()["type"] == "clip:process" and response.json()["status"] == "queued"
    assert client.get(f"/clips/{clip_id}", headers=alice.headers).json()["job"]["id"] == job_id


def test_a_trim_of_a_ready_clip_renders_the_new_span(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = ready_clip(container, alice)  # 10-40 s of a 120 s source
    trimmed = client.patch(
        f"/clips/{clip_id}", json={"start": 12.5, "end": 30}, headers=alice.headers
    )
    assert trimmed.status_code == 200, trimmed.text
    body = trimmed.json()
    assert (body["start"], body["end"], body["status"], body["rerendering"]) == (
        12.5,
        30.0,
        "polishing",
        True,
    )
    assert polish_jobs(container) == [f"ffmpeg:polish:{clip_id}:1:rerender-1"]
    extended = ready_clip(container, alice)
    longer = client.patch(f"/clips/{extended}", json={"start": 0, "end": 55}, headers=alice.headers)
    assert longer.status_code == 200 and (longer.json()["start"], longer.json()["end"]) == (0, 55)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"start": 100, "end": 130}, "the source is only 120.0 s long"),
        ({"start": 10, "end": 12}, "a clip lasts between 15 and 60 s"),
        ({"start": 0, "end": 90}, "a clip lasts between 15 and 60 s"),
        ({"start": 20}, "needs both 'start' and 'end'"),
        ({"start": 30, "end": 20}, "end"),
    ],
)
def test_a_bad_trim_is_refused_naming_the_problem_and_changes_nothing(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    body: dict[str, float],
    reason: str,
) -> None:
    clip_id = ready_clip(container, alice)
    refused = client.patch(f"/clips/{clip_id}", json=body, headers=alice.headers)
    assert refused.status_code == 422, refused.text
    assert reason in refused.json()["detail"]
    detail = client.get(f"/clips/{clip_id}", headers=alice.headers).json()
    assert (detail["start"], detail["end"], detail["status"]) == (10.0, 40.0, "ready")
    assert polish_jobs(container) == []


def test_a_clip_still_in_the_pipeline_cannot_be_trimmed(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    clip_id = alice.clip(alice.source())
    refused = client.patch(f"/clips/{clip_id}", json={"start": 0, "end": 20}, headers=alice.headers)
    assert refused.status_code == 422 and "once it is ready" in refused.json()["detail"]
