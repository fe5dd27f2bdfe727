"""The highlight bench's metrics (bench/highlight_metrics.py): hand-checked cases and
invariants (IoU in [0, 1] and symmetric; no metric depends on the labels' order)."""

from __future__ import annotations

from random import Random

import pytest
from bench.highlight_metrics import (
    false_clip_rate,
    hit_at_1,
    iou,
    recall_at,
    score_set,
    top_iou,
)
from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.shared.spans import TimeSpan


def span(start: float, end: float) -> TimeSpan:
    return TimeSpan(start, end)


@st.composite
def spans(draw: st.DrawFn) -> TimeSpan:
    start = draw(st.floats(min_value=0, max_value=300, allow_nan=False))
    length = draw(st.floats(min_value=0.5, max_value=60, allow_nan=False))
    return TimeSpan(start, start + length)


span_lists = st.lists(spans(), max_size=6)

# -- hand-checked ------------------------------------------------------------------------------


def test_iou_of_a_span_with_itself_is_one_and_with_a_distant_one_zero() -> None:
    assert iou(span(10, 20), span(10, 20)) == 1.0
    assert iou(span(10, 20), span(30, 40)) == 0.0
    assert iou(span(10, 20), span(20, 30)) == 0.0  # touching ends share no instant


def test_iou_of_half_overlapping_spans() -> None:
    # 10-20 and 15-25: 5 s shared of 15 s covered
    assert iou(span(10, 20), span(15, 25)) == pytest.approx(1 / 3)
    # a 5 s span inside a 20 s one
    assert iou(span(0, 20), span(5, 10)) == pytest.approx(0.25)


def test_hit_at_1_looks_at_the_best_pick_only() -> None:
    labels = [span(50, 70)]
    assert hit_at_1([span(55, 65), span(0, 10)], labels) == 1.0
    assert hit_at_1([span(0, 10), span(55, 65)], labels) == 0.0
    assert hit_at_1([], labels) == 0.0


def test_recall_counts_labels_overlapped_by_any_of_the_top_three() -> None:
    labels = [span(10, 20), span(50, 60), span(100, 110), span(150, 160)]
    picks = [span(15, 30), span(0, 5), span(95, 105), span(150, 160)]  # the 4th is not looked at
    assert recall_at(picks, labels) == 0.5
    assert recall_at(picks, labels, k=4) == 0.75
    assert recall_at(picks, []) is None


def test_top_iou_is_the_best_picks_best_match() -> None:
    labels = [span(0, 10), span(20, 30)]
    assert top_iou([span(20, 30), span(0, 10)], labels) == 1.0
    assert top_iou([span(25, 35)], labels) == pytest.approx(5 / 15)
    assert top_iou([], labels) == 0.0


def test_false_clip_rate_is_the_share_of_picks_overlapping_no_label() -> None:
    labels = [span(10, 20)]
    assert false_clip_rate([span(12, 18), span(40, 50), span(60, 70), span(5, 11)], labels) == 0.5
    assert false_clip_rate([], labels) == 0.0


def test_a_set_pools_false_clips_and_averages_the_rest_per_source() -> None:
    scores = score_set(
        [
            ([span(10, 20), span(40, 50)], [span(10, 20)]),  # hit, 1 of 2 false, IoU 1
            ([span(0, 5)], [span(30, 40), span(60, 70)]),  # miss, 1 of 1 false, recall 0
        ]
    )
    assert (scores.hit_at_1, scores.recall_at_3, scores.mean_iou) == (0.5, 0.5, 0.5)
    assert scores.false_clip_rate == pytest.approx(2 / 3)
    assert scores.clips == 3


# -- invariants --------------------------------------------------------------------------------


@given(spans(), spans())
def test_iou_lies_in_zero_to_one_and_is_symmetric(a: TimeSpan, b: TimeSpan) -> None:
    assert 0.0 <= iou(a, b) <= 1.0
    assert iou(a, b) == pytest.approx(iou(b, a))
    assert (iou(a, b) > 0) == a.overlaps(b)


@given(span_lists, span_lists, st.randoms(use_true_random=False))
def test_no_metric_depends_on_the_order_of_the_labels(
    picks: list[TimeSpan], labels: list[TimeSpan], random: Random
) -> None:
    shuffled = list(labels)
    random.shuffle(shuffled)
    assert hit_at_1(picks, labels) == hit_at_1(picks, shuffled)
    assert recall_at(picks, labels) == recall_at(picks, shuffled)
    assert top_iou(picks, labels) == top_iou(picks, shuffled)
    assert false_clip_rate(picks, labels) == false_clip_rate(picks, shuffled)


@given(st.lists(st.tuples(span_lists, span_lists), max_size=5))
def test_every_figure_of_a_set_lies_in_zero_to_one(
    results: list[tuple[list[TimeSpan], list[TimeSpan]]],
) -> None:
    figures = score_set(results).as_dict()
    assert set(figures) == {"hit@1", "recall@3", "mean_iou", "false_clip_rate"}
    assert all(0.0 <= value <= 1.0 for value in figures.values())
