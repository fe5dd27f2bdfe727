"""ClipBOT's webhooks: Twitch EventSub, Discord interactions and X Account Activity.

Each route checks the signature on the raw body bytes before parsing anything, then hands a
domain message to :class:`ClipBot` and renders its answer. A platform whose secret is not
configured answers 503.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from litestar import MediaType, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery

from clipnet.adapters.discord import interactions as discord
from clipnet.adapters.signing import WebhookRejected
from clipnet.adapters.twitch import eventsub as twitch
from clipnet.adapters.x import webhooks as x
from clipnet.domain.clipbot.bot import ClipBot
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.http.problems import problem
from clipnet.settings import Settings

T = TypeVar("T")
AnyRequest = Request[Any, Any, Any]
ClipBotDependency = NamedDependency[ClipBot]
SettingsDependency = NamedDependency[Settings]
SLOW_DOWN = "Slow down: try that again in a few seconds."


class BadPayload(Exception):
    """A verified body that is not the JSON shape the platform documents."""


async def in_thread(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking domain work (the database, the outbox) off the event loop."""
    return await anyio.to_thread.run_sync(partial(work, *args, **kwargs))


def unconfigured(variable: str) -> Response[Any]:
    return problem(503, "unavailable", "Webhook not configured", f"set {variable} to enable it")


def rejected(status: int, error: WebhookRejected) -> Response[Any]:
    return problem(status, "bad-signature", "Signature check failed", str(error))


def bad_payload(error: Exception) -> Response[Any]:
    return problem(400, "bad-request", "Unexpected payload", str(error)[:200])


