"""The ``clipbot:post`` and ``clipbot:notify`` jobs: ClipBOT's words leaving for chat."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import Protocol

from clipnet.domain.clipbot.model import ReplyTarget
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.clips.sharing import ShareLinks
from clipnet.domain.jobs.middleware import JobMiddleware
from clipnet.domain.jobs.model import Job, JobType, job_key
from clipnet.domain.jobs.outbox import Outbox
from clipnet.domain.shared.errors import NotFound, PermanentJobError
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ChatSendError, ClipRequests, SentMessages
from clipnet.ports.chat import ChatPlatform
from clipnet.ports.repositories import UnitOfWorkFactory
from clipnet.ports.secrets import SecretBox

log = logging.getLogger(__name__)

ClipUrl = Callable[[Clip], str]
"""The link of a clip that anyone in chat can open (its share page); "" when it is not shared."""

#: The jobs after which a clip may have reached a status its requester hears about.
CLIP_MOVING_JOBS = frozenset(
    {
        JobType.CLIP_PROCESS,
        JobType.ML_SCORE,
        JobType.FFMPEG_POLISH,
        JobType.POST_YOUTUBE,
        JobType.POST_TIKTOK,
    }
)

#: The clip statuses a requester hears about.
NOTIFY_ON = frozenset({ClipStatus.READY, ClipStatus.FAILED, ClipStatus.POSTED})


def notify_key(clip_id: str, status: ClipStatus, attempt: int) -> str:
    """One notification per clip, status and processing attempt."""
    return job_key(JobType.CLIPBOT_NOTIFY, clip_id, status.value, attempt)


def clip_links(public_url: str) -> ClipUrl:
    """Links to clips' share pages on the ClipNET site at ``public_url``: a clip's API route
    needs its owner's token, so only a share page opens for a viewer. Clips asked for in chat
    are shared when they are made (``sharing.shared_on_creation``)."""
    return ShareLinks(public_url).of


#: The platforms ClipBOT talks on (it posts clips to the others).
CHAT_PLATFORMS = (Platform.TWITCH, Platform.DISCORD, Platform.X)


def reply_summary(reply_platforms: Collection[Platform]) -> str:
    """One line saying which chat platforms ClipBOT can answer on, and which it cannot."""
    can = [p.value for p in CHAT_PLATFORMS if p in reply_platforms]
    cannot = [p.value for p in CHAT_PLATFORMS if p not in reply_platforms]
    line = f"ClipBOT replies on: {', '.join(can) or 'none'}"
    if cannot:
        line += f"; not on {', '.join(cannot)} (no bot credentials: see docs/clipbot.md)"
    return line


class ChatReplies:
    """Queues ``clipbot:post`` jobs, for the platforms ClipBOT can answer on only: one without
    a chat adapter (no bot credentials) could only see its jobs die, so nothing is queued."""

    def __init__(
        self, uow: UnitOfWorkFactory, outbox: Outbox, reply_platforms: Collection[Platform]
    ) -> None:
        self._uow = uow
        self._outbox = outbox
        self._platforms = frozenset(reply_platforms)

    def can_reply(self, platform: Platform) -> bool:
        return platform in self._platforms

    def queue(self, target: ReplyTarget, text: str, key: str) -> bool:
        """Queue the answer (the one payload shape ``ClipBotJobs.post`` reads); False, and
        nothing queued, when ``target``'s platform cannot be answered on."""
        if not self.can_reply(target.platform):
            log.debug("no reply on %s (no chat adapter): %s", target.platform.value, text[:80])
            return False
        payload = {
            "platform": target.platform.value,
            "channel": target.channel,
            "reply_to": target.reply_to,
            "text": text,
        }
        with self._uow() as uow:
            job = self._outbox.add(uow, JobType.CLIPBOT_POST, payload, key)
            uow.commit()
        self._outbox.release([job])
        return True


class ReplyMemory(ClipRequests, SentMessages, Protocol):
    """What sending answers and notifications remembers: who asked, and what went out."""


