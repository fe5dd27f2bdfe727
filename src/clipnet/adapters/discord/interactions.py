"""Discord interactions: Ed25519 signature check and slash commands as domain messages.

https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

from clipnet.adapters.signing import SignatureInvalid, StaleDelivery
from clipnet.adapters.webhook_payloads import BadPayload, json_object, payload_reader
from clipnet.domain.clipbot.commands import BotAnswer
from clipnet.domain.clipbot.model import INTERACTION_PREFIX, ChatMessage, ReplyTarget
from clipnet.domain.shared.platforms import Platform

MAX_AGE = timedelta(minutes=10)
"""Replays older than this are refused, as on Twitch (Discord signs the timestamp)."""

HEADER_SIGNATURE = "X-Signature-Ed25519"
HEADER_TIMESTAMP = "X-Signature-Timestamp"

PING = 1
APPLICATION_COMMAND = 2
PONG = 1
CHANNEL_MESSAGE = 4
EPHEMERAL = 64
"""Message flag: only the user who ran the command sees the answer."""
DEFERRED_CHANNEL_MESSAGE = 5

SLOW_DOWN = "Slow down: try that again in a few seconds."


@functools.lru_cache(maxsize=8)
def _verify_key(public_key_hex: str) -> VerifyKey:
    return VerifyKey(bytes.fromhex(public_key_hex))


def verify_interaction(
    public_key_hex: str, signature_hex: str, timestamp: str, body: bytes, now: datetime
) -> None:
    """Raise ``SignatureInvalid`` unless Discord signed ``timestamp + body`` (raw bytes), or
    ``StaleDelivery`` when the signed timestamp is more than 10 minutes from ``now``."""
    try:
        _verify_key(public_key_hex).verify(timestamp.encode() + body, bytes.fromhex(signature_hex))
    except (CryptoError, ValueError, TypeError, UnicodeError):
        raise SignatureInvalid("the Discord interaction signature does not verify") from None
    if abs(now - _moment(timestamp)) > MAX_AGE:
        raise StaleDelivery(f"the Discord timestamp {timestamp} is more than 10 minutes off")


def _moment(timestamp: str) -> datetime:
    """Discord's timestamp: Unix seconds."""
    try:
        return datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        raise SignatureInvalid(f"malformed Discord timestamp {timestamp[:40]!r}") from None


def command_message(interaction: Mapping[str, Any], received_at: datetime) -> ChatMessage:
    """A slash command (``/clip title: Epic``) as the chat text ``!clip Epic``.

    So Discord goes through the same command grammar as every other platform.
    """
    data = interaction["data"]
    words = [str(option["value"]) for option in data.get("options") or ()]
    text = " ".join(["!" + str(data["name"]), *words])
    user = (interaction.get("member") or {}).get("user") or interaction.get("user") or {}
    target = ReplyTarget(
        Platform.DISCORD,
        channel=str(interaction["channel_id"]),
        reply_to=INTERACTION_PREFIX + str(interaction["token"]),
        user=str(user.get("id", "")),
    )
    return ChatMessage(target, text, str(interaction["id"]), received_at)


@payload_reader("Discord")
def read_interaction(body: bytes, received_at: datetime) -> ChatMessage | None:
    """A verified interaction as a chat message; None for Discord's PING.

    Raises ``BadPayload`` for anything but a slash command of Discord's shape.
    """
    payload = json_object(body)
    if payload.get("type") == PING:
        return None
    if payload.get("type") != APPLICATION_COMMAND:
        raise BadPayload(f"unsupported interaction type {payload.get('type')!r}")
    return command_message(payload, received_at)


def pong() -> dict[str, Any]:
    return {"type": PONG}


def interaction_response(answer: BotAnswer) -> dict[str, Any]:
    """ClipBOT's answer as the interaction's response: deferred, or the text itself."""
    if answer.deferred:
        return {"type": DEFERRED_CHANNEL_MESSAGE}
    text = answer.text or SLOW_DOWN  # an ignored command is one still cooling down
    flags = 0 if answer.text else EPHEMERAL
    return {"type": CHANNEL_MESSAGE, "data": {"content": text, "flags": flags}}
