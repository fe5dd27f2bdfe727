"""Login sessions and one-time nonces in dicts (tests and the single-process embedded profile)."""

from __future__ import annotations

import threading
from datetime import datetime

import attrs

from clipnet.ports.accounts import Session
from clipnet.ports.clock import Clock


class InMemorySessionStore:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._spent: dict[str, str] = {}
        """Rotated-away token hash -> its session's id (for reuse detection)."""
        self._lock = threading.Lock()

    def put(self, session: Session) -> None:
        with self._lock:
            self._sessions[session.id] = session

    def by_token_hash(self, token_hash: str) -> Session | None:
        with self._lock:
            return next((s for s in self._sessions.values() if s.token_hash == token_hash), None)

    def rotate(self, session_id: str, spent_hash: str, new_hash: str) -> Session | None:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.revoked or session.token_hash != spent_hash:
                return None
            rotated = attrs.evolve(session, token_hash=new_hash)
            self._sessions[session_id] = rotated
            self._spent[spent_hash] = session_id
            return rotated

    def by_spent_token_hash(self, token_hash: str) -> Session | None:
        with self._lock:
            session_id = self._spent.get(token_hash)
            return self._sessions.get(session_id) if session_id is not None else None

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def revoke_all(self, user_id: str) -> int:
        with self._lock:
            mine = [s for s in self._sessions.values() if s.user_id == user_id]
            for session in mine:
                self._sessions[session.id] = attrs.evolve(session, revoked=True)
            return len(mine)


class InMemoryNonceStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock  # the clock ``until`` was computed with
        self._claimed: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def claim(self, nonce: str, until: datetime) -> bool:
        now = self._clock.now()
        with self._lock:
            # Forget the nonces nobody can present any more, rather than grow forever.
            self._claimed = {n: u for n, u in self._claimed.items() if u > now}
            if nonce in self._claimed:
                return False
            self._claimed[nonce] = until
            return True
