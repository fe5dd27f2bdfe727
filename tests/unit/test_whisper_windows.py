"""How a batch's audio is laid out in Whisper windows, and how heard words find their items."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from clipnet.adapters.whisper_local import (
    SAMPLE_RATE,
    Piece,
    PieceFinder,
    Window,
    joined_audio,
    lay_out,
)

LIMIT = 29 * SAMPLE_RATE
GAP = SAMPLE_RATE


LENGTHS = st.one_of(
    st.integers(1, 4 * SAMPLE_RATE),  # short items, several to a window
    st.integers(LIMIT - 4 * SAMPLE_RATE, LIMIT),  # ones that nearly fill a window alone
)


@st.composite
def batches(draw: st.DrawFn) -> list[list[Piece]]:
    """Items as :func:`item_pieces` cuts them: one piece when short, several when long."""
    items = []
    for index in range(draw(st.integers(1, 12))):
        lengths = draw(st.lists(LENGTHS, min_size=1, max_size=3))
        source, pieces = draw(st.integers(0, SAMPLE_RATE)), []
        for length in lengths:
            pieces.append(Piece(index, source, length))
            source += length
        items.append(pieces)
    return items


def _placed(windows: list[Window]) -> list[Piece]:
    return [p for w in windows for p in w.pieces]


@given(batches(), st.booleans())
def test_every_piece_is_placed_once_in_order_a_gap_after_the_one_before(
    items: list[list[Piece]], pack: bool
) -> None:
    placed = _placed(lay_out(items, pack=pack, limit=LIMIT, gap=GAP))

    assert [(p.item, p.source, p.length) for p in placed] == [
        (p.item, p.source, p.length) for pieces in items for p in pieces
    ]
    assert placed[0].at == 0
    assert all(b.at == a.end + GAP for a, b in itertools.pairwise(placed))


@given(batches(), st.booleans())
def test_no_window_is_longer_than_the_limit(items: list[list[Piece]], pack: bool) -> None:
    for window in lay_out(items, pack=pack, limit=LIMIT, gap=GAP):
        assert window.end - window.start <= LIMIT


@given(batches())
def test_without_packing_every_piece_has_a_window_of_its_own(items: list[list[Piece]]) -> None:
    windows = lay_out(items, pack=False, limit=LIMIT, gap=GAP)

    assert all(len(w.pieces) == 1 for w in windows)


@given(batches())
def test_packing_shares_windows_only_among_short_items_and_fills_them(
    items: list[list[Piece]],
) -> None:
    windows = lay_out(items, pack=True, limit=LIMIT, gap=GAP)
    long_items = {pieces[0].item for pieces in items if len(pieces) > 1}

    for window in windows:
        if len(window.pieces) > 1:
            assert not {p.item for p in window.pieces} & long_items
    for this, following in itertools.pairwise(windows):
        first = following.pieces[0]
        if {this.pieces[-1].item, first.item}.isdisjoint(long_items):
            # the next item went to a new window because it did not fit in this one
            assert (this.end - this.start) + GAP + first.length > LIMIT


def test_many_short_items_share_few_windows() -> None:
    items = [[Piece(i, 0, 2 * SAMPLE_RATE)] for i in range(24)]  # 2 s each

    windows = lay_out(items, pack=True, limit=LIMIT, gap=GAP)

    assert [len(w.pieces) for w in windows] == [10, 10, 4]  # 10 x 2 s + 9 x 1 s gap = 29 s


@given(batches(), st.booleans(), st.data())
def test_a_moment_inside_a_piece_belongs_to_that_piece(
    items: list[list[Piece]], pack: bool, data: st.DataObject
) -> None:
    windows = lay_out(items, pack=pack, limit=LIMIT, gap=GAP)
    piece = data.draw(st.sampled_from(_placed(windows)))
    moment = data.draw(st.integers(piece.at, piece.end)) / SAMPLE_RATE

    assert PieceFinder(windows).nearest(moment) == piece


def test_a_moment_in_a_gap_or_outside_belongs_to_the_nearest_piece() -> None:
    a, b = Piece(0, 0, SAMPLE_RATE, at=0), Piece(1, 0, SAMPLE_RATE, at=2 * SAMPLE_RATE)
    find = PieceFinder([Window((a, b))])

    assert find.nearest(1.2) == a
    assert find.nearest(1.8) == b
    assert find.nearest(-0.5) == a
    assert find.nearest(9.0) == b


def test_the_joined_audio_holds_each_piece_where_it_was_placed_and_silence_between() -> None:
    first = np.arange(1, 11, dtype=np.float32)
    second = -np.arange(1, 6, dtype=np.float32)
    windows = lay_out([[Piece(0, 2, 8)], [Piece(1, 0, 5)]], pack=True, limit=100, gap=3)

    joined = joined_audio(windows, {0: first, 1: second})

    assert joined.tolist() == [*first[2:].tolist(), 0, 0, 0, *second.tolist()]
