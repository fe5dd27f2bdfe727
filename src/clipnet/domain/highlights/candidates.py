"""Candidate segments: where in a source a clip could start and end, and how each looks.

Pure. From a :class:`FeatureTimeline` (raw per-second measurements) this module makes

* normalised per-second signals in [0, 1], each *relative to the source's own baseline*, so a
  steady sound (or a constantly busy picture) is the norm, not excitement;
* candidate spans within the length bounds, snapped to silences and scene cuts so clips do
  not start or end mid-word, and, when a transcript of the source is known, to its sentence
  breaks and pauses, never inside a word;
* a :class:`Segment` per candidate with its features, ready for
  :mod:`clipnet.domain.highlights.scoring`.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import attrs

from clipnet.domain.highlights.chat import CHAT_SERIES
from clipnet.domain.highlights.features import FeatureTimeline, Segment
from clipnet.domain.highlights.scoring import (
    DEFAULT_WEIGHTS,
    RankedSegment,
    Weights,
    score_segment,
)
from clipnet.domain.highlights.selection import DEFAULT_FLOOR, ScoreFloor, choose_moments
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan

#: Loudness this far (LU) above the baseline counts as a full-strength burst.
BURST_FULL_SCALE = 12.0
#: The loudness baseline at a moment is the median of this many seconds before it...
BASELINE_WINDOW = 60
#: ...ending this many seconds before it (so a burst does not raise its own baseline).
BASELINE_GAP = 5
#: Frame difference (fraction of full scale) above the baseline that counts as fast motion.
MOTION_FULL_SCALE = 0.08
#: Scene cuts this often (seconds per cut) or more count as "quick cuts".
CUT_EVERY = 5.0
#: Words per second that count as a lot of talk.
WORDS_FULL_SCALE = 3.0
#: A boundary this close (s) to where a clip would start or end moves it there.
SNAP_TOLERANCE = 3.0
#: Start points are tried this often (s); longer sources are sampled more sparsely.
STRIDE = 1.0
MAX_STARTS = 2400
#: A gap between words this long (s) is a pause: a good place for a clip to start or end.
PAUSE_SECONDS = 0.4
#: A word ending so ends a sentence.
SENTENCE_ENDS = (".", "!", "?", "…")
#: Boundary positions tried on each side when snapping to words (nearest first).
WORD_SNAP_CHOICES = 8


def _check_bounds(instance: LengthBounds, _attribute: object, _value: float) -> None:
    if instance.shortest < 1:
        raise InvalidInput(f"clips must be at least 1 s long (got {instance.shortest:g})")
    if instance.longest < instance.shortest:
        raise InvalidInput(
            f"the longest clip ({instance.longest:g} s) is shorter than the shortest "
            f"({instance.shortest:g} s)"
        )


@attrs.frozen
class LengthBounds:
    """How long an automatic clip may be, in seconds."""

    shortest: float = attrs.field(default=15.0, converter=float)
    longest: float = attrs.field(default=60.0, converter=float, validator=_check_bounds)

    def admits(self, span: TimeSpan) -> bool:
        return self.shortest - 1e-6 <= span.duration <= self.longest + 1e-6

    @property
    def lengths(self) -> tuple[float, ...]:
        """The lengths tried from each start: shortest, middle and longest."""
        middle = (self.shortest + self.longest) / 2
        return tuple(sorted({self.shortest, middle, self.longest}))


DEFAULT_BOUNDS = LengthBounds()


# -- normalised signals ----------------------------------------------------------------------


def _clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


def loudness_bursts(loudness: Sequence[float]) -> list[float]:
    """Per second: how far above its baseline the sound is, 0 (at or below) to 1.

    The baseline is the larger of the whole recording's median and the median of the minute
    before, so a sound that stays loud becomes the new normal instead of a long "highlight".
    """
    if not loudness:
        return []
    overall = statistics.median(loudness)
    bursts = []
    for second, level in enumerate(loudness):
        before = loudness[max(0, second - BASELINE_WINDOW) : max(0, second - BASELINE_GAP)]
        local = statistics.median(before) if len(before) >= BASELINE_GAP else overall
        bursts.append(_clip01((level - max(overall, local)) / BURST_FULL_SCALE))
    return bursts


def motion_levels(motion: Sequence[float]) -> list[float]:
    """Per second: motion above the recording's usual amount, 0 to 1."""
    if not motion:
        return []
    usual = statistics.median(motion)
    return [_clip01((value - usual) / MOTION_FULL_SCALE) for value in motion]


