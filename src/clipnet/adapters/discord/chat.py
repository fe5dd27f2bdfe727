"""Discord: interaction follow-ups and channel messages.

https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message
https://discord.com/developers/docs/resources/message#create-message
"""

from __future__ import annotations

import hashlib
from typing import Any

from clipnet.adapters.chat_http import ChatHttp, sent_keys
from clipnet.domain.clipbot.model import INTERACTION_PREFIX
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ChatSendError

MAX_MESSAGE = 2000


def nonce(idempotency_key: str) -> str:
    """Discord's ``nonce`` (at most 25 characters): with ``enforce_nonce`` a repeat posts once."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:25]


#: The Discord API's documented base URL, v10 (CLIPNET_DISCORD_API_URL moves it).
DISCORD_API_URL = "https://discord.com/api/v10"


class DiscordChat:
    """``reply_to`` is ``interaction:<token>`` (a follow-up), a message id, or empty."""

    platform = Platform.DISCORD

    def __init__(self, base_url: str, application_id: str, bot_token: str, http: ChatHttp) -> None:
        self._base = (base_url or DISCORD_API_URL).rstrip("/")
        self._application_id = application_id
        self._headers = {"Authorization": f"Bot {bot_token}"}
        self._http = http
        self._sent = sent_keys()

    def send(self, channel: str, text: str, *, reply_to: str = "", idempotency_key: str) -> str:
        known = self._sent.get(idempotency_key)
        if known is not None:
            return known
        if reply_to.startswith(INTERACTION_PREFIX):
            answer = self._follow_up(reply_to.removeprefix(INTERACTION_PREFIX), text)
        else:
            answer = self._channel_message(channel, text, reply_to, idempotency_key)
        try:
            message_id = str(answer["id"])
        except (KeyError, TypeError):
            raise ChatSendError("Discord answered without a message id") from None
        self._sent.put(idempotency_key, message_id)
        return message_id

    def _follow_up(self, token: str, text: str) -> Any:
        url = f"{self._base}/webhooks/{self._application_id}/{token}"
        return self._http.post_json(url, {"content": text[:MAX_MESSAGE]}, {})

    def _channel_message(self, channel: str, text: str, reply_to: str, key: str) -> Any:
        body: dict[str, Any] = {
            "content": text[:MAX_MESSAGE],
            "nonce": nonce(key),
            "enforce_nonce": True,
        }
        if reply_to:
            body["message_reference"] = {"message_id": reply_to, "fail_if_not_exists": False}
        url = f"{self._base}/channels/{channel}/messages"
        return self._http.post_json(url, body, self._headers)
