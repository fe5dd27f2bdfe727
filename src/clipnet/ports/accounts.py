"""What signing up, logging in and staying logged in need from the outside world."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs

from clipnet.domain.shared.access import Role


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str:
        """A salted, slow hash of ``password`` (self-describing, e.g. an argon2 string)."""

    def verify(self, hashed: str, password: str) -> bool:
        """True when ``password`` matches ``hashed``; False (never an exception) otherwise."""

    def needs_rehash(self, hashed: str) -> bool:
        """True when ``hashed`` was made with weaker parameters than the current ones."""


@attrs.frozen
class AccessClaims:
    """What a valid access token says about its bearer."""

    user_id: str
    role: Role
    session_id: str
    """The login session the token was issued under (logout revokes it)."""
    expires_at: datetime


class AccessTokenCodec(Protocol):
    def issue(self, claims: AccessClaims) -> str:
        """A signed, opaque token carrying ``claims``."""

    def read(self, token: str, now: datetime) -> AccessClaims | None:
        """The claims of a genuine, unexpired token; None for anything else."""


@attrs.frozen
class Session:
    """A login session: what a refresh token stands for. Only the token's hash is kept."""

    id: str
    user_id: str
    token_hash: str
    """SHA-256 of the current refresh token (hex); rotating the token replaces it."""
    created_at: datetime
    expires_at: datetime
    revoked: bool = False


class SessionStore(Protocol):
    """Login sessions, kept outside the clip database so they can live in Redis."""

    def put(self, session: Session) -> None:
        """Insert or replace the session with this id."""

    def by_token_hash(self, token_hash: str) -> Session | None:
        """The session whose current refresh token hashes to ``token_hash``, if any."""

    def get(self, session_id: str) -> Session | None: ...

    def revoke_all(self, user_id: str) -> int:
        """Revoke every session of the user; how many there were."""
