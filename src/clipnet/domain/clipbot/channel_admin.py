"""Operators tie chat channels to the sources their ``!clip`` commands cut from."""

from __future__ import annotations

from clipnet.domain.clipbot.model import ChannelLink
from clipnet.domain.shared.errors import InvalidInput, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ChannelLinks
from clipnet.ports.clock import Clock
from clipnet.ports.repositories import UnitOfWorkFactory


class ChannelAdmin:
    """Links, lists and unlinks chat channels (``clipnet bot link|links|unlink``)."""

    def __init__(self, links: ChannelLinks, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._links = links
        self._uow = uow
        self._clock = clock

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

    def links(self) -> list[ChannelLink]:
        """Every linked channel, by platform and channel."""
        return self._links.all_links()

    def unlink(self, platform: Platform, channel: str) -> None:
        """Untie a chat channel: its ``!clip`` commands are ignored from now on."""
        if not self._links.remove_link(platform, channel):
            raise NotFound(f"{platform.value} channel link", channel)
