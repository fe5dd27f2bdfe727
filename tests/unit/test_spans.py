from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan
from tests.strategies import spans


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 5), (10, 4)])
def test_a_negative_empty_or_inverted_span_is_refused(start: float, end: float) -> None:
    with pytest.raises(InvalidInput, match="span"):
        TimeSpan(start, end)


def test_a_span_is_clamped_to_the_source_duration() -> None:
    assert TimeSpan(50, 90).clamp_to(60) == TimeSpan(50, 60)
    assert TimeSpan(10, 20).clamp_to(60) == TimeSpan(10, 20)


def test_a_span_wholly_past_the_end_of_the_source_is_refused() -> None:
    with pytest.raises(InvalidInput, match="outside"):
        TimeSpan(70, 90).clamp_to(60)


def test_the_last_seconds_before_a_moment_never_start_before_zero() -> None:
    assert TimeSpan.ending_at(100, 30) == TimeSpan(70, 100)
    assert TimeSpan.ending_at(10, 30) == TimeSpan(0, 10)


def test_touching_spans_do_not_overlap() -> None:
    assert not TimeSpan(0, 10).overlaps(TimeSpan(10, 20))
    assert TimeSpan(0, 10).overlaps(TimeSpan(9.5, 20))


@given(spans(), st.floats(min_value=1.0, max_value=4000.0))
def test_a_clamped_span_lies_within_the_source(span: TimeSpan, duration: float) -> None:
    try:
        clamped = span.clamp_to(duration)
    except InvalidInput:
        assert span.start >= duration
        return
    assert 0 <= clamped.start < clamped.end <= duration
    assert clamped.start == span.start


@given(spans(), spans())
def test_overlap_is_symmetric(a: TimeSpan, b: TimeSpan) -> None:
    assert a.overlaps(b) == b.overlaps(a)
