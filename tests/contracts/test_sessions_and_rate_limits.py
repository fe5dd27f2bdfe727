"""Contracts of the login-session store, the nonce store and the rate limiter: in memory and
on a real Redis.

Each Redis test works under its own key namespace, deleted afterwards (Redis is shared).
"""

from __future__ import annotations

import itertools
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipnet.adapters.memory.rate_limits import InMemoryRateLimiter
from clipnet.adapters.memory.sessions import InMemoryNonceStore, InMemorySessionStore
from clipnet.adapters.redis_rate_limits import RedisRateLimiter
from clipnet.adapters.redis_sessions import RedisNonceStore, RedisSessionStore
from clipnet.adapters.system import SystemClock
from clipnet.ports.accounts import NonceStore, Session, SessionStore
from clipnet.ports.rate_limits import RateLimiter
from tests.strategies import stored_text

BACKENDS = ["memory", pytest.param("redis", marks=pytest.mark.redis)]
FUNCTION_FIXTURES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest) -> SessionStore:
    if request.param == "memory":
        return InMemorySessionStore()
    client, namespace = request.getfixturevalue("redis_namespace")
    return RedisSessionStore(client, namespace)


@pytest.fixture(params=BACKENDS)
def nonces(request: pytest.FixtureRequest) -> NonceStore:
    if request.param == "memory":
        return InMemoryNonceStore(SystemClock())
    client, namespace = request.getfixturevalue("redis_namespace")
    return RedisNonceStore(client, namespace, SystemClock())


@pytest.fixture(params=BACKENDS)
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    if request.param == "memory":
        return InMemoryRateLimiter()
    client, namespace = request.getfixturevalue("redis_namespace")
    return RedisRateLimiter(client, namespace)


NOW = datetime.now(UTC).replace(microsecond=0)


def a_session(
    session_id: str = "s-1", user_id: str = "u-1", token_hash: str = "hash-1", **changes: object
) -> Session:
    values: dict[str, object] = {
        "id": session_id,
        "user_id": user_id,
        "token_hash": token_hash,
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=30),
        **changes,
    }
    return Session(**values)  # type: ignore[arg-type]


# -- SessionStore --------------------------------------------------------------------------------

future_instants = st.datetimes(
    min_value=datetime(2030, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@FUNCTION_FIXTURES
@given(
    session_id=stored_text,
    user_id=stored_text,
    token_hash=st.text("0123456789abcdef", min_size=64, max_size=64),
    created=st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)),
    expires=future_instants,
    revoked=st.booleans(),
)
def test_a_stored_session_comes_back_as_it_was_put(
    sessions: SessionStore,
    session_id: str,
    user_id: str,
    token_hash: str,
    created: datetime,
    expires: datetime,
    revoked: bool,
) -> None:
    unique = uuid.uuid4().hex  # the store is shared by the examples; real hashes never collide
    session = Session(unique + session_id, user_id, unique + token_hash, created, expires, revoked)
    sessions.put(session)
    assert sessions.get(session.id) == session
    assert sessions.by_token_hash(session.token_hash) == session


def test_an_unknown_session_or_token_hash_finds_nothing(sessions: SessionStore) -> None:
    sessions.put(a_session())
    assert sessions.get("s-unknown") is None
    assert sessions.by_token_hash("hash-unknown") is None


def test_putting_a_session_again_replaces_it(sessions: SessionStore) -> None:
    sessions.put(a_session(token_hash="hash-1"))
    later = a_session(token_hash="hash-1", expires_at=NOW + timedelta(days=60), revoked=True)
    sessions.put(later)
    assert sessions.get("s-1") == later


def test_a_rotated_refresh_token_finds_the_session_only_by_its_new_hash(
    sessions: SessionStore,
) -> None:
    sessions.put(a_session(token_hash="hash-old"))
    rotated = a_session(token_hash="hash-new")
    sessions.put(rotated)
    assert sessions.by_token_hash("hash-new") == rotated
    assert sessions.by_token_hash("hash-old") is None, "the old refresh token must not work"


