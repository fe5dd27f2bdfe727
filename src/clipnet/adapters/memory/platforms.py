"""In-memory video publishers and chat platforms that remember what they were sent."""

from __future__ import annotations

import threading
from pathlib import Path

import attrs

from clipnet.domain.accounts.model import OAuthAccount
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.publishing.model import PostOptions
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.publisher import Published


@attrs.frozen
class SentMessage:
    channel: str
    text: str
    reply_to: str
    message_id: str


class InMemoryPublisher:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.posts: dict[str, tuple[Published, ClipMetadata]] = {}
        self.options: dict[str, PostOptions] = {}
        """The options each key was first published with."""
        self._lock = threading.Lock()

    def publish(
        self,
        video: Path,
        metadata: ClipMetadata,
        account: OAuthAccount,
        idempotency_key: str,
        options: PostOptions | None = None,
    ) -> Published:
        with self._lock:
            if idempotency_key not in self.posts:
                remote_id = f"{self.platform.value}-{len(self.posts) + 1}"
                url = f"https://{self.platform.value}.example/{remote_id}"
                self.posts[idempotency_key] = (Published(remote_id, url), metadata)
                self.options[idempotency_key] = options or PostOptions()
            return self.posts[idempotency_key][0]


class InMemoryUploadSessions:
    """Upload sessions in this process only (the memory profile: one process, no database)."""

    def __init__(self) -> None:
        self._sessions: dict[str, str] = {}
        self._lock = threading.Lock()

    def session_for(self, key: str) -> str | None:
        with self._lock:
            return self._sessions.get(key)

    def remember_session(self, key: str, session: str) -> None:
        with self._lock:
            self._sessions[key] = session


class InMemoryChat:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.sent: dict[str, SentMessage] = {}
        self._lock = threading.Lock()

    def send(self, channel: str, text: str, *, reply_to: str = "", idempotency_key: str) -> str:
        with self._lock:
            if idempotency_key not in self.sent:
                message_id = f"{self.platform.value}-msg-{len(self.sent) + 1}"
                self.sent[idempotency_key] = SentMessage(channel, text, reply_to, message_id)
            return self.sent[idempotency_key].message_id

    def messages(self) -> list[SentMessage]:
        with self._lock:
            return list(self.sent.values())
