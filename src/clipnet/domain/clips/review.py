"""A clip's review by its owner: approve it (auto-post may take it) or reject it (terminal).

Auto-post takes a clip its owner approved or its viewers voted past the threshold, and never
a rejected one (``Clip.auto_postable``). Rejecting goes through ``ClipLifecycle`` like every
status change; approving changes no status, it marks the clip and asks auto-post to look.
"""

from __future__ import annotations

from collections.abc import Callable

from clipnet.domain.clips.lifecycle import ClipLifecycle
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import ConcurrencyConflict, IllegalTransition, NotFound
from clipnet.ports.repositories import UnitOfWorkFactory

#: Auto-post's look at one clip (``VotingService.queue_auto_posts``); it decides itself.
AutoPost = Callable[[str], object]

#: An approval means nothing for a clip that will never have a video to post.
_UNAPPROVABLE = frozenset({ClipStatus.REJECTED, ClipStatus.CANCELLED})


class ClipReview:
    def __init__(
        self, uow: UnitOfWorkFactory, lifecycle: ClipLifecycle, auto_post: AutoPost | None = None
    ) -> None:
        self._uow = uow
        self._lifecycle = lifecycle
        self._auto_post = auto_post

    def approve(self, actor: Actor, clip_id: str) -> Clip:
        """Mark the clip approved (again: no change); auto-post then takes it once ready."""
        with self._uow() as uow:
            clip = self._visible(uow.clips.get(clip_id), actor)
            if clip.status in _UNAPPROVABLE:
                raise IllegalTransition(clip.status.value, "approved")
            if not clip.approved:
                clip.approved = True
                uow.clips.update(clip)  # the version check: a concurrent change wins, we say so
                uow.commit()
        if self._auto_post is not None:
            self._auto_post(clip.id)
        return clip

    def reject(self, actor: Actor, clip_id: str) -> Clip:
        """Reject a ready or failed clip for good: it is never posted, by anyone."""
        with self._uow() as uow:
            self._visible(uow.clips.get(clip_id), actor)

        def unapprove(clip: Clip) -> None:
            clip.approved = False

        moved = self._lifecycle.advance(
            clip_id, ClipStatus.REJECTED, "rejected by its owner", change=unapprove
        )
        if moved is None:  # pragma: no cover - no expected state: it moved or raised
            raise ConcurrencyConflict(f"clip {clip_id} moved on meanwhile; read it and retry")
        return moved

    @staticmethod
    def _visible(clip: Clip, actor: Actor) -> Clip:
        if not actor.may_see(clip.owner_id):
            raise NotFound("clip", clip.id)  # another user's clip does not exist for you
        return clip
