"""Twitch EventSub webhooks: signature check and translating events into domain messages.

https://dev.twitch.tv/docs/eventsub/handling-webhook-events/
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from clipnet.adapters.signing import SignatureInvalid, StaleDelivery, hmac_sha256, same
from clipnet.adapters.webhook_payloads import BadPayload, json_object, payload_reader
from clipnet.domain.clipbot.events import BotEvent, StreamEnded, StreamStarted, SubscriptionRevoked
from clipnet.domain.clipbot.model import ChatMessage, ReplyTarget
from clipnet.domain.shared.platforms import Platform

MAX_AGE = timedelta(minutes=10)

HEADER_ID = "Twitch-Eventsub-Message-Id"
HEADER_TIMESTAMP = "Twitch-Eventsub-Message-Timestamp"
HEADER_SIGNATURE = "Twitch-Eventsub-Message-Signature"
HEADER_TYPE = "Twitch-Eventsub-Message-Type"

VERIFICATION = "webhook_callback_verification"
NOTIFICATION = "notification"
REVOCATION = "revocation"

_FRACTION = re.compile(r"(\.\d{6})\d+")


def eventsub_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256(secret, message id + timestamp + raw body)."""
    return "sha256=" + hmac_sha256(secret, message_id.encode() + timestamp.encode() + body).hex()


def verify_eventsub(
    secret: str, message_id: str, timestamp: str, body: bytes, signature: str, now: datetime
) -> None:
    """Raise ``SignatureInvalid`` or ``StaleDelivery`` unless the delivery is Twitch's and fresh.

    Runs on the raw body bytes, before anything is parsed.
    """
    if not same(eventsub_signature(secret, message_id, timestamp, body), signature):
        raise SignatureInvalid("the EventSub signature does not match")
    try:
        sent = parse_timestamp(timestamp)
    except ValueError as error:  # the signed header itself: the delivery is not Twitch's
        raise SignatureInvalid(f"EventSub timestamp: {error}") from None
    if abs(now - sent) > MAX_AGE:
        raise StaleDelivery(f"the EventSub timestamp {timestamp} is more than 10 minutes off")


def parse_timestamp(text: str) -> datetime:
    """RFC 3339 with up to nanoseconds, e.g. ``2026-01-01T12:00:00.123456789Z``; ValueError
    for anything else (a bad header is a bad signature, a bad field a bad payload)."""
    try:
        moment = datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()))
    except ValueError:
        raise ValueError(f"malformed timestamp {text[:40]!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text[:40]!r} has no time zone")
    return moment


def chat_message(
    event: Mapping[str, Any], delivery_id: str, received_at: datetime, bot_user_id: str = ""
) -> ChatMessage | None:
    """A ``channel.chat.message`` event as a domain message; None for the bot's own lines."""
    sender = str(event["chatter_user_id"])
    if bot_user_id and sender == bot_user_id:
        return None  # never answer ourselves
    target = ReplyTarget(
        Platform.TWITCH,
        channel=str(event["broadcaster_user_id"]),
        reply_to=str(event.get("message_id", "")),
        user=sender,
    )
    text = str(event["message"]["text"])
    return ChatMessage(target, text, delivery_id, received_at)


@attrs.frozen
class EventSubDelivery:
    """A verified EventSub delivery, read: a challenge to echo, or events for ClipBOT."""

    challenge: str | None = None
    """``webhook_callback_verification``: answer ``200 text/plain`` with exactly this."""
    events: tuple[BotEvent, ...] = ()


@payload_reader("Twitch EventSub")
def read_eventsub(
    kind: str, body: bytes, delivery_id: str, received_at: datetime, bot_user_id: str = ""
) -> EventSubDelivery:
    """A verified delivery (``Twitch-Eventsub-Message-Type`` ``kind``) in domain terms.

    Raises ``BadPayload`` when the body is not Twitch's shape.
    """
    payload = json_object(body)
    subscription = payload["subscription"]
    if kind == VERIFICATION:
        return EventSubDelivery(challenge=str(payload["challenge"]))
    if kind == REVOCATION:
        reason = str(subscription.get("status", "revoked"))
        return EventSubDelivery(
            events=(SubscriptionRevoked(Platform.TWITCH, str(subscription["id"]), reason),)
        )
    if kind != NOTIFICATION:
        raise BadPayload(f"unknown message type {kind[:40]!r}")
    event = _event(
        str(subscription["type"]), payload["event"], delivery_id, received_at, bot_user_id
    )
    return EventSubDelivery(events=() if event is None else (event,))


def _event(
    event_type: str,
    event: Mapping[str, Any],
    delivery_id: str,
    received_at: datetime,
    bot_user_id: str,
) -> BotEvent | None:
    if event_type == "channel.chat.message":
        return chat_message(event, delivery_id, received_at, bot_user_id)
    if event_type == "stream.online":
        started = parse_timestamp(str(event["started_at"]))
        return StreamStarted(
            Platform.TWITCH, str(event["broadcaster_user_id"]), delivery_id, started
        )
    if event_type == "stream.offline":
        return StreamEnded(Platform.TWITCH, str(event["broadcaster_user_id"]), delivery_id)
    return None  # other subscription types are acknowledged and ignored
