"""ClipBOT's webhooks: Twitch EventSub, Discord interactions and X Account Activity.

Each route checks the signature on the raw body bytes before parsing anything, lets the
platform's adapter turn the body into domain events, hands them to :class:`ClipBotInbox` and
renders the answer. A platform whose secret is not configured answers 503.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from litestar import MediaType, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery

from clipnet.adapters.discord import interactions as discord
from clipnet.adapters.signing import WebhookRejected
from clipnet.adapters.twitch import eventsub as twitch
from clipnet.adapters.webhook_payloads import BadPayload
from clipnet.adapters.x import webhooks as x
from clipnet.domain.clipbot.inbox import ClipBotInbox
from clipnet.entrypoints.http import webhook_openapi as docs
from clipnet.entrypoints.http.problems import problem, problem_responses
from clipnet.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
AnyRequest = Request[Any, Any, Any]
InboxDependency = NamedDependency[ClipBotInbox]
SettingsDependency = NamedDependency[Settings]


async def in_thread(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking domain work (the database, the outbox) off the event loop."""
    return await anyio.to_thread.run_sync(partial(work, *args, **kwargs))


def unconfigured(variable: str) -> Response[Any]:
    return problem(503, "unavailable", "Webhook not configured", f"set {variable} to enable it")


def rejected(status: int, error: WebhookRejected) -> Response[Any]:
    return problem(status, "bad-signature", "Signature check failed", str(error))


def bad_payload(request: AnyRequest, error: BadPayload) -> Response[Any]:
    """400 for a signed body of the wrong shape: the platform stops retrying it, and we log
    it once, as one line (it is the platform's or an attacker's doing, not our fault)."""
    detail = str(error)[:200]
    log.warning("refused a signed %s delivery: %s", request.url.path, detail)
    return problem(400, "bad-request", "Unexpected payload", detail)


@post(
    "/twitch",
    status_code=200,
    summary="Twitch EventSub webhook (signed: Twitch-Eventsub-Message-Signature)",
    operation_class=docs.TwitchOperation,
    responses=problem_responses(400, 403, 413, 503),
)
async def twitch_eventsub(
    request: AnyRequest, clipbot_inbox: InboxDependency, settings: SettingsDependency
) -> Response[Any]:
    secret = settings.bot.twitch_eventsub_secret
    if not secret:
        return unconfigured("CLIPNET_TWITCH_EVENTSUB_SECRET")
    body, headers, now = await request.body(), request.headers, clipbot_inbox.now()
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
        read = twitch.read_eventsub(
            headers.get(twitch.HEADER_TYPE, ""),
            body,
            delivery,
            now,
            settings.bot.twitch_bot_user_id,
        )
    except WebhookRejected as error:
        return rejected(403, error)
    except BadPayload as error:
        return bad_payload(request, error)
    if read.challenge is not None:
        return Response(read.challenge, media_type=MediaType.TEXT, status_code=200)
    for event in read.events:
        await in_thread(clipbot_inbox.receive, event)
    return Response(None, status_code=204)


@post(
    "/discord",
    status_code=200,
    summary="Discord interactions endpoint (signed: X-Signature-Ed25519)",
    operation_class=docs.DiscordOperation,
    responses=problem_responses(400, 401, 413, 503),
)
async def discord_interactions(
    request: AnyRequest, clipbot_inbox: InboxDependency, settings: SettingsDependency
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
            clipbot_inbox.now(),
        )
        message = discord.read_interaction(body, clipbot_inbox.now())
    except WebhookRejected as error:
        return rejected(401, error)
    except BadPayload as error:
        return bad_payload(request, error)
    if message is None:
        return Response(discord.pong())
    answer = await in_thread(clipbot_inbox.receive, message, answer_inline=True)
    return Response(discord.interaction_response(answer))


@get(
    "/x",
    summary="X webhook CRC check (answers crc_token's HMAC)",
    operation_class=docs.XCrcOperation,
    responses=problem_responses(400, 503),
)
async def x_crc(settings: SettingsDependency, crc_token: FromQuery[str] = "") -> Response[Any]:
    secret = settings.bot.x_consumer_secret
    if not secret:
        return unconfigured("CLIPNET_X_CONSUMER_SECRET")
    if not crc_token:
        return problem(400, "bad-request", "Missing crc_token", "the CRC check needs crc_token")
    return Response(x.crc_response(secret, crc_token))


@post(
    "/x",
    status_code=200,
    summary="X Account Activity webhook (signed: x-twitter-webhooks-signature)",
    operation_class=docs.XActivityOperation,
    responses=problem_responses(400, 403, 413, 503),
)
async def x_activity(
    request: AnyRequest, clipbot_inbox: InboxDependency, settings: SettingsDependency
) -> Response[Any]:
    secret = settings.bot.x_consumer_secret
    if not secret:
        return unconfigured("CLIPNET_X_CONSUMER_SECRET")
    body = await request.body()
    try:
        x.verify_x(secret, body, request.headers.get(x.HEADER_SIGNATURE, ""))
        messages = x.read_activity(body, clipbot_inbox.now())
    except WebhookRejected as error:
        return rejected(403, error)
    except BadPayload as error:
        return bad_payload(request, error)
    for message in messages:
        await in_thread(clipbot_inbox.receive, message)
    return Response({"received": len(messages)})


ROUTES = [twitch_eventsub, discord_interactions, x_crc, x_activity]
router = Router("/bot", route_handlers=ROUTES, tags=["clipbot"])
