"""Viewers' votes on clips and their tallies."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

import attrs

from clipnet.domain.metadata import Platform


class Direction(enum.IntEnum):
    DOWN = -1
    UP = 1


@attrs.frozen
class VoterKey:
    """Who voted on what: one vote per (clip, platform, platform user)."""

    clip_id: str
    platform: Platform
    platform_user: str


@attrs.frozen
class Vote:
    """A viewer's current vote on a clip."""

    clip_id: str
    platform: Platform
    platform_user: str
    direction: Direction
    cast_at: datetime

    @property
    def key(self) -> VoterKey:
        return VoterKey(self.clip_id, self.platform, self.platform_user)


@attrs.frozen
class Tally:
    """The count of current votes on a clip."""

    up: int = 0
    down: int = 0

    @property
    def net(self) -> int:
        return self.up - self.down

    @property
    def voters(self) -> int:
        return self.up + self.down

    @classmethod
    def of(cls, votes: Iterable[Vote]) -> Tally:
        up = down = 0
        for vote in votes:
            if vote.direction is Direction.UP:
                up += 1
            else:
                down += 1
        return cls(up, down)
