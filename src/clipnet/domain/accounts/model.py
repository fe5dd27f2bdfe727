"""People who use ClipNET and the platform accounts they link."""

from __future__ import annotations

from datetime import datetime

import attrs

from clipnet.domain.shared.access import Role
from clipnet.domain.shared.converters import strings
from clipnet.domain.shared.platforms import Platform


@attrs.define(slots=False, eq=False)
class User:
    """A ClipNET account. Identity is ``id``; ``email`` is unique."""

    id: str
    email: str
    created_at: datetime
    display_name: str = ""
    password_hash: str = ""
    """A hash from the password hasher; never the password."""
    role: Role = Role.USER
    version: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@attrs.define(slots=False, eq=False)
class OAuthAccount:
    """A user's account on a platform, with the tokens ClipNET acts with.

    Tokens are plaintext here; the persistence adapters seal them at rest.
    """

    id: str
    user_id: str
    provider: Platform
    provider_user_id: str
    access_token: str
    created_at: datetime
    refresh_token: str = ""
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = attrs.field(converter=strings, default=())
    version: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OAuthAccount) and self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    def expires_before(self, moment: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= moment