def cut_counts(timeline: FeatureTimeline) -> list[float]:
    counts = [0.0] * timeline.seconds
    for cut in timeline.scene_cuts:
        if 0 <= int(cut) < timeline.seconds:
            counts[int(cut)] += 1
    return counts


def normalise(timeline: FeatureTimeline) -> Mapping[str, tuple[float, ...]]:
    """Per-second signals in [0, 1]: loudness bursts, motion, speech, and cut counts; and
    chat intensity when the source has chat (:mod:`.chat`)."""
    series = timeline.series
    zeros = [0.0] * timeline.seconds
    signals = {
        "loudness": tuple(loudness_bursts(series.get("loudness", zeros))),
        "motion": tuple(motion_levels(series.get("motion", zeros))),
        "speech": tuple(_clip01(v) for v in series.get("speech", zeros)),
        "cuts": tuple(cut_counts(timeline)),
    }
    if CHAT_SERIES in series:
        signals[CHAT_SERIES] = tuple(_clip01(v) for v in series[CHAT_SERIES])
    return MappingProxyType(signals)


# -- features of a span ----------------------------------------------------------------------


def _window(values: Sequence[float], span: TimeSpan) -> Sequence[float]:
    first = max(0, int(span.start))
    last = min(len(values), max(first + 1, math.ceil(span.end)))
    return values[first:last]


