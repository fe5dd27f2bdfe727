"""Operators tie chat channels to the sources their ``!clip`` commands cut from."""

from __future__ import annotations

from collections.abc import Callable

from clipnet.domain.clipbot.model import ChannelLink
from clipnet.domain.shared.access import Actor, Role
from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.model import Source
from clipnet.domain.sources.service import SourceService
from clipnet.ports.bot import ChannelLinks
from clipnet.ports.clock import Clock
from clipnet.ports.media import MediaError
from clipnet.ports.repositories import UnitOfWorkFactory


class ChannelAdmin:
    """Links, lists and unlinks chat channels (``clipnet bot link|links|unlink``)."""

    def __init__(
        self,
        links: ChannelLinks,
        uow: UnitOfWorkFactory,
        clock: Clock,
        sources: SourceService | None = None,
        analyse: Callable[[str], Source] | None = None,
    ) -> None:
        """``sources`` registers the VOD links :meth:`link_vod` is given, and ``analyse`` (the
        media pipeline's ``analyze_source``) downloads and analyses them."""
        self._links = links
        self._uow = uow
        self._clock = clock
        self._sources = sources
        self._analyse = analyse

    def link_channel(self, link: ChannelLink) -> ChannelLink:
        """Tie a chat channel to the source its ``!clip`` commands cut from."""
        with self._uow() as uow:
            source = uow.sources.get(link.source_id)
        if source.owner_id != link.owner_id:
            raise NotFound("source", link.source_id)
        self._links.save_link(link)
        return link

    def link_source(
        self,
        platform: Platform,
        channel: str,
        source_id: str,
        *,
        live: bool = False,
        vote_threshold: int | None = None,
    ) -> ChannelLink:
        """Tie a chat channel to a source, for the source's owner (an operator's command).

        ``live``: the source is a stream that is live now, so ``!clip`` cuts up to now.
        ``vote_threshold``: this channel's net votes for auto-posting (else the global one).
        """
        if vote_threshold is not None and vote_threshold < 1:
            raise InvalidInput("a vote threshold is at least 1")
        with self._uow() as uow:
            source = uow.sources.get(source_id)
        since = self._clock.now() if live else None
        return self.link_channel(
            ChannelLink(platform, channel, source.owner_id, source.id, since, vote_threshold)
        )

    def link_vod(
        self,
        platform: Platform,
        channel: str,
        url: str,
        owner_email: str,
        *,
        vote_threshold: int | None = None,
    ) -> ChannelLink:
        """Register a VOD link (a Twitch VOD, a YouTube video, a Kick VOD, a media URL; the
        SSRF guard decides) as a source of the user with ``owner_email``, download and analyse
        it (``!clip`` of a VOD cuts up to its end, so its length must be known), then tie the
        channel to it. A VOD that cannot be fetched is refused, and its source removed."""
        if self._sources is None or self._analyse is None:
            raise RuntimeError("ChannelAdmin.link_vod needs the source service and analyse")
        with self._uow() as uow:
            owner = uow.users.find_by_email(owner_email.strip())
        if owner is None:
            raise NotFound("user", owner_email)
        actor = Actor(owner.id, Role.USER)
        source = self._sources.register_url(actor, url)
        try:
            self._analyse(source.id)
        except MediaError as error:
            self._sources.delete(actor, source.id)
            raise InvalidInput(str(error)) from None
        return self.link_source(platform, channel, source.id, vote_threshold=vote_threshold)

    def links(self) -> list[ChannelLink]:
        """Every linked channel, by platform and channel."""
        return self._links.all_links()

    def unlink(self, platform: Platform, channel: str) -> None:
        """Untie a chat channel: its ``!clip`` commands are ignored from now on."""
        if not self._links.remove_link(platform, channel):
            raise NotFound(f"{platform.value} channel link", channel)