def test_revoking_a_users_sessions_revokes_all_of_them_and_no_one_elses(
    sessions: SessionStore,
) -> None:
    sessions.put(a_session("s-1", "alice", "h-1"))
    sessions.put(a_session("s-2", "alice", "h-2"))
    bobs = a_session("s-3", "bob", "h-3")
    sessions.put(bobs)

    assert sessions.revoke_all("alice") == 2

    for session_id, token_hash in (("s-1", "h-1"), ("s-2", "h-2")):
        revoked = sessions.get(session_id)
        assert revoked is not None and revoked.revoked
        found = sessions.by_token_hash(token_hash)
        assert found is not None and found.revoked, "a revoked token is known, and revoked"
    assert sessions.get("s-3") == bobs


def test_revoking_the_sessions_of_a_user_without_any_revokes_nothing(
    sessions: SessionStore,
) -> None:
    sessions.put(a_session("s-1", "alice"))
    assert sessions.revoke_all("nobody") == 0
    kept = sessions.get("s-1")
    assert kept is not None and not kept.revoked


# -- SessionStore: rotation and token families (RFC 9700 §4.14) --------------------------------


def test_rotating_replaces_the_current_token_and_remembers_the_spent_one(
    sessions: SessionStore,
) -> None:
    sessions.put(a_session(token_hash="hash-1"))

    rotated = sessions.rotate("s-1", "hash-1", "hash-2")

    assert rotated == a_session(token_hash="hash-2")
    assert sessions.get("s-1") == rotated
    assert sessions.by_token_hash("hash-2") == rotated
    assert sessions.by_token_hash("hash-1") is None, "a spent token is not current"
    assert sessions.by_spent_token_hash("hash-1") == rotated, "but it names its family"
    assert sessions.by_spent_token_hash("hash-2") is None, "the current token is not spent"


@FUNCTION_FIXTURES
@given(rotations=st.integers(min_value=1, max_value=6))
def test_every_token_of_a_rotation_chain_but_the_last_names_the_family(
    sessions: SessionStore, rotations: int
) -> None:
    family = uuid.uuid4().hex
    hashes = [f"{family}-{n}" for n in range(rotations + 1)]
    sessions.put(a_session(family, token_hash=hashes[0]))
    for spent, new in itertools.pairwise(hashes):
        assert sessions.rotate(family, spent, new) is not None
    *spent_hashes, current = hashes
    assert all(sessions.by_spent_token_hash(h) == sessions.get(family) for h in spent_hashes)
    assert [sessions.by_token_hash(h) for h in spent_hashes] == [None] * rotations
    found = sessions.by_token_hash(current)
    assert found is not None and found.token_hash == current


def test_rotating_with_a_token_that_is_no_longer_current_changes_nothing(
    sessions: SessionStore,
) -> None:
    sessions.put(a_session(token_hash="hash-1"))
    winner = sessions.rotate("s-1", "hash-1", "hash-winner")

    assert sessions.rotate("s-1", "hash-1", "hash-loser") is None

    assert sessions.get("s-1") == winner
    assert sessions.by_token_hash("hash-loser") is None
    assert sessions.by_spent_token_hash("hash-loser") is None


def test_concurrent_rotations_with_one_token_let_exactly_one_through(
    sessions: SessionStore,
) -> None:
    sessions.put(a_session(token_hash="hash-1"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: sessions.rotate("s-1", "hash-1", f"new-{n}"), range(16)))
    (winner,) = [r for r in results if r is not None]
    assert sessions.get("s-1") == winner
    assert sessions.by_token_hash(winner.token_hash) == winner


