"""Login sessions and one-time nonces in Redis, shared by every API replica.

Keys (under the environment's namespace), each expiring with its session's refresh token:
``session:<id>`` (a JSON record), ``session-token:<hash>`` -> id (the current refresh token),
``session-spent:<hash>`` -> id (a rotated-away one), ``user-sessions:<user id>`` (a set of
ids); and ``nonce:<value>``, which expires when the nonce could no longer be presented.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import attrs
from redis.exceptions import WatchError

from clipnet.adapters.redis_outages import unavailable_as
from clipnet.adapters.redis_values import text
from clipnet.ports.accounts import Session
from clipnet.ports.clock import Clock

#: Every public method: a Redis that cannot be reached raises ServiceUnavailable("session
#: store"), which the API answers with 503 (no login can be checked without the store).
_guarded = unavailable_as("session store")


class RedisSessionStore:
    def __init__(self, client: Any, namespace: str) -> None:
        self._redis = client
        self._ns = namespace

    def _key(self, *parts: str) -> str:
        return ":".join([self._ns, *parts])

    @_guarded
    def put(self, session: Session) -> None:
        ttl = _ttl(session)
        old = self.get(session.id)
        pipe = self._redis.pipeline()
        if old is not None and old.token_hash != session.token_hash:
            pipe.delete(self._key("session-token", old.token_hash))
        pipe.set(self._key("session", session.id), _dump(session), ex=ttl)
        pipe.set(self._key("session-token", session.token_hash), session.id, ex=ttl)
        pipe.sadd(self._key("user-sessions", session.user_id), session.id)
        pipe.expire(self._key("user-sessions", session.user_id), ttl)
        pipe.execute()

    @_guarded
    def by_token_hash(self, token_hash: str) -> Session | None:
        session_id = self._redis.get(self._key("session-token", token_hash))
        if session_id is None:
            return None
        session = self.get(text(session_id))
        return session if session is not None and session.token_hash == token_hash else None

    @_guarded
    def rotate(self, session_id: str, spent_hash: str, new_hash: str) -> Session | None:
        key = self._key("session", session_id)
        with self._redis.pipeline() as pipe:
            while True:  # WATCH fails only when the session changed; the re-read then says why
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    session = _load(text(raw)) if raw is not None else None
                    if session is None or session.revoked or session.token_hash != spent_hash:
                        return None
                    rotated = attrs.evolve(session, token_hash=new_hash)
                    ttl = _ttl(rotated)
                    pipe.multi()
                    pipe.set(key, _dump(rotated), ex=ttl)
                    pipe.delete(self._key("session-token", spent_hash))
                    pipe.set(self._key("session-token", new_hash), session_id, ex=ttl)
                    pipe.set(self._key("session-spent", spent_hash), session_id, ex=ttl)
                    pipe.execute()
                    return rotated
                except WatchError:
                    continue

    @_guarded
    def by_spent_token_hash(self, token_hash: str) -> Session | None:
        session_id = self._redis.get(self._key("session-spent", token_hash))
        return self.get(text(session_id)) if session_id is not None else None

    @_guarded
    def get(self, session_id: str) -> Session | None:
        raw = self._redis.get(self._key("session", session_id))
        return _load(text(raw)) if raw is not None else None

    @_guarded
    def revoke_all(self, user_id: str) -> int:
        ids = [text(i) for i in self._redis.smembers(self._key("user-sessions", user_id))]
        count = 0
        for session_id in ids:
            session = self.get(session_id)
            if session is not None and not session.revoked:
                self.put(_revoked(session))
                count += 1
        return count


class RedisNonceStore:
    def __init__(self, client: Any, namespace: str, clock: Clock) -> None:
        self._redis = client
        self._ns = namespace
        self._clock = clock  # the clock ``until`` was computed with

    @_guarded
    def claim(self, nonce: str, until: datetime) -> bool:
        ttl = max(1, int((until - self._clock.now()).total_seconds()) + 1)
        return bool(self._redis.set(f"{self._ns}:nonce:{nonce}", "1", nx=True, ex=ttl))


def _ttl(session: Session) -> int:
    """Seconds until the session's refresh token expires (at least 1, as Redis wants)."""
    return max(1, int((session.expires_at - datetime.now(UTC)).total_seconds()))


def _revoked(session: Session) -> Session:
    return Session(
        session.id,
        session.user_id,
        session.token_hash,
        session.created_at,
        session.expires_at,
        True,
    )


def _dump(session: Session) -> str:
    return json.dumps(
        {
            "id": session.id,
            "user": session.user_id,
            "hash": session.token_hash,
            "created": session.created_at.isoformat(),
            "expires": session.expires_at.isoformat(),
            "revoked": session.revoked,
        }
    )


def _load(raw: str) -> Session:
    data = json.loads(raw)
    return Session(
        id=data["id"],
        user_id=data["user"],
        token_hash=data["hash"],
        created_at=datetime.fromisoformat(data["created"]),
        expires_at=datetime.fromisoformat(data["expires"]),
        revoked=bool(data["revoked"]),
    )
