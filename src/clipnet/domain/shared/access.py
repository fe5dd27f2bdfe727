"""Who is asking, and what they may see: object-level authorisation in one place."""

from __future__ import annotations

import enum

import attrs

from clipnet.domain.shared.errors import DomainError, NotFound


class Role(enum.StrEnum):
    USER = "user"
    ADMIN = "admin"
    """An operator: may see and change everyone's objects."""


class Unauthenticated(DomainError):
    """No valid credentials came with the request (or they expired)."""

    kind = "unauthenticated"


class Forbidden(DomainError):
    """The asker is known but this operation is not theirs to do (e.g. admin only)."""

    kind = "forbidden"


@attrs.frozen
class Actor:
    """The authenticated user a request acts for."""

    user_id: str
    role: Role = Role.USER
    session_id: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_see(self, owner_id: str) -> bool:
        """Users see their own objects; admins (operators) see everyone's."""
        return self.is_admin or owner_id == self.user_id

    def require_visible(self, owner_id: str, what: str, identifier: str) -> None:
        """Raise NotFound (never 'forbidden') so other users' ids reveal nothing."""
        if not self.may_see(owner_id):
            raise NotFound(what, identifier)
