"""Signed webhook deliveries as Twitch, Discord and X send them, and an app that receives them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from nacl.signing import SigningKey

from clipnet.container import Container
from clipnet.entrypoints.http.di import container_dependencies
from clipnet.entrypoints.http.routes.bot import router
from clipnet.settings import Settings, load_settings

TWITCH_SECRET = "twitch-eventsub-secret-0123"
X_SECRET = "x-consumer-secret-0123"
DISCORD_KEY = SigningKey(hashlib.sha256(b"clipnet discord webhook tests").digest())
BOT_USER = "bot-user-9"


def bot_settings(tmp: Path, **env: str) -> Settings:
    base = {
        "CLIPNET_DATA_DIR": str(tmp),
        "CLIPNET_DATABASE_URL": "memory://",
        "CLIPNET_QUEUE": "memory",
        "CLIPNET_STORAGE": "memory",
        "CLIPNET_TWITCH_EVENTSUB_SECRET": TWITCH_SECRET,
        "CLIPNET_TWITCH_BOT_USER_ID": BOT_USER,
        "CLIPNET_DISCORD_PUBLIC_KEY": DISCORD_KEY.verify_key.encode().hex(),
        "CLIPNET_X_CONSUMER_SECRET": X_SECRET,
    }
    return load_settings({**base, **env})


def bot_app(container: Container, settings: Settings) -> Litestar:
    """The bot's router in a bare app, its inbox resolved from the container as production
    does; ``settings`` are the webhooks' secrets."""
    return Litestar(
        route_handlers=[router],
        dependencies={
            **container_dependencies(container, ("clipbot_inbox",)),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        },
    )


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def twitch_delivery(
    kind: str, payload: dict[str, Any], message_id: str, sent: datetime, secret: str = TWITCH_SECRET
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    timestamp = rfc3339(sent)
    mac = hmac.new(secret.encode(), message_id.encode() + timestamp.encode() + body, "sha256")
    return body, {
        "Twitch-Eventsub-Message-Id": message_id,
        "Twitch-Eventsub-Message-Timestamp": timestamp,
        "Twitch-Eventsub-Message-Signature": "sha256=" + mac.hexdigest(),
        "Twitch-Eventsub-Message-Type": kind,
        "Content-Type": "application/json",
    }


def twitch_chat(
    text: str, *, chatter: str = "viewer-1", broadcaster: str = "broadcaster-1", message: str = "m1"
) -> dict[str, Any]:
    return {
        "subscription": {"id": "sub-1", "type": "channel.chat.message", "version": "1"},
        "event": {
            "broadcaster_user_id": broadcaster,
            "chatter_user_id": chatter,
            "chatter_user_login": chatter,
            "message_id": message,
            "message": {"text": text, "fragments": []},
        },
    }


def discord_delivery(
    payload: dict[str, Any], timestamp: str = "1767268800"
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    signature = DISCORD_KEY.sign(timestamp.encode() + body).signature.hex()
    return body, {
        "X-Signature-Ed25519": signature,
        "X-Signature-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def discord_command(name: str, *values: str, channel: str = "broadcaster-1") -> dict[str, Any]:
    return {
        "type": 2,
        "id": f"interaction-{name}-{'-'.join(values)}",
        "token": f"token-{name}",
        "channel_id": channel,
        "member": {"user": {"id": "discord-user-1"}},
        "data": {"name": name, "options": [{"name": "arg", "type": 3, "value": v} for v in values]},
    }


def x_delivery(payload: dict[str, Any], secret: str = X_SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return body, {
        "x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode(),
        "Content-Type": "application/json",
    }


def x_mention(
    text: str, tweet_id: str = "1001", author: str = "x-user-1", account: str = "broadcaster-1"
) -> dict[str, Any]:
    return {
        "for_user_id": account,
        "tweet_create_events": [{"id_str": tweet_id, "text": text, "user": {"id_str": author}}],
    }
