"""OpenAPI descriptions of ClipBOT's signed webhooks (``/bot/*``).

The handlers read the raw body (a signature is checked on the exact bytes before anything is
parsed), so Litestar can infer neither the body nor the signature headers; each webhook's
:class:`~litestar.openapi.spec.Operation` subclass puts them in. The headers are documented,
not declared as handler parameters: a missing or wrong signature is the signature check's
answer (401/403 ``bad-signature``), the same as a forged one, not a generic 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIType

from clipnet.adapters.discord import interactions as discord
from clipnet.adapters.twitch import eventsub as twitch
from clipnet.adapters.x import webhooks as x

OBJECT, STRING, INTEGER = OpenAPIType.OBJECT, OpenAPIType.STRING, OpenAPIType.INTEGER


def _minutes(age: timedelta) -> int:
    return int(age.total_seconds() // 60)


def _header(name: str, description: str) -> Parameter:
    return Parameter(
        name=name,
        param_in="header",
        required=True,
        schema=Schema(type=STRING, min_length=1),
        description=description,
    )


def _json_body(description: str, schema: Schema) -> RequestBody:
    return RequestBody(
        required=True,
        description=description,
        content={"application/json": OpenAPIMediaType(schema=schema)},
    )


def _json_answer(description: str, schema: Schema) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=description, content={"application/json": OpenAPIMediaType(schema=schema)}
    )


def _object(required: list[str] | None = None, **properties: Schema | Reference) -> Schema:
    return Schema(type=OBJECT, required=required, properties=properties or None)


TWITCH_HEADERS = [
    _header(twitch.HEADER_ID, "The delivery's id; a delivery seen before is acknowledged, once."),
    _header(
        twitch.HEADER_TIMESTAMP,
        "RFC 3339 time the delivery was sent; more than "
        f"{_minutes(twitch.MAX_AGE)} minutes off is refused (replays).",
    ),
    _header(
        twitch.HEADER_SIGNATURE,
        "`sha256=` + hex HMAC-SHA256 over id + timestamp + raw body, keyed with "
        "CLIPNET_TWITCH_EVENTSUB_SECRET.",
    ),
    _header(
        twitch.HEADER_TYPE,
        f"`{twitch.VERIFICATION}`, `{twitch.NOTIFICATION}` or `{twitch.REVOCATION}`.",
    ),
]
TWITCH_BODY = _json_body(
    "An EventSub delivery: `channel.chat.message` and `stream.online`/`stream.offline` "
    "notifications, the callback verification, or a revocation.",
    _object(
        ["subscription"],
        subscription=_object(
            ["id", "type"],
            id=Schema(type=STRING),
            type=Schema(type=STRING, description="e.g. channel.chat.message"),
            version=Schema(type=STRING),
            status=Schema(type=STRING),
            condition=_object(),
        ),
        challenge=Schema(type=STRING, description="On webhook_callback_verification"),
        event=_object(),
    ),
)
TWITCH_ANSWERS = {
    "200": OpenAPIResponse(
        description="The verification's challenge, echoed",
        content={"text/plain": OpenAPIMediaType(schema=Schema(type=STRING))},
    ),
    "204": OpenAPIResponse(description="A notification or revocation, received"),
}

DISCORD_HEADERS = [
    _header(
        discord.HEADER_SIGNATURE,
        "Hex Ed25519 signature of timestamp + raw body, checked with CLIPNET_DISCORD_PUBLIC_KEY.",
    ),
    _header(
        discord.HEADER_TIMESTAMP,
        f"Unix seconds; more than {_minutes(discord.MAX_AGE)} minutes off is refused (replays).",
    ),
]
DISCORD_BODY = _json_body(
    "An interaction: a PING (type 1) or a slash command (type 2: /clip, /vote, …).",
    _object(
        ["type"],
        type=Schema(type=INTEGER, enum=[discord.PING, discord.APPLICATION_COMMAND]),
        id=Schema(type=STRING),
        token=Schema(type=STRING, description="Sealed at once; never stored in the clear"),
        channel_id=Schema(type=STRING),
        data=_object(name=Schema(type=STRING), options=Schema(type=OpenAPIType.ARRAY)),
        member=_object(),
        user=_object(),
    ),
)
DISCORD_ANSWERS = {
    "200": _json_answer(
        "The interaction response: PONG (type 1), the answer (type 4) or deferred (type 5)",
        _object(["type"], type=Schema(type=INTEGER), data=_object(content=Schema(type=STRING))),
    )
}

X_HEADERS = [
    _header(
        x.HEADER_SIGNATURE,
        "`sha256=` + base64 HMAC-SHA256 of the raw body, keyed with CLIPNET_X_CONSUMER_SECRET.",
    )
]
X_BODY = _json_body(
    "An Account Activity delivery; posts that mention the bot are read as commands.",
    _object(
        ["for_user_id"],
        for_user_id=Schema(type=STRING),
        tweet_create_events=Schema(type=OpenAPIType.ARRAY, items=_object()),
    ),
)
X_ANSWERS = {
    "200": _json_answer(
        "How many messages were read", _object(["received"], received=Schema(type=INTEGER))
    )
}
X_CRC_ANSWERS = {
    "200": _json_answer(
        "The challenge-response check's answer",
        _object(
            ["response_token"],
            response_token=Schema(
                type=STRING,
                description="`sha256=` + base64 HMAC-SHA256 of crc_token, keyed with "
                "CLIPNET_X_CONSUMER_SECRET",
            ),
        ),
    )
}


def _describe(
    operation: Operation,
    headers: list[Parameter],
    body: RequestBody | None,
    answers: dict[str, OpenAPIResponse],
) -> None:
    """Put in what the raw-body handler cannot show; keep what Litestar inferred (query
    parameters, the problem responses)."""
    inferred = [p for p in operation.parameters or [] if getattr(p, "param_in", "") != "header"]
    operation.parameters = [*inferred, *headers] or None
    if body is not None:
        operation.request_body = body
    # The answers replace the route's generic "200: any JSON"; the problem responses stay.
    operation.responses = {**(operation.responses or {}), **answers}
    operation.security = []  # signed by the platform, no bearer token


@dataclass
class TwitchOperation(Operation):
    def __post_init__(self) -> None:
        _describe(self, TWITCH_HEADERS, TWITCH_BODY, TWITCH_ANSWERS)


@dataclass
class DiscordOperation(Operation):
    def __post_init__(self) -> None:
        _describe(self, DISCORD_HEADERS, DISCORD_BODY, DISCORD_ANSWERS)


@dataclass
class XActivityOperation(Operation):
    def __post_init__(self) -> None:
        _describe(self, X_HEADERS, X_BODY, X_ANSWERS)


@dataclass
class XCrcOperation(Operation):
    def __post_init__(self) -> None:
        _describe(self, [], None, X_CRC_ANSWERS)
