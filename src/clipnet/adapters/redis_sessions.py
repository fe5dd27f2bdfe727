"""Login sessions in Redis, shared by every API replica; they expire with their refresh token.

Keys (under the environment's namespace): ``session:<id>`` (a JSON record),
``session-token:<hash>`` -> id, and ``user-sessions:<user id>`` (a set of ids).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from clipnet.ports.accounts import Session


class RedisSessionStore:
    def __init__(self, client: Any, namespace: str) -> None:
        self._redis = client
        self._ns = namespace

    def _key(self, *parts: str) -> str:
        return ":".join([self._ns, *parts])

    def put(self, session: Session) -> None:
        ttl = max(1, int((session.expires_at - datetime.now(UTC)).total_seconds()))
        old = self.get(session.id)
        pipe = self._redis.pipeline()
        if old is not None and old.token_hash != session.token_hash:
            pipe.delete(self._key("session-token", old.token_hash))
        pipe.set(self._key("session", session.id), _dump(session), ex=ttl)
        pipe.set(self._key("session-token", session.token_hash), session.id, ex=ttl)
        pipe.sadd(self._key("user-sessions", session.user_id), session.id)
        pipe.expire(self._key("user-sessions", session.user_id), ttl)
        pipe.execute()

    def by_token_hash(self, token_hash: str) -> Session | None:
        session_id = self._redis.get(self._key("session-token", token_hash))
        if session_id is None:
            return None
        session = self.get(_text(session_id))
        return session if session is not None and session.token_hash == token_hash else None

    def get(self, session_id: str) -> Session | None:
        raw = self._redis.get(self._key("session", session_id))
        return _load(_text(raw)) if raw is not None else None

    def revoke_all(self, user_id: str) -> int:
        ids = [_text(i) for i in self._redis.smembers(self._key("user-sessions", user_id))]
        count = 0
        for session_id in ids:
            session = self.get(session_id)
            if session is not None and not session.revoked:
                self.put(_revoked(session))
                count += 1
        return count


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


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