class ClipBotJobs:
    """Job handlers: ``post`` runs ``clipbot:post`` jobs, ``notify`` runs ``clipbot:notify``."""

    def __init__(
        self,
        store: ReplyMemory,
        uow: UnitOfWorkFactory,
        chats: Mapping[Platform, ChatPlatform],
        clip_url: ClipUrl,
        box: SecretBox,
    ) -> None:
        """``box`` opens the interaction tokens the inbox sealed, just before sending."""
        self._store = store
        self._uow = uow
        self._chats = dict(chats)
        self._clip_url = clip_url
        self._box = box

    def post(self, job: Job) -> None:
        """Send a chat answer: payload ``platform``, ``channel``, ``reply_to``, ``text``."""
        try:
            target = ReplyTarget(
                Platform(job.payload["platform"]),
                str(job.payload["channel"]),
                str(job.payload.get("reply_to", "")),
            )
            text = str(job.payload["text"])
        except (KeyError, ValueError) as error:
            raise PermanentJobError(f"malformed clipbot:post payload: {error}") from None
        self._send(target, text, job.idempotency_key)

    def notify(self, job: Job) -> None:
        """Tell whoever asked for a clip in chat that it is ready, failed or posted."""
        clip_id = str(job.payload.get("clip_id", ""))
        target = self._store.request_for(clip_id)
        if target is None:
            return  # not a clip asked for in chat: nobody to tell
        try:
            with self._uow() as uow:
                clip = uow.clips.get(clip_id)
                urls = [p.url for p in uow.posts.list_for_clip(clip_id) if p.url]
        except NotFound:
            return  # deleted since: nothing to say
        status = ClipStatus(str(job.payload.get("status", clip.status.value)))
        # A Discord interaction token lasts 15 minutes; clips take longer, so use the channel.
        self._send(target.in_channel(), self._notice(clip, status, urls), job.idempotency_key)

    def _notice(self, clip: Clip, status: ClipStatus, post_urls: list[str]) -> str:
        name = f"'{clip.title}'" if clip.title else clip.id
        link = self._clip_url(clip)  # "" once its owner stopped sharing it
        if status is ClipStatus.READY:
            return f"Your clip {name} is ready: {link}" if link else f"Your clip {name} is ready."
        if status is ClipStatus.POSTED:
            where = post_urls[-1] if post_urls else link
            return (
                f"Your clip {name} was posted: {where}"
                if where
                else f"Your clip {name} was posted."
            )
        reason = f" ({clip.last_error[:80]})" if clip.last_error else ""
        return f"Sorry, your clip {name} failed{reason}."

    def _send(self, target: ReplyTarget, text: str, key: str) -> str:
        """Send once per key: a redelivered job finds its message in the ledger."""
        sent = self._store.sent_message(key)
        if sent is not None:
            return sent
        chat = self._chats.get(target.platform)
        if chat is None:
            raise PermanentJobError(f"no chat adapter is configured for {target.platform.value}")
        target = self._readable(target)
        try:
            message_id = chat.send(
                target.channel, text, reply_to=target.reply_to, idempotency_key=key
            )
        except ChatSendError as error:
            if error.permanent:
                raise PermanentJobError(str(error)) from error
            raise
        self._store.record_sent(key, message_id)
        return message_id

    def _readable(self, target: ReplyTarget) -> ReplyTarget:
        """The target with its interaction token opened; the plain channel when the key that
        sealed it is gone (rotated out), so the answer still reaches the channel."""
        try:
            return target.opened(self._box)
        except ValueError:
            log.warning("an interaction token could not be opened: answering in the channel")
            return target.in_channel()


class ClipBotNotifier(JobMiddleware):
    """Queues ``clipbot:notify`` when a clip asked for in chat is ready, failed or posted.

    As middleware around every job it looks at the clip of each job that moves clips, after
    the handler (whether the handler succeeded or not), so the pipeline and the publishers
    need not know about chat.
    """

    def __init__(
        self,
        store: ClipRequests,
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        reply_platforms: Collection[Platform] = CHAT_PLATFORMS,
    ) -> None:
        """``reply_platforms``: where notices can be sent; a clip asked for elsewhere gets
        none (its ``clipbot:notify`` job could only fail)."""
        self._store = store
        self._uow = uow
        self._outbox = outbox
        self._reply_platforms = frozenset(reply_platforms)

    def after_job(self, job: Job, error: BaseException | None) -> None:
        clip_id = job.payload.get("clip_id")
        if job.type in CLIP_MOVING_JOBS and isinstance(clip_id, str):
            self.clip_changed(clip_id)

    def clip_changed(self, clip_id: str) -> None:
        """Queue a notification if the clip came from chat and reached a status worth one."""
        target = self._store.request_for(clip_id)
        if target is None or target.platform not in self._reply_platforms:
            return
        with self._uow() as uow:
            try:
                clip = uow.clips.get(clip_id)
            except NotFound:
                return
            if clip.status not in NOTIFY_ON:
                return
            payload = {"clip_id": clip.id, "status": clip.status.value}
            key = notify_key(clip.id, clip.status, clip.attempts)
            job = self._outbox.add(uow, JobType.CLIPBOT_NOTIFY, payload, key)
            uow.commit()
        self._outbox.release([job])