def json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadPayload(f"the body is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise BadPayload("the body is not a JSON object")
    return value


# -- Twitch EventSub -----------------------------------------------------------------------------


@post("/twitch", status_code=200, summary="Twitch EventSub webhook", include_in_schema=False)
async def twitch_eventsub(
    request: AnyRequest,
    clipbot: ClipBotDependency,
    settings: SettingsDependency,
) -> Response[Any]:
    secret = settings.bot.twitch_eventsub_secret
    if not secret:
        return unconfigured("CLIPNET_TWITCH_EVENTSUB_SECRET")
    body, headers, now = await request.body(), request.headers, clipbot.now()
    delivery = headers.get(twitch.HEADER_ID, "")
    try:
        twitch.verify_eventsub(
            secret,
            delivery,
            headers.get(twitch.HEADER_TIMESTAMP, ""),
            body,
            headers.get(twitch.HEADER_SIGNATURE, ""),
            now,
        )
        payload = json_object(body)
        return await _twitch_message(
            headers.get(twitch.HEADER_TYPE, ""), payload, delivery, now, clipbot, settings
        )
    except WebhookRejected as error:
        return rejected(403, error)
    except (BadPayload, KeyError, TypeError, ValueError) as error:
        return bad_payload(error)


async def _twitch_message(
    kind: str,
    payload: dict[str, Any],
    delivery: str,
    now: datetime,
    clipbot: ClipBot,
    settings: Settings,
) -> Response[Any]:
    subscription = payload["subscription"]
    if kind == twitch.VERIFICATION:
        return Response(str(payload["challenge"]), media_type=MediaType.TEXT, status_code=200)
    if kind == twitch.REVOCATION:
        await in_thread(
            clipbot.subscription_revoked,
            Platform.TWITCH,
            str(subscription["id"]),
            str(subscription.get("status", "revoked")),
        )
        return Response(None, status_code=204)
    if kind != twitch.NOTIFICATION:
        raise BadPayload(f"unknown message type {kind[:40]!r}")
    await _twitch_event(
        str(subscription["type"]), payload["event"], delivery, now, clipbot, settings
    )
    return Response(None, status_code=204)


async def _twitch_event(
    event_type: str,
    event: dict[str, Any],
    delivery: str,
    now: datetime,
    clipbot: ClipBot,
    settings: Settings,
) -> None:
    if event_type == "channel.chat.message":
        message = twitch.chat_message(event, delivery, now, settings.bot.twitch_bot_user_id)
        if message is not None:
            await in_thread(clipbot.on_message, message)
    elif event_type == "stream.online":
        started = twitch.parse_timestamp(str(event["started_at"]))
        channel = str(event["broadcaster_user_id"])
        await in_thread(clipbot.stream_started, Platform.TWITCH, channel, delivery, started)
    elif event_type == "stream.offline":
        channel = str(event["broadcaster_user_id"])
        await in_thread(clipbot.stream_ended, Platform.TWITCH, channel, delivery)
    # Other subscription types are acknowledged and ignored.


# -- Discord interactions ------------------------------------------------------------------------


@post("/discord", status_code=200, summary="Discord interactions endpoint", include_in_schema=False)
async def discord_interactions(
    request: AnyRequest,
    clipbot: ClipBotDependency,
    settings: SettingsDependency,
) -> Response[Any]:
    public_key = settings.bot.discord_public_key
    if not public_key:
        return unconfigured("CLIPNET_DISCORD_PUBLIC_KEY")
    body, headers = await request.body(), request.headers
    try:
        discord.verify_interaction(
            public_key,
            headers.get(discord.HEADER_SIGNATURE, ""),
            headers.get(discord.HEADER_TIMESTAMP, ""),
            body,
            clipbot.now(),
        )
        payload = json_object(body)
        if payload.get("type") == discord.PING:
            return Response({"type": discord.PONG})
        if payload.get("type") != discord.APPLICATION_COMMAND:
            raise BadPayload(f"unsupported interaction type {payload.get('type')!r}")
        message = discord.command_message(payload, clipbot.now())
    except WebhookRejected as error:
        return rejected(401, error)
    except (BadPayload, KeyError, TypeError, ValueError) as error:
        return bad_payload(error)
    answer = await in_thread(clipbot.on_message, message, answer_inline=True)
    if answer.deferred:
        return Response({"type": discord.DEFERRED_CHANNEL_MESSAGE})
    text = answer.text or SLOW_DOWN  # an ignored command is one still cooling down
    flags = 0 if answer.text else discord.EPHEMERAL
    return Response({"type": discord.CHANNEL_MESSAGE, "data": {"content": text, "flags": flags}})


# -- X Account Activity --------------------------------------------------------------------------


@get("/x", summary="X webhook CRC check", include_in_schema=False)
async def x_crc(settings: SettingsDependency, crc_token: FromQuery[str] = "") -> Response[Any]:
    secret = settings.bot.x_consumer_secret
    if not secret:
        return unconfigured("CLIPNET_X_CONSUMER_SECRET")
    if not crc_token:
        return problem(400, "bad-request", "Missing crc_token", "the CRC check needs crc_token")
    return Response(x.crc_response(secret, crc_token))


@post("/x", status_code=200, summary="X Account Activity webhook", include_in_schema=False)
async def x_activity(
    request: AnyRequest,
    clipbot: ClipBotDependency,
    settings: SettingsDependency,
) -> Response[Any]:
    secret = settings.bot.x_consumer_secret
    if not secret:
        return unconfigured("CLIPNET_X_CONSUMER_SECRET")
    body = await request.body()
    try:
        x.verify_x(secret, body, request.headers.get(x.HEADER_SIGNATURE, ""))
        messages = x.mention_messages(json_object(body), clipbot.now())
    except WebhookRejected as error:
        return rejected(403, error)
    except (BadPayload, KeyError, TypeError, ValueError) as error:
        return bad_payload(error)
    for message in messages:
        await in_thread(clipbot.on_message, message)
    return Response({"received": len(messages)})


ROUTES = [twitch_eventsub, discord_interactions, x_crc, x_activity]
router = Router("/bot", route_handlers=ROUTES, tags=["clipbot"])
