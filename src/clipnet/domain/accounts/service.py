"""Signing up, logging in, refreshing and revoking sessions, and profiles.

Access tokens are short-lived and stateless (signed claims); refresh tokens are random,
stored only as a hash in a session, and rotated on every use. A rotated-away refresh token
that comes back means it was copied: its whole session (the token family) is revoked
(RFC 9700 §4.14). Logging out revokes the session, so its refresh token stops working at
once and its access tokens expire soon after. Changing the password or email needs the
current password and ends every session; the caller gets a new one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

import attrs

from clipnet.domain.accounts.model import User
from clipnet.domain.shared.access import Actor, Forbidden, Role, Unauthenticated
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

log = logging.getLogger(__name__)

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
    """Sign-up (or an email change) with an email that already has an account."""

    kind = "email-taken"


class WrongPassword(Forbidden):
    """The current password given to confirm a change of password or email is wrong."""

    kind = "wrong-password"


@attrs.frozen
class TokenPair:
    """What a successful login or refresh hands the client."""

    access_token: str
    refresh_token: str
    expires_in: int
    """Seconds the access token is valid for."""
    user: User


@attrs.frozen
class ProfileChange:
    """The profile after a change, and a new session's tokens when the credentials changed."""

    user: User
    tokens: TokenPair | None = None
    """Set when the password or email changed: every earlier session, the caller's own too,
    has ended, and these tokens belong to a new one."""


REFUSED_REFRESH = "the refresh token is not valid (expired, used or revoked)"


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
        self,
        actor: Actor,
        *,
        display_name: str | None = None,
        password: str | None = None,
        email: str | None = None,
        current_password: str | None = None,
    ) -> ProfileChange:
        """Change the name, password and/or email.

        A new password or email needs ``current_password`` (a stolen access token alone must
        not take the account over) and ends every session, the caller's too; the answer then
        carries the tokens of a new session for the caller.
        """
        new_email = check_email(email) if email is not None else None
        new_password = check_password(password) if password is not None else None
        name = check_display_name(display_name) if display_name is not None else None
        user = self.profile(actor)
        credentials = new_password is not None or new_email is not None
        if credentials:
            self._confirm_password(user, current_password)
        if name is not None:
            user.display_name = name
        if new_password is not None:
            user.password_hash = self._hasher.hash(new_password)
        self._save_profile(user, new_email, end_sessions=credentials)
        if not credentials:
            return ProfileChange(user)
        return ProfileChange(user, self._open_session(user))

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
        return self._open_session(user)

    def refresh(self, refresh_token: str) -> TokenPair:
        """New tokens for a live session; the refresh token used is spent (rotation).

        A spent token presented again was copied (by a thief, or a client that lost the
        answer): the session it belongs to is revoked, so neither copy works on (RFC 9700
        §4.14). So is a session two refreshes raced for with one token.
        """
        presented = hash_token(refresh_token)
        session = self._sessions.by_token_hash(presented)
        if session is None:
            self._revoke_family(self._sessions.by_spent_token_hash(presented))
            raise Unauthenticated(REFUSED_REFRESH)
        if session.revoked or session.expires_at <= self._clock.now():
            raise Unauthenticated(REFUSED_REFRESH)
        refresh = secrets.token_urlsafe(32)
        rotated = self._sessions.rotate(session.id, presented, hash_token(refresh))
        if rotated is None:  # another refresh spent this token first
            self._revoke_family(self._sessions.get(session.id))
            raise Unauthenticated(REFUSED_REFRESH)
        with self._uow() as uow:
            user = uow.users.get(session.user_id)
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

    def _open_session(self, user: User) -> TokenPair:
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

    def _save_profile(self, user: User, new_email: str | None, *, end_sessions: bool) -> None:
        with self._uow() as uow:
            if new_email is not None:
                holder = uow.users.find_by_email(new_email)
                if holder is not None and holder.id != user.id:
                    raise EmailTaken(f"an account with email {new_email!r} already exists")
                user.email = new_email
            uow.users.update(user)  # refused (409) if the user changed since it was read
            if end_sessions:
                # Before the commit: a session store that is down then changes nothing, and a
                # commit that fails afterwards only logs everyone out (never the reverse: a new
                # password with the old sessions still alive).
                self._sessions.revoke_all(user.id)
            uow.commit()

    def _revoke_family(self, session: Session | None) -> None:
        if session is None or session.revoked:
            return
        log.warning("a spent refresh token was used again: session %s is revoked", session.id)
        self._sessions.put(attrs.evolve(session, revoked=True))

    def _confirm_password(self, user: User, current_password: str | None) -> None:
        """Check the password confirming a credential change; guesses count like logins."""
        if not current_password:
            raise InvalidInput("changing the password or email needs current_password")
        self.count_attempt(f"login:{user.email.lower()}")
        if not self._hasher.verify(user.password_hash, current_password):
            raise WrongPassword("current_password is not this account's password")

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
