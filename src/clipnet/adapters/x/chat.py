"""X: replying with a post as the bot account.

https://docs.x.com/x-api/posts/create-post
"""

from __future__ import annotations

from typing import Any

from clipnet.adapters.chat_http import ChatHttp, sent_keys
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import ChatSendError

MAX_POST = 280


#: The X API's documented base URL (CLIPNET_X_API_URL moves it).
X_API_URL = "https://api.x.com"


class XChat:
    """``channel`` is the bot's account (unused by the API); ``reply_to`` the post answered."""

    platform = Platform.X

    def __init__(self, base_url: str, token: str, http: ChatHttp) -> None:
        self._url = (base_url or X_API_URL).rstrip("/") + "/2/tweets"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._http = http
        self._sent = sent_keys()

    def send(self, channel: str, text: str, *, reply_to: str = "", idempotency_key: str) -> str:
        known = self._sent.get(idempotency_key)
        if known is not None:
            return known
        body: dict[str, Any] = {"text": text[:MAX_POST]}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        answer = self._http.post_json(self._url, body, self._headers)
        try:
            post_id = str(answer["data"]["id"])
        except (KeyError, TypeError):
            raise ChatSendError("X answered without a post id") from None
        self._sent.put(idempotency_key, post_id)
        return post_id
