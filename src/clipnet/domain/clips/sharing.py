"""Public share pages: an unguessable link to one clip that anyone who has it may open.

A clip is private (its API route needs its owner's token) until its owner shares it:
:meth:`ClipSharing.share` gives it a random share token (144 bits from ``secrets``) and
answers the page's URL; :meth:`ClipSharing.unshare` forgets the token, so the link is a 404
from then on, and sharing again makes a new token (the old link stays dead). Only the owner
(or an admin) may share or unshare; to anyone else the clip does not exist.

Clips asked for in chat (ClipBOT, origin ``bot``) are shared when they are made
(:func:`shared_on_creation`): the bot's answer to the chat that asked is their link, and a
link nobody in that chat could open would be no answer.
"""

from __future__ import annotations

import re
import secrets

import attrs

from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus
from clipnet.domain.highlights.templates import Template, TemplateCatalogue
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.ports.repositories import UnitOfWorkFactory
from clipnet.ports.storage import ObjectStorage

#: Where share pages live under the public URL.
SHARE_PATH = "/share/"
TOKEN_BYTES = 18
"""144 random bits: 24 URL-safe characters."""
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Clips with nothing to show, ever: they cannot be shared.
_UNSHAREABLE = frozenset({ClipStatus.REJECTED, ClipStatus.CANCELLED})


def new_share_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def shared_on_creation(origin: ClipOrigin) -> bool:
    """Whether a new clip of this origin is shared at once: those asked for in chat are."""
    return origin is ClipOrigin.BOT


class ShareLinks:
    """Share page URLs under the deployment's public URL."""

    def __init__(self, public_url: str) -> None:
        self._base = public_url.rstrip("/") + SHARE_PATH

    def url(self, token: str) -> str:
        return self._base + token

    def of(self, clip: Clip) -> str:
        """The clip's share page URL; "" while it is not shared."""
        return self.url(clip.share_token) if clip.share_token else ""


@attrs.frozen
class SharedClip:
    """What a share page shows of a clip."""

    title: str
    description: str
    page_url: str
    status: ClipStatus
    duration: float
    """Seconds."""
    width: int
    height: int
    """The frame size of the clip's template."""
    video_url: str | None
    """A storage URL; None until the clip's video is made."""
    thumbnail_url: str | None


class ClipSharing:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        storage: ObjectStorage,
        links: ShareLinks,
        templates: TemplateCatalogue,
    ) -> None:
        self._uow = uow
        self._storage = storage
        self._links = links
        self._templates = templates

    def share(self, actor: Actor, clip_id: str) -> str:
        """Share the clip (once: sharing a shared clip keeps its link); its page's URL."""
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
            actor.require_visible(clip.owner_id, "clip", clip_id)
            if clip.status in _UNSHAREABLE:
                raise InvalidInput(
                    f"clip {clip_id} was {clip.status.value}: it has nothing to show"
                )
            if not clip.share_token:
                clip.share_token = new_share_token()
                uow.clips.update(clip)
                uow.commit()
        return self._links.of(clip)

    def unshare(self, actor: Actor, clip_id: str) -> None:
        """Stop sharing: the clip's link is a 404 from now on (also when it was not shared)."""
        with self._uow() as uow:
            clip = uow.clips.get(clip_id)
            actor.require_visible(clip.owner_id, "clip", clip_id)
            if clip.share_token:
                clip.share_token = ""
                uow.clips.update(clip)
                uow.commit()

    def shared(self, token: str) -> SharedClip:
        """The shared clip behind a share token; ``NotFound`` for any other string."""
        if not _TOKEN_SHAPE.fullmatch(token):
            raise NotFound("shared clip", token[:64])
        with self._uow() as uow:
            clip = uow.clips.find_shared(token)
        if clip is None:
            raise NotFound("shared clip", token)
        template = self._template_of(clip)
        return SharedClip(
            title=clip.title or "A ClipNET clip",
            description=clip.description,
            page_url=self._links.url(token),
            status=clip.status,
            duration=clip.span.duration,
            width=template.width,
            height=template.height,
            video_url=self._asset_url(clip, "video"),
            thumbnail_url=self._asset_url(clip, "thumbnail"),
        )

    def _template_of(self, clip: Clip) -> Template:
        """The template the clip was rendered with (the default for one since removed)."""
        try:
            return self._templates.get(clip.template) if clip.template else self._templates.default
        except InvalidInput:
            return self._templates.default

    def _asset_url(self, clip: Clip, kind: str) -> str | None:
        key = clip.assets.get(kind)
        return None if key is None else self._storage.url(key)
