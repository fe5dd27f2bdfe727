"""How well picked clips match labelled highlights: hit@1, recall@3, IoU, false-clip rate.

Pure: spans in, numbers in [0, 1] out. Per source, ``picks`` are the picker's clips best
first and ``labels`` the true highlights (in any order: no metric depends on it). A pick
"hits" a label when the two share any instant (:meth:`TimeSpan.overlaps`).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from clipnet.domain.shared.spans import TimeSpan

#: recall@K looks at this many of the best picks.
RECALL_AT = 3


def iou(a: TimeSpan, b: TimeSpan) -> float:
    """Intersection over union of two spans: 1 for the same span, 0 when they do not overlap."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    if shared <= 0:
        return 0.0
    return shared / (a.duration + b.duration - shared)


def hits_any(pick: TimeSpan, labels: Sequence[TimeSpan]) -> bool:
    return any(pick.overlaps(label) for label in labels)


def hit_at_1(picks: Sequence[TimeSpan], labels: Sequence[TimeSpan]) -> float:
    """1 when the best pick overlaps a labelled highlight, else 0 (also when nothing was picked)."""
    return 1.0 if picks and hits_any(picks[0], labels) else 0.0


def recall_at(
    picks: Sequence[TimeSpan], labels: Sequence[TimeSpan], k: int = RECALL_AT
) -> float | None:
    """The share of labels overlapped by any of the best ``k`` picks; None without labels."""
    if not labels:
        return None
    best = picks[:k]
    return sum(1 for label in labels if hits_any(label, best)) / len(labels)


def top_iou(picks: Sequence[TimeSpan], labels: Sequence[TimeSpan]) -> float:
    """IoU of the best pick with the label it matches best (0 without picks or labels)."""
    if not picks:
        return 0.0
    return max((iou(picks[0], label) for label in labels), default=0.0)


def false_clips(picks: Sequence[TimeSpan], labels: Sequence[TimeSpan]) -> int:
    """How many picks overlap no labelled highlight."""
    return sum(1 for pick in picks if not hits_any(pick, labels))


def false_clip_rate(picks: Sequence[TimeSpan], labels: Sequence[TimeSpan]) -> float:
    """The share of picks that overlap no labelled highlight (0 when nothing was picked)."""
    return false_clips(picks, labels) / len(picks) if picks else 0.0


@attrs.frozen
class Scores:
    """The four figures over a set of sources."""

    hit_at_1: float
    """Mean over sources."""
    recall_at_3: float
    """Mean over sources with at least one label."""
    mean_iou: float
    """Mean over sources of the best pick's IoU with its best label."""
    false_clip_rate: float
    """False clips over all clips returned, every source pooled."""
    clips: int
    """Clips returned, all sources."""

    def as_dict(self) -> dict[str, float]:
        return {
            "hit@1": self.hit_at_1,
            "recall@3": self.recall_at_3,
            "mean_iou": self.mean_iou,
            "false_clip_rate": self.false_clip_rate,
        }


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score_set(results: Sequence[tuple[Sequence[TimeSpan], Sequence[TimeSpan]]]) -> Scores:
    """The four figures over ``(picks, labels)`` of every source."""
    recalls = [r for picks, labels in results if (r := recall_at(picks, labels)) is not None]
    clips = sum(len(picks) for picks, _ in results)
    false = sum(false_clips(picks, labels) for picks, labels in results)
    return Scores(
        hit_at_1=_mean([hit_at_1(picks, labels) for picks, labels in results]),
        recall_at_3=_mean(recalls),
        mean_iou=_mean([top_iou(picks, labels) for picks, labels in results]),
        false_clip_rate=false / clips if clips else 0.0,
        clips=clips,
    )