def strength(values: Sequence[float]) -> float:
    """Half the mean, half the mean of the strongest third.

    A clip is as good as its best moments (the strongest third), but of two clips with the
    same peak the one with less filler around it wins (the mean).
    """
    if not values:
        return 0.0
    strongest = sorted(values, reverse=True)[: max(1, len(values) // 3)]
    return (sum(values) / len(values) + sum(strongest) / len(strongest)) / 2


def span_features(signals: Mapping[str, Sequence[float]], span: TimeSpan) -> dict[str, float]:
    """Feature name -> value in [0, 1] for one span of the normalised signals."""
    features = {
        name: round(strength(_window(signals.get(name, ()), span)), 4)
        for name in ("loudness", "motion", "speech")
    }
    cuts = sum(_window(signals.get("cuts", ()), span))
    features["scene"] = round(_clip01(cuts * CUT_EVERY / max(span.duration, 1.0)), 4)
    if CHAT_SERIES in signals:  # only a source with chat has the feature (see scoring)
        features[CHAT_SERIES] = round(strength(_window(signals[CHAT_SERIES], span)), 4)
    return features


def transcript_features(transcript: Transcript, span: TimeSpan) -> dict[str, float]:
    """Talk rate and excitement from the clip's words (clip-relative times)."""
    words = [w for w in transcript.words if w.start < span.duration]
    if not words:
        return {"words": 0.0}
    rate = _clip01(len(words) / max(span.duration, 1.0) / WORDS_FULL_SCALE)
    exclaimed = sum(
        1 for w in words if w.text.endswith("!") or (w.text.isupper() and len(w.text) > 1)
    )
    excitement = _clip01(rate * (0.7 + 3 * exclaimed / len(words)))
    return {"words": round(rate, 4), "speech": round(excitement, 4)}


# -- candidate spans -------------------------------------------------------------------------


def _nearest(target: float, options: Sequence[float]) -> float | None:
    close = [o for o in options if abs(o - target) <= SNAP_TOLERANCE]
    return min(close, key=lambda o: (abs(o - target), o)) if close else None


def _boundaries(timeline: FeatureTimeline, duration: float) -> tuple[list[float], list[float]]:
    """Good starts (ends of silences, cuts) and good ends (starts of silences, cuts)."""
    cuts = [c for c in timeline.scene_cuts if 0 <= c <= duration]
    starts = sorted({0.0, *cuts, *(s.end for s in timeline.silences if s.end < duration)})
    ends = sorted({duration, *cuts, *(s.start for s in timeline.silences if s.start > 0)})
    return starts, ends


def _span_from(
    start: float, length: float, ends: Sequence[float], bounds: LengthBounds, duration: float
) -> TimeSpan | None:
    wanted_end = min(start + length, duration)
    admissible = [e for e in ends if bounds.shortest <= e - start <= bounds.longest]
    end = _nearest(wanted_end, admissible)
    if end is None:
        end = wanted_end
    end = min(round(end, 3), duration)  # rounded for readable times, never past the end
    start = round(start, 3)
    if end <= start:
        return None
    span = TimeSpan(start, end)
    return span if bounds.admits(span) else None


def candidate_spans(
    timeline: FeatureTimeline,
    bounds: LengthBounds = DEFAULT_BOUNDS,
    *,
    duration: float | None = None,
    overlapping: bool = True,
    transcript: Transcript | None = None,
) -> list[TimeSpan]:
    """Spans within ``bounds`` and inside the source, snapped to silences and cuts, and to
    the words of ``transcript`` (source times) when there is one.

    With ``overlapping`` every start point is tried with several lengths (for ranking);
    without, the source is tiled left to right by spans that never overlap.
    """
    total = float(timeline.seconds if duration is None else min(duration, timeline.seconds))
    if total < bounds.shortest:
        return []
    spans = _spans_of(timeline, bounds, total, overlapping)
    if transcript is None or transcript.is_empty:
        return spans
    words = WordBoundaries(transcript.words, total)
    snapped = (words.snap(span, bounds) for span in spans)
    found = sorted({span for span in snapped if span is not None})
    return found if overlapping else _without_overlaps(found)


def _spans_of(
    timeline: FeatureTimeline, bounds: LengthBounds, total: float, overlapping: bool
) -> list[TimeSpan]:
    starts, ends = _boundaries(timeline, total)
    if not overlapping:
        return _tiles(starts, ends, bounds, total)
    stride = max(STRIDE, (total - bounds.shortest) / MAX_STARTS)
    found: set[TimeSpan] = set()
    position = 0.0
    while position <= total - bounds.shortest:
        start = _nearest(position, starts)
        start = position if start is None else start
        for length in bounds.lengths:
            span = _span_from(start, length, ends, bounds, total)
            if span is not None:
                found.add(span)
        position += stride
    return sorted(found)


def _tiles(
    starts: Sequence[float], ends: Sequence[float], bounds: LengthBounds, total: float
) -> list[TimeSpan]:
    middle = bounds.lengths[len(bounds.lengths) // 2]
    tiles: list[TimeSpan] = []
    cursor = 0.0
    while cursor <= total - bounds.shortest:
        snapped = _nearest(cursor, [s for s in starts if s >= cursor])
        start = cursor if snapped is None else snapped
        span = _span_from(start, middle, ends, bounds, total)
        if span is None:
            break
        tiles.append(span)
        cursor = span.end
    return tiles


def _without_overlaps(spans: Sequence[TimeSpan]) -> list[TimeSpan]:
    kept: list[TimeSpan] = []
    for span in spans:
        if not kept or not kept[-1].overlaps(span):
            kept.append(span)
    return kept


# -- word boundaries -------------------------------------------------------------------------


def snap_to_words(
    span: TimeSpan, words: Sequence[Word], bounds: LengthBounds, duration: float
) -> TimeSpan | None:
    """``span`` moved so that neither end falls inside a word (see :class:`WordBoundaries`)."""
    return WordBoundaries(words, duration).snap(span, bounds)


class WordBoundaries:
    """Where a clip may start or end in speech: the gaps between words, each marked good when
    it is a sentence break or a pause (and before the first word and after the last)."""

    def __init__(self, words: Sequence[Word], duration: float) -> None:
        ordered = sorted(words, key=lambda w: (w.start, w.end))
        self._starts = [w.start for w in ordered]
        self._reach: list[float] = []  # the latest end of the words up to each one
        self._gaps: list[tuple[float, float, bool]] = []
        previous_end, previous_text = 0.0, ""
        for word in ordered:
            breaks = not previous_text or previous_text.endswith(SENTENCE_ENDS)
            good = breaks or word.start - previous_end >= PAUSE_SECONDS
            self._gaps.append((previous_end, max(previous_end, word.start), good))
            previous_end, previous_text = max(previous_end, word.end), word.text
            self._reach.append(previous_end)
        self._gaps.append((previous_end, max(previous_end, duration), True))
        self._gap_ends = [high for _, high, _ in self._gaps]
        self.duration = duration

    def snap(self, span: TimeSpan, bounds: LengthBounds) -> TimeSpan | None:
        """``span`` with each end at a good gap within :data:`SNAP_TOLERANCE` when there is
        one, else at the nearest gap; None when no such span fits ``bounds`` in the source."""
        if not self._starts:
            return span
        pairs = [
            (s_rank + e_rank, s_moved + e_moved, start, end)
            for (s_rank, s_moved), start in self._positions(span.start)
            for (e_rank, e_moved), end in self._positions(span.end)
            if 0 <= start < end <= self.duration and bounds.admits(TimeSpan(start, end))
        ]
        if not pairs:
            return None
        *_, start, end = min(pairs)
        return TimeSpan(start, end)

    def inside_a_word(self, point: float) -> bool:
        """Whether ``point`` lies strictly inside some word."""
        before = bisect.bisect_left(self._starts, point)  # words starting before the point
        return before > 0 and self._reach[before - 1] > point

    def _positions(self, target: float) -> list[tuple[tuple[int, float], float]]:
        """Points a boundary near ``target`` may move to, cheapest first: (good gap within
        reach or not, how far it moves), the point."""
        reach = SNAP_TOLERANCE
        while True:
            points = self._points_near(target, reach)
            if points or reach > self.duration:
                return points[: WORD_SNAP_CHOICES * 2]
            reach *= 4  # a long word, or words over each other: look further

    def _points_near(self, target: float, reach: float) -> list[tuple[tuple[int, float], float]]:
        first = bisect.bisect_left(self._gap_ends, target - reach)
        points = []
        for low, high, good in self._gaps[first:]:
            if low > target + reach:
                break
            for exact in {min(max(target, low), high), low, high}:
                point = self._readable(exact)
                if point is None:
                    continue
                moved = abs(point - target)
                rank = 0 if good and moved <= SNAP_TOLERANCE else 1
                points.append(((rank, moved), point))
        points.sort()
        return points

    def _readable(self, point: float) -> float | None:
        """The point rounded to a millisecond (or as it is, if rounding would move it into a
        word); None when it lies inside a word (words may overlap)."""
        for candidate in (round(point, 3), point):
            if not self.inside_a_word(candidate):
                return candidate
        return None


def candidate_segments(
    timeline: FeatureTimeline,
    bounds: LengthBounds = DEFAULT_BOUNDS,
    *,
    duration: float | None = None,
    overlapping: bool = True,
    transcript: Transcript | None = None,
) -> list[Segment]:
    """A segment with features for every candidate span."""
    signals = normalise(timeline)
    spans = candidate_spans(
        timeline, bounds, duration=duration, overlapping=overlapping, transcript=transcript
    )
    return [Segment(span, span_features(signals, span)) for span in spans]


def find_highlights(
    timeline: FeatureTimeline,
    count: int,
    bounds: LengthBounds = DEFAULT_BOUNDS,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    duration: float | None = None,
    floor: ScoreFloor = DEFAULT_FLOOR,
    transcript: Transcript | None = None,
) -> list[RankedSegment]:
    """At most ``count`` non-overlapping clips that clear the source's score floor, one per
    moment (see :mod:`.selection`), best first."""
    segments = candidate_segments(timeline, bounds, duration=duration, transcript=transcript)
    signals = normalise(timeline)
    return choose_moments(
        segments,
        count,
        weights,
        features=lambda span: span_features(signals, span),
        longest=bounds.longest,
        floor=floor,
    )


def score_curve(
    timeline: FeatureTimeline, weights: Weights = DEFAULT_WEIGHTS, around: int = 5
) -> list[float]:
    """Per second, the score (0-100) of the ``around`` seconds centred on it: the curve a
    person reads to see why moments were picked."""
    signals = normalise(timeline)
    curve = []
    for second in range(timeline.seconds):
        start = max(0, second - around // 2)
        span = TimeSpan(start, min(timeline.seconds, start + around))
        curve.append(
            round(score_segment(Segment(span, span_features(signals, span)), weights).total, 2)
        )
    return curve
