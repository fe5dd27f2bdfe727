"""A source's timeline with its chat: the chat series added, moved back by chat's delay.

Pure. Kept apart from :mod:`.chat` (which :mod:`.candidates` reads) because the delay
estimate compares chat with the source's own normalised loudness and motion.
"""

from __future__ import annotations

import attrs

from clipnet.domain.highlights.candidates import normalise
from clipnet.domain.highlights.chat import (
    CHAT_SERIES,
    ChatDelay,
    SecondStats,
    chat_intensity,
    estimate_delay,
)
from clipnet.domain.highlights.features import FeatureTimeline

#: A second at or above this chat intensity is a notable one (reported to the user).
NOTABLE_CHAT = 0.5


@attrs.frozen
class ChatAdded:
    """What adding chat to a source did."""

    timeline: FeatureTimeline
    delay: float
    """The delay applied (s)."""
    estimated: bool
    """Whether ``delay`` was estimated from the source (else the fixed one)."""
    notable_seconds: int
    """Seconds of the source whose chat intensity is notable."""
    messages: int = 0
    """How many messages were read."""


def excitement(timeline: FeatureTimeline) -> list[float]:
    """Per second, the mean of the source's loudness bursts and motion (what chat reacts to)."""
    signals = normalise(timeline)
    return [(a + b) / 2 for a, b in zip(signals["loudness"], signals["motion"], strict=True)]


def with_chat(
    timeline: FeatureTimeline, stats: dict[int, SecondStats], delay: ChatDelay, messages: int = 0
) -> ChatAdded:
    """``timeline`` with its ``chat`` series (replacing any before) from the tallied chat."""
    estimate = estimate_delay(stats, excitement(timeline)) if delay.estimate else None
    applied = float(estimate) if estimate is not None else delay.seconds
    series = chat_intensity(stats, timeline.seconds, applied)
    updated = attrs.evolve(timeline, series={**timeline.series, CHAT_SERIES: series})
    notable = sum(1 for value in series if value >= NOTABLE_CHAT)
    return ChatAdded(updated, applied, estimate is not None, notable, messages)
