"""The clip entity and its lifecycle state machine.

    requested -> queued -> transcribing -> scoring -> polishing -> uploading -> ready -> posted
                    \\_________________/^  (no transcribing without a speech model)
                                               ^_____________________/  (a re-render)

Any working state can fail; a failed clip can be retried (back to queued) or cancelled.
Its owner may reject a ready or failed clip (``ClipReview``). ``rejected``, ``cancelled`` and
``posted`` are terminal: nothing leaves them, and a rejected clip is never posted.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from clipnet.domain.highlights.scoring import Score
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.shared.converters import strings
from clipnet.domain.shared.errors import IllegalTransition, InvalidInput
from clipnet.domain.shared.spans import TimeSpan


class ClipStatus(enum.StrEnum):
    REQUESTED = "requested"
    QUEUED = "queued"
    TRANSCRIBING = "transcribing"
    SCORING = "scoring"
    POLISHING = "polishing"
    UPLOADING = "uploading"
    READY = "ready"
    POSTED = "posted"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


S = ClipStatus
TERMINAL = frozenset({S.POSTED, S.REJECTED, S.CANCELLED})

#: Every legal move. Anything not listed raises :class:`IllegalTransition`.
TRANSITIONS: Mapping[ClipStatus, frozenset[ClipStatus]] = MappingProxyType(
    {
        S.REQUESTED: frozenset({S.QUEUED, S.REJECTED, S.CANCELLED}),
        S.QUEUED: frozenset({S.TRANSCRIBING, S.SCORING, S.FAILED, S.CANCELLED}),
        S.TRANSCRIBING: frozenset({S.SCORING, S.FAILED, S.CANCELLED}),
        S.SCORING: frozenset({S.POLISHING, S.REJECTED, S.FAILED, S.CANCELLED}),
        S.POLISHING: frozenset({S.UPLOADING, S.FAILED, S.CANCELLED}),
        S.UPLOADING: frozenset({S.READY, S.FAILED, S.CANCELLED}),
        # back to polishing: a change that affects the video (its template) renders it again
        S.READY: frozenset({S.POSTED, S.REJECTED, S.POLISHING}),
        S.FAILED: frozenset({S.QUEUED, S.REJECTED, S.CANCELLED}),
        S.POSTED: frozenset(),
        S.REJECTED: frozenset(),
        S.CANCELLED: frozenset(),
    }
)


class ClipOrigin(enum.StrEnum):
    """Who asked for a clip."""

    USER = "user"
    BOT = "bot"
    AUTO = "auto"


@attrs.frozen
class Transition:
    """One recorded move of a clip between states."""

    source: ClipStatus
    target: ClipStatus
    at: datetime
    reason: str = ""


def _assets(value: Mapping[str, str]) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()}


@attrs.define(slots=False, eq=False)
class Clip:
    """A short piece of a source on its way to becoming a finished, posted video.

    Identity is ``id``; two Clip objects with the same id are the same clip.
    """

    id: str
    source_id: str
    owner_id: str
    span: TimeSpan
    created_at: datetime
    origin: ClipOrigin = ClipOrigin.USER
    title: str = ""
    template: str = ""
    """Template name; "" until one is chosen."""
    caption_style: str = ""
    """Caption style asked for with the clip ("none": no captions); "" = the template's."""
    aspect: str = ""
    """Output aspect ratio asked for with the clip ("9:16", "1:1", "16:9"); "" = the
    template's."""
    status: ClipStatus = ClipStatus.REQUESTED
    score: Score | None = None
    transcript: Transcript | None = None
    captions: tuple[str, ...] = attrs.field(converter=strings, default=())
    tags: tuple[str, ...] = attrs.field(converter=strings, default=())
    description: str = ""
    hashtags: tuple[str, ...] = attrs.field(converter=strings, default=())
    assets: dict[str, str] = attrs.field(converter=_assets, factory=dict)
    """Asset kind ("video", "thumbnail", "preview") -> storage key."""
    attempts: int = 0
    """How many times processing was started; never decreases."""
    last_error: str = ""
    auto_post_eligible: bool = False
    """Set once when viewers' votes pass the channel's threshold."""
    approved: bool = False
    """Its owner approved it (``POST /clips/{id}/approve``): auto-post may take it."""
    share_token: str = ""
    """The random token of the clip's public share page; "" while it is not shared
    (see :mod:`clipnet.domain.clips.sharing`)."""
    history: list[Transition] = attrs.field(factory=list)
    version: int = 0
    """Bumped by the repository on every save; guards against lost updates."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Clip) and self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    def same_state_as(self, other: Clip) -> bool:
        """Field-by-field equality (used by round-trip tests; ``==`` compares identity)."""
        return attrs.asdict(self, recurse=False) == attrs.asdict(other, recurse=False)

    @property
    def rerenders(self) -> int:
        """How many times the finished clip was sent back to be rendered again."""
        return sum(1 for t in self.history if (t.source, t.target) == (S.READY, S.POLISHING))

    @property
    def auto_postable(self) -> bool:
        """Auto-post takes a clip its owner approved or its viewers voted past the threshold,
        never a rejected (or cancelled) one."""
        ended = self.status in (S.REJECTED, S.CANCELLED)
        return not ended and (self.approved or self.auto_post_eligible)

    def can_move_to(self, target: ClipStatus) -> bool:
        return target in TRANSITIONS[self.status]

    def move_to(self, target: ClipStatus, at: datetime, reason: str = "") -> None:
        """Go to ``target`` or raise :class:`IllegalTransition` naming both states."""
        if not self.can_move_to(target):
            raise IllegalTransition(self.status.value, target.value)
        self.history.append(Transition(self.status, target, at, reason))
        if target is ClipStatus.QUEUED:
            self.attempts += 1
        if target is ClipStatus.FAILED:
            self.last_error = reason
        self.status = target

    def rename(self, title: str) -> None:
        if len(title) > 200:
            raise InvalidInput("a clip title can be at most 200 characters")
        self.title = title.strip()


@attrs.frozen
class ClipSummary:
    """What a list of clips shows of each: read without the transcript, history and metadata,
    which a list never needs and which cost most to load."""

    id: str
    source_id: str
    owner_id: str
    span: TimeSpan
    created_at: datetime
    origin: ClipOrigin
    title: str
    template: str
    status: ClipStatus
    score_total: float | None
    """The score's total (0-100); None until the clip is scored."""

    @classmethod
    def of(cls, clip: Clip) -> ClipSummary:
        return cls(
            id=clip.id,
            source_id=clip.source_id,
            owner_id=clip.owner_id,
            span=clip.span,
            created_at=clip.created_at,
            origin=clip.origin,
            title=clip.title,
            template=clip.template,
            status=clip.status,
            score_total=None if clip.score is None else clip.score.total,
        )
