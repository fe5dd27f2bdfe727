"""The outbound HTTP kit: backoff, Retry-After, the bounded memo, strict JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.adapters.http_resilience import (
    Backoff,
    BoundedMemo,
    json_body,
    json_object,
    retry_after,
    retry_after_seconds,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def at_now() -> float:
    return NOW.timestamp()


policies = st.builds(
    Backoff,
    retries=st.integers(0, 10),
    base=st.floats(0, 100, allow_nan=False),
    cap=st.floats(0, 1000, allow_nan=False),
    max_wait=st.floats(0, 1000, allow_nan=False),
    jitter=st.floats(0, 1),
)
draws = st.floats(0, 1, exclude_max=True)


# -- backoff ------------------------------------------------------------------------------------


@given(policies, st.integers(1, 5000), draws)
def test_a_delay_is_never_negative_nor_above_the_cap(
    policy: Backoff, attempt: int, drawn: float
) -> None:
    assert 0.0 <= policy.delay(attempt, lambda: drawn) <= policy.cap


@given(policies, st.integers(1, 5000))
def test_the_delay_before_jitter_grows_with_the_attempt_up_to_the_cap(
    policy: Backoff, attempt: int
) -> None:
    assert policy.ceiling(attempt) <= policy.ceiling(attempt + 1) <= policy.cap


@given(policies, st.integers(1, 50), draws)
def test_jitter_keeps_the_delay_within_its_share_of_the_ceiling(
    policy: Backoff, attempt: int, drawn: float
) -> None:
    ceiling = policy.ceiling(attempt)
    delay = policy.delay(attempt, lambda: drawn)
    assert ceiling * (1 - policy.jitter) - 1e-9 <= delay <= ceiling + 1e-9


def test_full_jitter_scales_an_exponential_ceiling() -> None:
    policy = Backoff(base=1.0, cap=5.0)
    assert [policy.delay(n, lambda: 0.5) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 2.5]


def test_no_jitter_is_the_ceiling_itself() -> None:
    policy = Backoff(base=0.5, cap=0.5, jitter=0.0)
    assert [policy.delay(n, lambda: 0.9) for n in (1, 2, 3)] == [0.5, 0.5, 0.5]


def test_a_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(retries=-1)
    with pytest.raises(ValueError):
        Backoff(jitter=1.5)


# -- Retry-After --------------------------------------------------------------------------------


@given(st.integers(0, 10**9))
def test_retry_after_reads_integer_seconds(seconds: int) -> None:
    assert retry_after_seconds(str(seconds), at_now) == float(seconds)


@given(st.integers(1, 10**7))
def test_retry_after_reads_an_http_date_in_the_future(seconds: int) -> None:
    header = format_datetime(NOW + timedelta(seconds=seconds), usegmt=True)
    assert retry_after_seconds(header, at_now) == pytest.approx(seconds)


@given(st.integers(0, 10**7))
def test_an_http_date_in_the_past_means_now(seconds: int) -> None:
    header = format_datetime(NOW - timedelta(seconds=seconds), usegmt=True)
    assert retry_after_seconds(header, at_now) == 0.0


def test_the_obsolete_date_formats_are_read_too() -> None:
    assert retry_after_seconds("Saturday, 01-Mar-25 12:00:30 GMT", at_now) == 30.0
    assert retry_after_seconds("Sat Mar  1 12:01:00 2025", at_now) == 60.0


@pytest.mark.parametrize("raw", ["", "  ", "soon", "NaN", "12 parsecs", "Mon, 99 Foo 2025"])
def test_unreadable_retry_after_is_none(raw: str) -> None:
    assert retry_after_seconds(raw, at_now) is None


@given(st.text())
def test_any_header_value_is_none_or_seconds_from_now(raw: str) -> None:
    seconds = retry_after_seconds(raw, at_now)
    assert seconds is None or seconds >= 0.0


def test_negative_seconds_mean_now() -> None:
    assert retry_after_seconds("-5", at_now) == 0.0


def test_retry_after_reads_a_response_or_its_headers() -> None:
    response = httpx.Response(429, headers={"Retry-After": "7"})
    assert retry_after(response, at_now) == 7.0
    assert retry_after({"Retry-After": "3"}, at_now) == 3.0
    assert retry_after(httpx.Response(429), at_now) is None


# -- the bounded memo ---------------------------------------------------------------------------

operations = st.lists(
    st.tuples(st.sampled_from(["get", "put"]), st.integers(0, 20), st.integers()), max_size=200
)


@given(st.integers(1, 8), operations)
def test_a_memo_never_exceeds_its_bound_and_forgets_the_least_recently_used(
    size: int, ops: list[tuple[str, int, int]]
) -> None:
    memo: BoundedMemo[int, int] = BoundedMemo(size)
    model: list[tuple[int, int]] = []  # least recently used first
    for op, key, value in ops:
        found = dict(model).get(key)
        if op == "get":
            assert memo.get(key) == found
            if found is not None:
                model = [(k, v) for k, v in model if k != key] + [(key, found)]
        else:
            memo.put(key, value)
            model = [(k, v) for k, v in model if k != key] + [(key, value)]
            model = model[-size:]
        assert len(memo) == len(model) <= size
        assert all(k in memo for k, _ in model)


def test_reading_an_entry_keeps_it_over_an_older_one() -> None:
    memo: BoundedMemo[str, str] = BoundedMemo(2)
    memo.put("a", "1")
    memo.put("b", "2")
    assert memo.get("a") == "1"
    memo.put("c", "3")
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == ("1", None, "3")


def test_a_memo_holds_at_least_one_entry() -> None:
    with pytest.raises(ValueError):
        BoundedMemo(0)


# -- JSON answers -------------------------------------------------------------------------------


class Refused(Exception):
    pass


def test_json_is_decoded() -> None:
    response = httpx.Response(200, json={"id": "1"})
    assert json_object(response, "Acme", Refused) == {"id": "1"}
    assert json_body(httpx.Response(200, json=[1, 2]), "Acme", Refused) == [1, 2]


def test_an_answer_that_is_not_json_names_the_service_and_what_was_asked() -> None:
    response = httpx.Response(200, text="<html>oops</html>")
    with pytest.raises(Refused, match=r"^Acme answered the upload with something that is not "):
        json_body(response, "Acme", Refused, what="the upload")
    with pytest.raises(Refused, match="<html>oops</html>"):
        json_object(response, "Acme", Refused)


def test_an_empty_answer_is_none_only_when_allowed() -> None:
    assert json_body(httpx.Response(204), "Acme", Refused, allow_empty=True) is None
    with pytest.raises(Refused, match="not JSON"):
        json_body(httpx.Response(204), "Acme", Refused)


@pytest.mark.parametrize(
    ("body", "kind"), [(b"[1]", "array"), (b'"x"', "string"), (b"3", "number"), (b"null", "null")]
)
def test_an_object_is_required_when_asked_for(body: bytes, kind: str) -> None:
    with pytest.raises(Refused, match=rf"^Acme answered with a JSON {kind}, not an object$"):
        json_object(httpx.Response(200, content=body), "Acme", Refused)
