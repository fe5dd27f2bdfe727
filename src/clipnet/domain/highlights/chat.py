"""Chat as a highlight signal: messages with offsets -> one chat intensity per second.

Pure. A chat replay (or live chat) is a stream of :class:`ChatMessage` values; a
:class:`ChatTally` counts them second by second in bounded memory (a replay of millions of
messages keeps a few numbers per second), and :func:`chat_intensity` turns the tally into the
``chat`` series of a :class:`FeatureTimeline`, moved back by chat's delay behind the video
(viewers react 5-15 s after the moment), so a clip covers the moment, not the reaction.

The intensity of second ``t`` (after the delay) is, with ``b`` the chat's usual rate there
(the median messages per second over :data:`BASELINE_WINDOW` s on each side, leaving out
:data:`BASELINE_GAP` s around ``t`` so a spike never raises its own baseline, and at least
:data:`MIN_BASELINE`)::

    rate     = clip((messages / b - 1) / (SURGE_FULL - 1))        # more messages than usual
    chatters = clip((distinct chatters / b - 1) / (SURGE_FULL - 1))  # ... from many people
    hype     = clip(hype messages / (HYPE_FULL * b))               # LUL, KEKW, Pog, "clip it"
    flood    = clip((most chatters sending one text - 1) / (FLOOD_FULL - 1))
    chat     = RATE_WEIGHT * rate + CHATTERS_WEIGHT * chatters
               + HYPE_WEIGHT * hype + FLOOD_WEIGHT * flood        # weights sum to 1

Each part is in [0, 1] and never falls when messages are added to that second, so the
intensity is bounded and rises (or stays) with every hype message added at a moment.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence

import attrs

from clipnet.domain.shared.errors import InvalidInput

#: The timeline series the chat intensity is stored under.
CHAT_SERIES = "chat"
#: Chat's delay behind the video when nothing else is known (s).
DEFAULT_CHAT_DELAY = 8.0
#: The longest delay accepted or estimated (s).
MAX_CHAT_DELAY = 60.0
#: The usual rate at a second is the median of this many seconds on each side of it...
BASELINE_WINDOW = 60
#: ...leaving out this many seconds on each side (a spike is not its own baseline).
BASELINE_GAP = 5
#: The usual rate is at least this (messages/s), so a quiet chat's one message is no spike.
MIN_BASELINE = 0.5
#: This many times the usual rate is a full-strength surge.
SURGE_FULL = 4.0
#: Hype messages at this many times the usual rate are a full-strength burst.
HYPE_FULL = 2.0
#: This many distinct chatters sending the same text in a second is a full flood.
FLOOD_FULL = 5
RATE_WEIGHT = 0.35
CHATTERS_WEIGHT = 0.25
HYPE_WEIGHT = 0.25
FLOOD_WEIGHT = 0.15
#: Emotes and phrases viewers type when something clip-worthy happens (case-insensitive
#: words; the phrases anywhere in the message).
HYPE_WORDS = frozenset(
    {"lul", "kekw", "omegalul", "pog", "pogchamp", "poggers", "lmao", "lmfao", "lol", "wtf"}
)
HYPE_PHRASES = ("clip it", "clip that", "clip this")
#: Seconds a message may arrive behind later ones and still count fully (replays are in
#: order; live chat from several platforms may not quite be).
REORDER_SLACK = 30

#: Any hype word as a whole word (letters and digits around it make another word), or a phrase.
_HYPE = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(sorted(HYPE_WORDS))
    + r")(?![a-z0-9])|"
    + "|".join(re.escape(p) for p in HYPE_PHRASES),
    re.IGNORECASE,
)


@attrs.frozen
class ChatMessage:
    """One chat message: when (seconds into the source), who, what."""

    offset: float = attrs.field(converter=float)
    author: str = attrs.field(converter=str)
    text: str = attrs.field(converter=str)


def is_hype(text: str) -> bool:
    """Whether a message is an emote or phrase of excitement (see :data:`HYPE_WORDS`)."""
    return _HYPE.search(text) is not None


def _flood_key(text: str) -> str:
    """The same message however it is spaced or cased (copy-paste floods vary in both)."""
    return " ".join(text.lower().split())


@attrs.frozen
class SecondStats:
    """What chat did in one second."""

    messages: int = 0
    chatters: int = 0
    hype: int = 0
    flood: int = 0
    """The most distinct chatters who sent one same text in this second."""


class _OpenSecond:
    """A second still receiving messages: who said what, until it is closed to counts."""

    def __init__(self) -> None:
        self.messages = 0
        self.hype = 0
        self.authors: set[str] = set()
        self.texts: dict[str, set[str]] = {}

    def add(self, message: ChatMessage) -> None:
        self.messages += 1
        self.hype += is_hype(message.text)
        self.authors.add(message.author)
        self.texts.setdefault(_flood_key(message.text), set()).add(message.author)

    def close(self) -> SecondStats:
        flood = max((len(a) for a in self.texts.values()), default=0)
        return SecondStats(self.messages, len(self.authors), self.hype, flood)


class ChatTally:
    """Messages counted per whole second of their offset (the reaction's time), in memory
    bounded by the source's length, not the number of messages: seconds more than
    :data:`REORDER_SLACK` behind the latest message are closed to a few counts."""

    def __init__(self) -> None:
        self._closed: dict[int, SecondStats] = {}
        self._open: dict[int, _OpenSecond] = {}
        self._latest = 0
        self.count = 0
        """How many messages were added."""

    def add(self, message: ChatMessage) -> None:
        if not math.isfinite(message.offset) or message.offset < 0:
            raise InvalidInput(f"a chat message's offset must be a time >= 0 s, not {message}")
        second = int(message.offset)
        self.count += 1
        if second in self._closed:  # late: counted, its author taken as a new chatter
            late = self._closed[second]
            self._closed[second] = attrs.evolve(
                late,
                messages=late.messages + 1,
                chatters=late.chatters + 1,
                hype=late.hype + is_hype(message.text),
            )
            return
        self._open.setdefault(second, _OpenSecond()).add(message)
        if second > self._latest:
            self._latest = second
            self._close_before(second - REORDER_SLACK)

    def extend(self, messages: Iterable[ChatMessage]) -> ChatTally:
        for message in messages:
            self.add(message)
        return self

    def stats(self) -> dict[int, SecondStats]:
        """Second -> what chat did in it (seconds without messages left out)."""
        self._close_before(self._latest + 1)
        return dict(self._closed)

    def _close_before(self, second: int) -> None:
        for done in [s for s in self._open if s < second]:
            self._closed[done] = self._open.pop(done).close()


def _clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


def _baselines(rates: Sequence[int]) -> list[float]:
    """Per second, the usual rate around it (see the module's docstring)."""
    baselines = []
    for t in range(len(rates)):
        around = [
            *rates[max(0, t - BASELINE_WINDOW) : max(0, t - BASELINE_GAP)],
            *rates[t + BASELINE_GAP + 1 : t + BASELINE_WINDOW + 1],
        ]
        usual = statistics.median(around) if around else 0.0
        baselines.append(max(MIN_BASELINE, float(usual)))
    return baselines


def _surge(count: int, usual: float) -> float:
    return _clip01((count / usual - 1) / (SURGE_FULL - 1))


def second_intensity(stats: SecondStats, usual: float) -> float:
    """One second's chat intensity in [0, 1], given the chat's usual rate there."""
    rate = _surge(stats.messages, usual)
    chatters = _surge(stats.chatters, usual)
    hype = _clip01(stats.hype / (HYPE_FULL * usual))
    flood = _clip01((stats.flood - 1) / (FLOOD_FULL - 1))
    value = (
        RATE_WEIGHT * rate + CHATTERS_WEIGHT * chatters + HYPE_WEIGHT * hype + FLOOD_WEIGHT * flood
    )
    return round(_clip01(value), 4)


@attrs.frozen
class ChatDelay:
    """How far chat lags the video: a fixed number of seconds, or estimated from the source
    (:func:`estimate_delay`) with ``seconds`` used when the estimate is not confident."""

    seconds: float = DEFAULT_CHAT_DELAY
    estimate: bool = False

    @classmethod
    def parse(cls, text: str) -> ChatDelay:
        """``"auto"`` or a number of seconds (0-60); else InvalidInput saying so."""
        cleaned = text.strip().lower()
        if cleaned == "auto":
            return cls(estimate=True)
        try:
            seconds = float(cleaned)
        except ValueError:
            raise InvalidInput(
                f"the chat delay must be a number of seconds or 'auto' (got {text!r})"
            ) from None
        delay_seconds(seconds)
        return cls(seconds)

    def __str__(self) -> str:
        return "auto" if self.estimate else f"{self.seconds:g}"


def delay_seconds(delay: float) -> int:
    """A delay as whole seconds (the timeline's resolution); outside 0..60 s: InvalidInput."""
    if not math.isfinite(delay) or not 0 <= delay <= MAX_CHAT_DELAY:
        raise InvalidInput(
            f"the chat delay must be between 0 and {MAX_CHAT_DELAY:g} s (got {delay:g})"
        )
    return round(delay)


def chat_intensity(
    stats: dict[int, SecondStats], seconds: int, delay: float = DEFAULT_CHAT_DELAY
) -> tuple[float, ...]:
    """The ``chat`` series: one intensity in [0, 1] for each of the source's ``seconds``,
    the chat of second ``t + delay`` credited to second ``t`` (the moment it reacts to)."""
    shift = delay_seconds(delay)
    moments = [stats.get(t + shift, SecondStats()) for t in range(max(0, seconds))]
    usual = _baselines([s.messages for s in moments])
    return tuple(second_intensity(s, b) for s, b in zip(moments, usual, strict=True))


def chat_series(
    messages: Iterable[ChatMessage], seconds: int, delay: float = DEFAULT_CHAT_DELAY
) -> tuple[float, ...]:
    """:func:`chat_intensity` of ``messages``, tallied."""
    return chat_intensity(ChatTally().extend(messages).stats(), seconds, delay)


#: Lags tried when estimating the delay (s).
ESTIMATE_LAGS = range(0, 21)
#: An estimate is trusted only when chat and the picture/sound correlate at least this well...
MIN_CORRELATION = 0.3
#: ...and chat has at least this many seconds of notable intensity to go on.
MIN_NOTABLE_SECONDS = 5


def _correlation(a: Sequence[float], b: Sequence[float]) -> float:
    """Pearson's r of two equally long series; 0 when either is flat."""
    if len(a) < 2:
        return 0.0
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    spread = math.sqrt(sum((x - mean_a) ** 2 for x in a) * sum((y - mean_b) ** 2 for y in b))
    return cov / spread if spread > 0 else 0.0


def estimate_delay(stats: dict[int, SecondStats], excitement: Sequence[float]) -> int | None:
    """Chat's delay behind the video (whole seconds in :data:`ESTIMATE_LAGS`): the lag at
    which chat intensity best follows ``excitement`` (per second, e.g. the loudness bursts
    and motion of the source, in [0, 1]); None when that is not clear enough to trust."""
    seconds = len(excitement)
    reactions = chat_intensity(stats, seconds + max(ESTIMATE_LAGS), 0)
    if sum(1 for v in reactions if v >= 0.5) < MIN_NOTABLE_SECONDS:
        return None
    scored = [
        (_correlation(excitement, reactions[lag : lag + seconds]), -lag) for lag in ESTIMATE_LAGS
    ]
    best, lag = max(scored)
    return -lag if best >= MIN_CORRELATION else None
