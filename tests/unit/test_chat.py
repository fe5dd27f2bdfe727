"""Chat as a highlight feature: the per-second intensity, its delay, and chat in the score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.domain.highlights.candidates import find_highlights
from clipnet.domain.highlights.chat import (
    CHAT_SERIES,
    ChatDelay,
    ChatMessage,
    ChatTally,
    chat_intensity,
    chat_series,
    estimate_delay,
    is_hype,
)
from clipnet.domain.highlights.features import FeatureTimeline, Segment
from clipnet.domain.highlights.scoring import DEFAULT_WEIGHTS, score_segment
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan
from clipnet.settings import load_settings

SECONDS = 120
TEXTS = ("hello", "LUL", "KEKW that was great", "clip it!", "gg", "PogChamp", "what")


def messages_strategy(max_offset: int = SECONDS) -> st.SearchStrategy[list[ChatMessage]]:
    # Offsets in quarter seconds: exact in binary, so shifting them is exact too.
    return st.lists(
        st.builds(
            ChatMessage,
            st.integers(0, max_offset * 4).map(lambda q: q / 4),
            st.sampled_from(("ann", "bob", "cy", "dee", "eve")),
            st.sampled_from(TEXTS),
        ),
        max_size=200,
    )


def steady_chat(seconds: int, per_second: int = 1) -> list[ChatMessage]:
    return [
        ChatMessage(t + i / (per_second + 1), f"regular{i}", "hi chat")
        for t in range(seconds)
        for i in range(per_second)
    ]


def spike(at: range, per_second: int = 12) -> list[ChatMessage]:
    return [
        ChatMessage(t + i / per_second, f"viewer{i}", ("KEKW", "clip it", "LUL")[i % 3])
        for t in at
        for i in range(per_second)
    ]


# -- invariants ----------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(messages_strategy(), st.integers(0, 20))
def test_intensity_is_one_bounded_value_per_second(messages: list[ChatMessage], delay: int) -> None:
    series = chat_series(messages, SECONDS, delay)
    assert len(series) == SECONDS
    assert all(0.0 <= v <= 1.0 for v in series)


@settings(max_examples=80, deadline=None)
@given(
    messages_strategy(),
    st.integers(0, SECONDS - 1),
    st.integers(1, 30),
    st.sampled_from(("LUL", "KEKW", "clip that", "OMEGALUL")),
)
def test_adding_hype_messages_at_a_moment_never_lowers_its_intensity(
    messages: list[ChatMessage], second: int, count: int, emote: str
) -> None:
    before = chat_series(messages, SECONDS, 0)
    added = [ChatMessage(second + 0.5, f"hyped{i}", emote) for i in range(count)]
    after = chat_series([*messages, *added], SECONDS, 0)
    assert after[second] >= before[second]


@settings(max_examples=80, deadline=None)
@given(messages_strategy(), st.integers(0, 15), st.integers(0, 30))
def test_shifting_chat_by_k_and_the_delay_by_k_gives_the_same_series(
    messages: list[ChatMessage], delay: int, k: int
) -> None:
    shifted = [ChatMessage(m.offset + k, m.author, m.text) for m in messages]
    assert chat_series(shifted, SECONDS, delay + k) == chat_series(messages, SECONDS, delay)


@settings(max_examples=40, deadline=None)
@given(messages_strategy(max_offset=29))
def test_the_tally_does_not_depend_on_arrival_order_within_its_slack(
    messages: list[ChatMessage],
) -> None:
    ordered = sorted(messages, key=lambda m: m.offset)
    assert chat_series(reversed(ordered), SECONDS, 0) == chat_series(ordered, SECONDS, 0)


# -- examples ------------------------------------------------------------------------------------


def test_a_burst_of_many_chatters_laughing_is_a_spike_and_steady_chat_is_not() -> None:
    series = chat_series([*steady_chat(SECONDS), *spike(range(60, 66))], SECONDS, 0)
    assert min(series[60:66]) > 0.8
    assert max(series[:55] + series[71:]) == 0.0


def test_one_person_spamming_is_less_than_many_people_reacting() -> None:
    many = chat_series([*steady_chat(SECONDS), *spike(range(60, 61))], SECONDS, 0)
    spam = [ChatMessage(60 + i / 12, "spammer", "hello") for i in range(12)]
    one = chat_series([*steady_chat(SECONDS), *spam], SECONDS, 0)
    assert 0 < one[60] < many[60]


def test_a_copy_paste_flood_counts_as_chat_intensity() -> None:
    base = steady_chat(SECONDS)
    varied = [ChatMessage(60.1, f"v{i}", f"message number {i}") for i in range(6)]
    flood = [ChatMessage(60.1, f"v{i}", "THIS  is   the pasta") for i in range(6)]
    in_order = sorted([*base, *flood], key=lambda m: m.offset)
    assert chat_series(in_order, SECONDS, 0)[60] > chat_series([*base, *varied], SECONDS, 0)[60]


def test_the_delay_credits_the_reaction_to_the_moment_before_it() -> None:
    series = chat_series([*steady_chat(SECONDS), *spike(range(70, 76))], SECONDS, 10)
    assert min(series[60:66]) > 0.8
    assert max(series[70:76]) == 0.0


@pytest.mark.parametrize(
    ("text", "hype"),
    [("LUL", True), ("kekw", True), ("OMEGALUL OMEGALUL", True), ("Pog", True),
     ("PogChamp!", True), ("LMAO", True), ("someone CLIP IT", True), ("clip that", True),
     ("hello", False), ("poggle", False), ("clipping", False)],
)  # fmt: skip
def test_hype_messages(text: str, hype: bool) -> None:
    assert is_hype(text) is hype


def test_a_negative_offset_or_an_unreasonable_delay_is_refused() -> None:
    with pytest.raises(InvalidInput, match="offset"):
        ChatTally().add(ChatMessage(-1, "a", "b"))
    with pytest.raises(InvalidInput, match="delay"):
        chat_intensity({}, 10, 90)


def test_the_chat_delay_is_seconds_or_auto_in_settings_and_options() -> None:
    assert ChatDelay.parse("auto") == ChatDelay(estimate=True)
    assert ChatDelay.parse(" 12.5 ") == ChatDelay(12.5)
    assert load_settings({}).media.chat_delay == ChatDelay(8.0)
    assert load_settings({"CLIPNET_CHAT_DELAY": "AUTO"}).media.chat_delay.estimate is True
    described = {name: value for name, value, _doc in load_settings({}).describe()}
    assert described["CLIPNET_CHAT_DELAY"] == "8"
    with pytest.raises(InvalidInput, match="number of seconds or 'auto'"):
        ChatDelay.parse("later")
    with pytest.raises(InvalidInput, match="between 0 and 60"):
        ChatDelay.parse("-1")


def test_the_delay_is_estimated_from_when_chat_follows_the_picture() -> None:
    excitement = [0.0] * 600
    chat: list[ChatMessage] = steady_chat(620)
    for moment in (50, 170, 300, 420, 540):
        excitement[moment : moment + 5] = [1.0] * 5
        chat += spike(range(moment + 11, moment + 16))
    stats = ChatTally().extend(chat).stats()
    assert estimate_delay(stats, excitement) == 11
    assert estimate_delay(ChatTally().extend(steady_chat(620)).stats(), excitement) is None


# -- chat in the score ---------------------------------------------------------------------------


def quiet_and_loud_timeline(chat: tuple[float, ...] | None = None) -> FeatureTimeline:
    """Quiet but for a loud, busy stretch at 200-220 s; a quiet moment at 60 s."""
    seconds = 300
    loud = [-40.0] * seconds
    motion = [0.01] * seconds
    for second in range(200, 220):
        loud[second], motion[second] = -20.0, 0.15
    series = {"loudness": loud, "motion": motion, "speech": [0.0] * seconds}
    if chat is not None:
        series[CHAT_SERIES] = list(chat)
    return FeatureTimeline(seconds, series)


def test_a_chat_spike_after_a_quiet_moment_makes_that_moment_the_top_clip() -> None:
    replay = [*steady_chat(300), *spike(range(68, 84))]  # 8-24 s after the moment at 60 s
    chat = chat_series(replay, 300, delay=8)
    with_chat = find_highlights(quiet_and_loud_timeline(chat), 1)
    without = find_highlights(quiet_and_loud_timeline(), 1)
    assert with_chat[0].segment.span.overlaps(TimeSpan(60, 76))
    assert with_chat[0].score.explanation.startswith("chat spike")
    assert not without[0].segment.span.overlaps(TimeSpan(50, 90))
    assert "chat" not in without[0].score.explanation


def test_a_source_without_chat_scores_as_if_chat_were_not_weighed() -> None:
    segment = Segment(TimeSpan(0, 20), {"loudness": 0.8, "motion": 0.4, "speech": 0.1})
    without_chat_weight = {k: v for k, v in DEFAULT_WEIGHTS.values.items() if k != CHAT_SERIES}
    score = score_segment(segment)
    assert dict(score.weights) == without_chat_weight
    expected = 100 * (0.8 + 0.4 + 0.8 * 0.1) / sum(without_chat_weight.values())
    assert score.total == pytest.approx(expected)


def test_silent_chat_on_a_source_with_chat_lowers_the_score() -> None:
    plain = Segment(TimeSpan(0, 20), {"loudness": 0.8, "motion": 0.4})
    silent_chat = plain.with_features(chat=0.0)
    assert score_segment(silent_chat).total < score_segment(plain).total
