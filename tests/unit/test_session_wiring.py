"""The container keeps sessions and rate limits where their own settings say, not the queue's."""

from __future__ import annotations

import pytest

from clipnet.adapters.memory.rate_limits import InMemoryRateLimiter
from clipnet.adapters.memory.sessions import InMemoryNonceStore, InMemorySessionStore
from clipnet.adapters.redis_rate_limits import RedisRateLimiter
from clipnet.adapters.redis_sessions import RedisNonceStore, RedisSessionStore
from clipnet.container import Container
from clipnet.settings import load_settings

STAGING = {
    "CLIPNET_PROFILE": "staging",
    "CLIPNET_DATABASE_URL": "memory://",
    "CLIPNET_SECRET_KEYS": "x" * 43 + "=",  # a well-formed Fernet key
    "CLIPNET_CLOUDINARY_URL": "cloudinary://key:secret@demo",
}


def container(**env: str) -> Container:
    return Container(settings=load_settings(env))


@pytest.mark.parametrize(
    ("env", "sessions", "limiter"),
    [
        ({}, InMemorySessionStore, InMemoryRateLimiter),
        ({"CLIPNET_QUEUE": "memory"}, InMemorySessionStore, InMemoryRateLimiter),
        (STAGING, RedisSessionStore, RedisRateLimiter),
        # The queue no longer decides: Dramatiq jobs with in-memory sessions, and back.
        ({**STAGING, "CLIPNET_SESSIONS": "memory"}, InMemorySessionStore, RedisRateLimiter),
        ({"CLIPNET_QUEUE": "dramatiq"}, InMemorySessionStore, InMemoryRateLimiter),
        ({"CLIPNET_RATE_LIMITS": "redis"}, InMemorySessionStore, RedisRateLimiter),
    ],
)
def test_the_container_picks_the_session_store_and_rate_limiter_by_their_settings(
    env: dict[str, str], sessions: type, limiter: type
) -> None:
    built = container(**env)
    assert isinstance(built.sessions(), sessions)
    assert isinstance(built.rate_limiter(), limiter)


def test_redis_sessions_use_their_own_redis_when_given_one() -> None:
    shared = container(**STAGING, CLIPNET_REDIS_URL="redis://queue.internal:6379/0")
    own = container(**STAGING, CLIPNET_SESSIONS_REDIS_URL="redis://sessions.internal:6380/2")

    def host_of(built: Container) -> tuple[str, int, int]:
        kwargs = built.sessions_redis().connection_pool.connection_kwargs
        return kwargs["host"], kwargs["port"], kwargs["db"]

    assert host_of(shared) == ("queue.internal", 6379, 0)
    assert host_of(own) == ("sessions.internal", 6380, 2)
    assert built_limiter_client(own) is own.sessions_redis()


def built_limiter_client(built: Container) -> object:
    limiter = built.rate_limiter()
    assert isinstance(limiter, RedisRateLimiter)
    return limiter._redis


@pytest.mark.parametrize(
    ("env", "nonces"),
    [
        ({}, InMemoryNonceStore),
        (STAGING, RedisNonceStore),
        ({"CLIPNET_SESSIONS": "redis"}, RedisNonceStore),
    ],
)
def test_oauth_states_are_spent_where_the_sessions_live(env: dict[str, str], nonces: type) -> None:
    built = container(**env)
    assert isinstance(built.nonces(), nonces)
