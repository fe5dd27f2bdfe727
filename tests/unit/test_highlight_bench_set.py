"""The highlight bench's labelled set and its ablation rows, without media: seeded plans and
chat replays, reading any labels CSV, one row per weighted feature."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.highlight_eval import (
    ALL_FEATURES,
    BenchError,
    Moment,
    ablations,
    picked_by_kind,
    read_decoys,
    read_labels,
)
from bench.highlight_vods import DECOYS, HIGHLIGHTS, chat_replay, plan_set

from clipnet.domain.highlights.scoring import Weights
from clipnet.domain.shared.spans import TimeSpan


def test_a_seed_always_plans_the_same_set_and_another_seed_another() -> None:
    assert plan_set("full", 3) == plan_set("full", 3)
    assert plan_set("full", 3) != plan_set("full", 4)
    assert [chat_replay(p) for p in plan_set("small", 3)] == [
        chat_replay(p) for p in plan_set("small", 3)
    ]


def test_the_small_set_holds_every_kind_of_highlight_and_decoy() -> None:
    plans = plan_set("small", 1)
    kinds = {m.kind for plan in plans for m in plan.moments}
    assert kinds == set(HIGHLIGHTS) | set(DECOYS)
    assert all(120 <= plan.seconds <= 240 for plan in plan_set("full", 1))
    assert len(plan_set("full", 1)) >= 12


def test_moments_never_overlap_and_lie_inside_their_recording() -> None:
    for plan in plan_set("full", 2):
        ends = [0.0] + [m.end for m in plan.moments]
        assert all(m.start > end for m, end in zip(plan.moments, ends, strict=False))
        assert plan.moments[-1].end < plan.seconds


def test_chat_bursts_follow_true_highlights_most_after_the_chat_spike() -> None:
    for plan in plan_set("full", 5):
        replay = chat_replay(plan)
        for moment in plan.moments:
            after = TimeSpan(moment.start + 5, moment.end + 15)
            rate = sum(1 for at, _, _ in replay if after.contains(at)) / after.duration
            if moment.kind == "chat-spike":
                assert rate > 2.0
            elif moment.is_highlight:
                assert rate > 0.8
            else:
                assert rate < 0.8


def test_labels_are_read_from_any_csv_with_source_start_end(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").write_bytes(b"")
    labels = tmp_path / "labels.csv"
    labels.write_text("source,start,end,note\na.mp4,10,20,x\na.mp4,50.5,60,y\n")
    assert read_labels(labels) == {
        (tmp_path / "a.mp4").resolve(): [TimeSpan(10, 20), TimeSpan(50.5, 60)]
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("source,start\na.mp4,1\n", "no end column"),
        ("source,start,end\na.mp4,ten,20\n", "labels.csv:2: start and end must be seconds"),
        ("source,start,end\na.mp4,20,10\n", "labels.csv:2: a label must end after it starts"),
        ("source,start,end\nb.mp4,1,2\n", "b.mp4 does not exist"),
    ],
)
def test_bad_labels_are_refused_with_a_reason(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "a.mp4").write_bytes(b"")
    labels = tmp_path / "labels.csv"
    labels.write_text(text)
    with pytest.raises(BenchError, match=reason):
        read_labels(labels)


def test_the_ablation_switches_off_each_weighted_feature_in_turn_new_ones_included() -> None:
    weights = Weights({"loudness": 1.0, "motion": 1.0, "chat": 1.5, "votes": 0.0})
    rows = dict(ablations(weights))
    assert list(rows) == [ALL_FEATURES, "no chat", "no loudness", "no motion"]
    assert rows["no chat"].values == {"chat": 0.0, "loudness": 1.0, "motion": 1.0, "votes": 0.0}
    assert rows[ALL_FEATURES] == weights


def test_kinds_count_the_moments_a_top_pick_overlaps(tmp_path: Path) -> None:
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    moments = [
        Moment(a, TimeSpan(10, 20), "laughing"),
        Moment(b, TimeSpan(10, 20), "laughing"),
        Moment(a, TimeSpan(50, 60), "clutch"),
    ]
    picks = {a: [TimeSpan(15, 30), TimeSpan(55, 70)], b: [TimeSpan(30, 45)]}
    assert picked_by_kind(moments, picks) == {"clutch": (1, 1), "laughing": (2, 1)}


def test_a_generated_sets_decoys_lie_next_to_its_labels(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").write_bytes(b"")
    labels = tmp_path / "labels.csv"
    labels.write_text("source,start,end,kind\na.mp4,10,20,clutch\n")
    assert read_decoys(labels) == []
    (tmp_path / "decoys.csv").write_text("source,start,end,kind\na.mp4,40,55,loud-ad\n")
    decoy = Moment((tmp_path / "a.mp4").resolve(), TimeSpan(40, 55), "loud-ad")
    assert read_decoys(labels) == [decoy]
