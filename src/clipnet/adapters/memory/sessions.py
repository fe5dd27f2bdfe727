"""Login sessions in a dict (tests and the single-process embedded profile)."""

from __future__ import annotations

import threading

import attrs

from clipnet.ports.accounts import Session


class InMemorySessionStore:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def put(self, session: Session) -> None:
        with self._lock:
            self._sessions[session.id] = session

    def by_token_hash(self, token_hash: str) -> Session | None:
        with self._lock:
            return next((s for s in self._sessions.values() if s.token_hash == token_hash), None)

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def revoke_all(self, user_id: str) -> int:
        with self._lock:
            mine = [s for s in self._sessions.values() if s.user_id == user_id]
            for session in mine:
                self._sessions[session.id] = attrs.evolve(session, revoked=True)
            return len(mine)