def test_a_revoked_or_unknown_session_is_not_rotated(sessions: SessionStore) -> None:
    revoked = a_session(token_hash="hash-1", revoked=True)
    sessions.put(revoked)
    assert sessions.rotate("s-1", "hash-1", "hash-2") is None
    assert sessions.rotate("s-unknown", "hash-1", "hash-2") is None
    assert sessions.get("s-1") == revoked
    assert sessions.by_token_hash("hash-2") is None


def test_revoking_a_family_shows_through_its_spent_tokens(sessions: SessionStore) -> None:
    sessions.put(a_session(token_hash="hash-1"))
    rotated = sessions.rotate("s-1", "hash-1", "hash-2")
    assert rotated is not None
    sessions.put(attrs.evolve(rotated, revoked=True))
    spent = sessions.by_spent_token_hash("hash-1")
    current = sessions.by_token_hash("hash-2")
    assert spent is not None and spent.revoked
    assert current is not None and current.revoked


# -- NonceStore ---------------------------------------------------------------------------------


def test_a_nonce_is_claimed_once_only(nonces: NonceStore) -> None:
    until = datetime.now(UTC) + timedelta(minutes=10)
    nonce = f"state-{uuid.uuid4().hex}"
    assert [nonces.claim(nonce, until) for _ in range(3)] == [True, False, False]


@FUNCTION_FIXTURES
@given(values=st.lists(stored_text.filter(bool), min_size=2, max_size=4, unique=True))
def test_each_nonce_is_claimed_on_its_own(nonces: NonceStore, values: list[str]) -> None:
    prefix = uuid.uuid4().hex
    until = datetime.now(UTC) + timedelta(minutes=10)
    assert all(nonces.claim(f"{prefix}:{value}", until) for value in values)
    assert not any(nonces.claim(f"{prefix}:{value}", until) for value in values)


def test_concurrent_claims_of_one_nonce_let_exactly_one_through(nonces: NonceStore) -> None:
    until = datetime.now(UTC) + timedelta(minutes=10)
    nonce = f"state-{uuid.uuid4().hex}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: nonces.claim(nonce, until), range(16)))
    assert answers.count(True) == 1


# -- RateLimiter --------------------------------------------------------------------------------

#: A window long enough that no test sees it roll over (its boundary is one instant a day).
DAY = 86_400


def test_requests_up_to_the_limit_pass_and_the_next_is_refused(limiter: RateLimiter) -> None:
    assert [limiter.hit("login:alice", 3, DAY) for _ in range(5)] == [True] * 3 + [False] * 2


@FUNCTION_FIXTURES
@given(limit=st.integers(min_value=1, max_value=6), hits=st.integers(min_value=0, max_value=10))
def test_exactly_the_first_limit_requests_of_a_window_pass(
    limiter: RateLimiter, limit: int, hits: int
) -> None:
    key = f"k-{uuid.uuid4().hex}"
    answers = [limiter.hit(key, limit, DAY) for _ in range(hits)]
    passed = min(hits, limit)
    assert answers == [True] * passed + [False] * (hits - passed)


@FUNCTION_FIXTURES
@given(keys=st.lists(stored_text.filter(bool), min_size=2, max_size=4, unique=True))
def test_each_key_is_counted_on_its_own(limiter: RateLimiter, keys: list[str]) -> None:
    prefix = uuid.uuid4().hex
    for key in keys:
        assert limiter.hit(f"{prefix}:{key}", 1, DAY)
    for key in keys:
        assert not limiter.hit(f"{prefix}:{key}", 1, DAY)


def test_a_new_window_counts_from_zero_again(limiter: RateLimiter) -> None:
    window = 1
    # Start just after a (wall-clock) window boundary, so both hits fall in one window.
    time.sleep(window - time.time() % window + 0.01)
    assert limiter.hit("upload:bob", 1, window)
    assert not limiter.hit("upload:bob", 1, window)
    time.sleep(window + 0.02)  # past the boundary on the wall clock and the monotonic one
    assert limiter.hit("upload:bob", 1, window), "the next window starts a new count"
