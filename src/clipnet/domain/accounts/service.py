"""Signing up, logging in, refreshing and revoking sessions, and profiles.

Access tokens are short-lived and stateless (signed claims); refresh tokens are random,
stored only as a hash in a session, and rotated on every use. Logging out revokes the
session, so its refresh token stops working at once and its access tokens expire soon after.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

import attrs

from clipnet.domain.accounts.model import User
from clipnet.domain.shared.access import Actor, Role, Unauthenticated
from clipnet.domain.shared.errors import DomainError, InvalidInput
from clipnet.ports.accounts import (
    AccessClaims,
    AccessTokenCodec,
    PasswordHasher,
    Session,
    SessionStore,
)
from clipnet.ports.clock import Clock
from clipnet.ports.ids import IdGenerator
from clipnet.ports.rate_limits import RateLimiter
from clipnet.ports.repositories import UnitOfWorkFactory

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{1,63}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
MAX_DISPLAY_NAME = 100


class TooManyAttempts(DomainError):
    """Too many requests of one kind from one client or for one account; wait and retry."""

    kind = "too-many-requests"


@attrs.frozen
class AttemptLimit:
    """How many login attempts one account may see per window."""

    limit: int = 20
    window_seconds: int = 60


class EmailTaken(DomainError):
    """Sign-up with an email that already has an account."""

    kind = "email-taken"


@attrs.frozen
class TokenPair:
    """What a successful login or refresh hands the client."""

    access_token: str
    refresh_token: str
    expires_in: int
    """Seconds the access token is valid for."""
    user: User


@attrs.frozen
class TokenPolicy:
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_email(email: str) -> str:
    email = email.strip()
    if not _EMAIL.match(email):
        raise InvalidInput("email must look like name@example.com")
    return email


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"a password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def check_display_name(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_DISPLAY_NAME:
        raise InvalidInput(f"a display name can be at most {MAX_DISPLAY_NAME} characters")
    return name


class AccountService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        tokens: AccessTokenCodec,
        sessions: SessionStore,
        clock: Clock,
        ids: IdGenerator,
        policy: TokenPolicy = TokenPolicy(),
        limiter: RateLimiter | None = None,
        attempts: AttemptLimit = AttemptLimit(),
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._sessions = sessions
        self._clock = clock
        self._ids = ids
        self._policy = policy
        self._limiter = limiter
        self._attempts = attempts
        # Compared against when the email is unknown, so both paths cost one verify.
        self._decoy = hasher.hash(secrets.token_urlsafe(16))

    # -- accounts ------------------------------------------------------------------------------

    def sign_up(
        self, email: str, password: str, display_name: str = "", role: Role = Role.USER
    ) -> User:
        user = User(
            id=self._ids.new_id(),
            email=check_email(email),
            created_at=self._clock.now(),
            display_name=check_display_name(display_name),
            password_hash=self._hasher.hash(check_password(password)),
            role=role,
        )
        with self._uow() as uow:
            if uow.users.find_by_email(user.email) is not None:
                raise EmailTaken(f"an account with email {user.email!r} already exists")
            uow.users.add(user)
            uow.commit()
        return user

    def profile(self, actor: Actor) -> User:
        with self._uow() as uow:
            return uow.users.get(actor.user_id)

    def update_profile(
        self, actor: Actor, *, display_name: str | None = None, password: str | None = None
    ) -> User:
        """Change the name and/or password; a new password logs out every session."""
        new_hash = self._hasher.hash(check_password(password)) if password is not None else None
        with self._uow() as uow:
            user = uow.users.get(actor.user_id)
            if display_name is not None:
                user.display_name = check_display_name(display_name)
            if new_hash is not None:
                user.password_hash = new_hash
            uow.users.update(user)
            uow.commit()
        if new_hash is not None:
            self._sessions.revoke_all(actor.user_id)
        return user

    # -- sessions ------------------------------------------------------------------------------

    def login(self, email: str, password: str) -> TokenPair:
        self.count_attempt(f"login:{email.strip().lower()}")
        with self._uow() as uow:
            user = uow.users.find_by_email(email.strip())
        if user is None or not user.password_hash:
            self._hasher.verify(self._decoy, password)
            raise Unauthenticated("wrong email or password")
        if not self._hasher.verify(user.password_hash, password):
            raise Unauthenticated("wrong email or password")
        if self._hasher.needs_rehash(user.password_hash):
            self._rehash(user.id, password)
        now = self._clock.now()
        refresh = secrets.token_urlsafe(32)
        session = Session(
            id=self._ids.new_id(),
            user_id=user.id,
            token_hash=hash_token(refresh),
            created_at=now,
            expires_at=now + self._policy.refresh_ttl,
        )
        self._sessions.put(session)
        return self._pair(user, session, refresh)

    def refresh(self, refresh_token: str) -> TokenPair:
        """New tokens for a live session; the refresh token used is spent (rotation)."""
        session = self._sessions.by_token_hash(hash_token(refresh_token))
        now = self._clock.now()
        if session is None or session.revoked or session.expires_at <= now:
            raise Unauthenticated("the refresh token is not valid (expired, used or revoked)")
        with self._uow() as uow:
            user = uow.users.get(session.user_id)
        refresh = secrets.token_urlsafe(32)
        rotated = attrs.evolve(session, token_hash=hash_token(refresh))
        self._sessions.put(rotated)
        return self._pair(user, rotated, refresh)

    def logout(self, actor: Actor) -> None:
        session = self._sessions.get(actor.session_id)
        if session is not None and session.user_id == actor.user_id:
            self._sessions.put(attrs.evolve(session, revoked=True))

    def authenticate(self, access_token: str) -> Actor:
        """The actor a bearer token stands for; raises Unauthenticated."""
        claims = self._tokens.read(access_token, self._clock.now())
        if claims is None:
            raise Unauthenticated("the access token is missing, malformed or expired")
        return Actor(claims.user_id, claims.role, claims.session_id)

    def count_attempt(self, key: str) -> None:
        """Count one attempt under ``key`` (an account, an IP); TooManyAttempts past the limit."""
        if self._limiter is None:
            return
        if not self._limiter.hit(key, self._attempts.limit, self._attempts.window_seconds):
            raise TooManyAttempts(
                f"too many attempts; wait up to {self._attempts.window_seconds} s and retry"
            )

    # -- helpers -------------------------------------------------------------------------------

    def _pair(self, user: User, session: Session, refresh: str) -> TokenPair:
        expires = self._clock.now() + self._policy.access_ttl
        access = self._tokens.issue(AccessClaims(user.id, user.role, session.id, expires))
        return TokenPair(access, refresh, int(self._policy.access_ttl.total_seconds()), user)

    def _rehash(self, user_id: str, password: str) -> None:
        with self._uow() as uow:
            user = uow.users.get(user_id)
            user.password_hash = self._hasher.hash(password)
            uow.users.update(user)
            uow.commit()
