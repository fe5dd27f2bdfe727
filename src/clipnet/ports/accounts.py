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
    """A login session: what a refresh token stands for. Only the token's hash is kept.

    A session is one refresh-token family (RFC 9700 §4.14): the login's token and every token
    rotated from it. Revoking the session ends the whole family.
    """

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

    def rotate(self, session_id: str, spent_hash: str, new_hash: str) -> Session | None:
        """Replace the session's current token hash ``spent_hash`` by ``new_hash`` in one step.

        ``spent_hash`` is remembered for :meth:`by_spent_token_hash` as long as the session
        lives. None, and nothing changed, when the session is unknown or revoked, or when its
        current hash is no longer ``spent_hash`` (another refresh with that token won).
        """

    def by_spent_token_hash(self, token_hash: str) -> Session | None:
        """The session one of whose rotated-away refresh tokens hashes to ``token_hash``."""

    def get(self, session_id: str) -> Session | None: ...

    def revoke_all(self, user_id: str) -> int:
        """Revoke every session of the user; how many there were."""


class NonceStore(Protocol):
    """Values that may be used once (an OAuth flow's state), shared by every API replica."""

    def claim(self, nonce: str, until: datetime) -> bool:
        """True the first time ``nonce`` is claimed; False for every later claim before ``until``.

        After ``until`` the store may forget it (the caller refuses a nonce past that anyway).
        """
