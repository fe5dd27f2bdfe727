"""POST /sources/{id}/chat: a chat replay into the source's timeline, its owner only."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from clipnet.domain.highlights.chat import ChatMessage
from tests.chat_replays import replay_bytes
from tests.unit.http.conftest import ApiUser

SECONDS = 120


def replay(fmt: str = "csv", reaction: range = range(38, 50)) -> bytes:
    """Steady chat, and many chatters laughing during ``reaction`` (s)."""
    steady = [ChatMessage(t + 0.5, "regular", "hi") for t in range(SECONDS)]
    burst = [
        ChatMessage(t + i / 10, f"viewer{i}", "KEKW clip it") for t in reaction for i in range(10)
    ]
    return replay_bytes(sorted([*steady, *burst], key=lambda m: m.offset), fmt)


def analysed_source(user: ApiUser) -> str:
    source_id = user.source()
    user.auto_clip_spans(source_id, 1)  # analyses it
    return source_id


def post_chat(user: ApiUser, source_id: str, body: bytes, delay: str = "") -> object:
    return user.client.post(
        f"/sources/{source_id}/chat",
        content=body,
        params={"delay": delay} if delay else {},
        headers={**user.headers, "Content-Type": "text/csv"},
    )


def chat_series(user: ApiUser, source_id: str) -> list[float] | None:
    timeline = user.client.get(f"/sources/{source_id}/timeline", headers=user.headers).json()
    return timeline["features"].get("chat")


def test_a_chat_replay_gives_the_timeline_its_chat_series_moved_back_by_the_delay(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    source_id = analysed_source(alice)
    response = post_chat(alice, source_id, replay("twitch-downloader"), delay="8")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["source_id"], body["messages"], body["delay"]) == (source_id, 240, 8.0)
    assert body["delay_estimated"] is False and body["notable_seconds"] >= 10
    chat = chat_series(alice, source_id)
    assert chat is not None and len(chat) == SECONDS
    assert min(chat[30:42]) > 0.5  # the moment, 8 s before the reaction at 38-50 s
    assert max(chat[:25] + chat[47:]) < 0.5
    score = client.get(f"/sources/{source_id}/timeline", headers=alice.headers).json()["score"]
    assert 28 <= score.index(max(score)) <= 44  # the chat moment now scores highest
    spans = alice.auto_clip_spans(source_id, 1)
    assert any(start <= 36 and end >= 34 for start, end in spans), spans


def test_another_users_source_is_not_found_and_keeps_its_timeline(
    client: TestClient[Litestar], alice: ApiUser, bob: ApiUser
) -> None:
    source_id = analysed_source(alice)
    response = post_chat(bob, source_id, replay())
    assert response.status_code == 404
    assert chat_series(alice, source_id) is None


def test_a_malformed_replay_is_a_400_with_the_reason_and_the_chat_before_stays(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    source_id = analysed_source(alice)
    assert post_chat(alice, source_id, replay()).status_code == 200
    before = chat_series(alice, source_id)
    truncated = replay("chat-downloader")[:2000]
    response = post_chat(alice, source_id, truncated)
    assert response.status_code == 400
    assert "the JSON ends early after message" in response.json()["detail"]
    bad_line = b"offset_seconds,author,message\n1,ann,hi\nlater,bob,LUL\n"
    response = post_chat(alice, source_id, bad_line)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("the chat file: line 3: the offset 'later'")
    assert chat_series(alice, source_id) == before


def test_a_source_not_analysed_yet_or_a_bad_delay_is_refused_with_the_reason(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    fresh = alice.source()
    response = post_chat(alice, fresh, replay())
    assert response.status_code == 422
    assert "not analysed yet" in response.json()["detail"]
    analysed = analysed_source(alice)
    response = post_chat(alice, analysed, replay(), delay="soon")
    assert response.status_code == 422
    assert "chat delay" in response.json()["detail"]
    assert post_chat(alice, analysed, replay(), delay="90").status_code == 422
    response = post_chat(alice, analysed, b"offset_seconds,author,message\n")
    assert response.status_code == 422
    assert "no messages" in response.json()["detail"]
    assert chat_series(alice, analysed) is None
