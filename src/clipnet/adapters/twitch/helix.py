"""Twitch Helix: sending chat messages as the bot account.

https://dev.twitch.tv/docs/api/reference/#send-chat-message
"""

from __future__ import annotations

from typing import Any

from clipnet.adapters.chat_http import ChatHttp, sent_keys
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ChatSendError

MAX_MESSAGE = 500


#: The Twitch API's documented base URL (CLIPNET_TWITCH_API_URL moves it).
TWITCH_API_URL = "https://api.twitch.tv"


class TwitchChat:
    """``channel`` is the broadcaster's user id; ``reply_to`` a chat message id."""

    platform = Platform.TWITCH

    def __init__(
        self, base_url: str, client_id: str, token: str, sender_id: str, http: ChatHttp
    ) -> None:
        self._url = (base_url or TWITCH_API_URL).rstrip("/") + "/helix/chat/messages"
        self._headers = {"Authorization": f"Bearer {token}", "Client-Id": client_id}
        self._sender_id = sender_id
        self._http = http
        self._sent = sent_keys()

    def send(self, channel: str, text: str, *, reply_to: str = "", idempotency_key: str) -> str:
        known = self._sent.get(idempotency_key)
        if known is not None:
            return known
        body: dict[str, Any] = {
            "broadcaster_id": channel,
            "sender_id": self._sender_id,
            "message": text[:MAX_MESSAGE],
        }
        if reply_to:
            body["reply_parent_message_id"] = reply_to
        message_id = _sent_id(self._http.post_json(self._url, body, self._headers))
        self._sent.put(idempotency_key, message_id)
        return message_id


def _sent_id(answer: Any) -> str:
    try:
        item = answer["data"][0]
    except (KeyError, IndexError, TypeError):
        raise ChatSendError("Twitch answered without a message") from None
    if not item.get("is_sent"):
        reason = (item.get("drop_reason") or {}).get("message", "no reason given")
        raise ChatSendError(f"Twitch dropped the message: {reason}", permanent=True)
    return str(item["message_id"])
