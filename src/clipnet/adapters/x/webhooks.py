"""X Account Activity webhooks: the CRC challenge, signature check, mentions as messages.

https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clipnet.adapters.signing import SignatureInvalid, hmac_sha256, same
from clipnet.adapters.webhook_payloads import json_object, payload_reader
from clipnet.domain.clipbot.model import ChatMessage, ReplyTarget
from clipnet.domain.shared.platforms import Platform

HEADER_SIGNATURE = "x-twitter-webhooks-signature"


def x_signature(consumer_secret: str, message: bytes) -> str:
    """``sha256=`` + base64 HMAC-SHA256(consumer secret, message)."""
    return "sha256=" + base64.b64encode(hmac_sha256(consumer_secret, message)).decode()


def crc_response(consumer_secret: str, crc_token: str) -> dict[str, str]:
    """The answer to X's challenge-response check (GET with ``crc_token``)."""
    return {"response_token": x_signature(consumer_secret, crc_token.encode())}


def verify_x(consumer_secret: str, body: bytes, signature: str) -> None:
    """Raise ``SignatureInvalid`` unless X signed the raw body."""
    if not same(x_signature(consumer_secret, body), signature):
        raise SignatureInvalid("the X webhook signature does not match")


def mention_messages(payload: Mapping[str, Any], received_at: datetime) -> list[ChatMessage]:
    """The posts in an Account Activity delivery as domain messages (ours left out).

    The channel is the account the bot acts for (``for_user_id``); answers reply to the post.
    """
    account = str(payload.get("for_user_id", ""))
    messages = []
    for post in payload.get("tweet_create_events") or ():
        author = str(post["user"]["id_str"])
        if author == account:
            continue  # our own replies come back as events too
        text = (post.get("extended_tweet") or {}).get("full_text") or post.get("text", "")
        target = ReplyTarget(Platform.X, account, reply_to=str(post["id_str"]), user=author)
        messages.append(ChatMessage(target, str(text), str(post["id_str"]), received_at))
    return messages


@payload_reader("X Account Activity")
def read_activity(body: bytes, received_at: datetime) -> list[ChatMessage]:
    """A verified Account Activity body as chat messages (``BadPayload`` if not its shape)."""
    return mention_messages(json_object(body), received_at)
