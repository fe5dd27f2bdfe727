"""Signed webhook deliveries that are not the platform's shape — deep JSON, strings where
objects belong, bad timestamps inside the event — are a 400 the platform stops retrying,
logged once as one WARNING line; never a 500, never a traceback."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.entrypoints.http import create_app
from tests.bot_webhooks import (
    DISCORD_KEY,
    TWITCH_SECRET,
    X_SECRET,
    discord_command,
    discord_delivery,
    twitch_chat,
    twitch_delivery,
    x_delivery,
    x_mention,
)
from tests.unit.http.conftest import memory_container

Delivery = tuple[bytes, dict[str, str]]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    container = memory_container(
        tmp_path,
        CLIPNET_TWITCH_EVENTSUB_SECRET=TWITCH_SECRET,
        CLIPNET_DISCORD_PUBLIC_KEY=DISCORD_KEY.verify_key.encode().hex(),
        CLIPNET_X_CONSUMER_SECRET=X_SECRET,
    )
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


def signed_raw(path: str, body: bytes) -> Delivery:
    """``body`` exactly as given (not re-encoded JSON), signed for ``path``'s platform."""
    if path == "/bot/x":
        digest = hmac.new(X_SECRET.encode(), body, hashlib.sha256).digest()
        return body, {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}
    if path == "/bot/discord":
        stamp = str(int(time.time()))
        signature = DISCORD_KEY.sign(stamp.encode() + body).signature.hex()
        return body, {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": stamp}
    _, headers = twitch_delivery("notification", {}, "raw-1", datetime.now(UTC))
    stamp = headers["Twitch-Eventsub-Message-Timestamp"]
    mac = hmac.new(TWITCH_SECRET.encode(), b"raw-1" + stamp.encode() + body, "sha256")
    return body, {**headers, "Twitch-Eventsub-Message-Signature": "sha256=" + mac.hexdigest()}


def twitch(payload: dict[str, Any]) -> Delivery:
    return twitch_delivery("notification", payload, "n-hostile", datetime.now(UTC))


def discord(payload: dict[str, Any]) -> Delivery:
    return discord_delivery(payload, timestamp=str(int(time.time())))


def changed(base: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    payload = copy.deepcopy(base)
    change(payload)
    return payload


CHAT = twitch_chat("!clip nice")
ONLINE = {
    "subscription": {"id": "sub-2", "type": "stream.online", "version": "1"},
    "event": {"broadcaster_user_id": "broadcaster-1", "started_at": "2026-01-01T00:00:00Z"},
}
COMMAND = discord_command("clip", "epic")
MENTION = x_mention("@bot !clip")

#: (route, delivery maker, a payload that is not the platform's shape)
WRONG_SHAPES: list[tuple[str, Callable[[dict[str, Any]], Delivery], dict[str, Any]]] = [
    ("/bot/twitch", twitch, changed(CHAT, lambda p: p.update(subscription="x"))),
    ("/bot/twitch", twitch, changed(CHAT, lambda p: p.update(event="x"))),
    ("/bot/twitch", twitch, changed(CHAT, lambda p: p["event"].update(message="x"))),
    ("/bot/twitch", twitch, changed(CHAT, lambda p: p["event"].update(message=[1]))),
    ("/bot/twitch", twitch, changed(CHAT, lambda p: p["event"].pop("chatter_user_id"))),
    ("/bot/twitch", twitch, changed(ONLINE, lambda p: p["event"].update(started_at="soon"))),
    ("/bot/twitch", twitch, changed(ONLINE, lambda p: p["event"].update(started_at=[]))),
    ("/bot/discord", discord, changed(COMMAND, lambda p: p.update(data="x"))),
    ("/bot/discord", discord, changed(COMMAND, lambda p: p.update(member="x"))),
    ("/bot/discord", discord, changed(COMMAND, lambda p: p["data"].update(options="x"))),
    ("/bot/discord", discord, changed(COMMAND, lambda p: p["data"].update(options=[1, 2]))),
    ("/bot/discord", discord, changed(COMMAND, lambda p: p["member"].update(user="x"))),
    ("/bot/discord", discord, changed(COMMAND, lambda p: p.pop("channel_id"))),
    ("/bot/discord", discord, changed(COMMAND, lambda p: p.update(type="2"))),
    ("/bot/x", x_delivery, changed(MENTION, lambda p: p.update(tweet_create_events="x"))),
    ("/bot/x", x_delivery, changed(MENTION, lambda p: p.update(tweet_create_events=[1]))),
    (
        "/bot/x",
        x_delivery,
        changed(MENTION, lambda p: p["tweet_create_events"][0].update(extended_tweet="x")),
    ),
    ("/bot/x", x_delivery, changed(MENTION, lambda p: p["tweet_create_events"][0].update(user=""))),
]

RAW_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"just a string"',
    b"\xff\xfe not utf-8",
    b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b"{" * 1000,
    b'{"tweet_create_events": "'
    + b"x" * 100_000
    + b'", "subscription": "x", "data": "x", "type": 2}',
]


def refused_once(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()


@pytest.mark.parametrize(("path", "deliver", "payload"), WRONG_SHAPES)
def test_a_signed_delivery_of_the_wrong_shape_is_a_400_logged_once(
    client: TestClient[Litestar],
    caplog: pytest.LogCaptureFixture,
    path: str,
    deliver: Callable[[dict[str, Any]], Delivery],
    payload: dict[str, Any],
) -> None:
    body, headers = deliver(payload)
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "/problems/bad-request"
    refused_once(caplog)


@pytest.mark.parametrize("body", RAW_BODIES, ids=lambda b: repr(b[:12]))
@pytest.mark.parametrize("path", ["/bot/twitch", "/bot/discord", "/bot/x"])
def test_signed_garbage_and_json_nested_fifty_thousand_deep_are_400(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture, path: str, body: bytes
) -> None:
    body, headers = signed_raw(path, body)
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 400, response.text
    refused_once(caplog)


def test_a_bad_started_at_on_stream_online_is_a_400_not_a_signature_failure(
    client: TestClient[Litestar],
) -> None:
    body, headers = twitch(changed(ONLINE, lambda p: p["event"].update(started_at="yesterday")))
    response = client.post("/bot/twitch", content=body, headers=headers)
    assert response.status_code == 400
    assert "signature" not in response.text.lower()


def test_well_formed_deliveries_still_work(client: TestClient[Litestar]) -> None:
    body, headers = twitch(ONLINE)
    assert client.post("/bot/twitch", content=body, headers=headers).status_code == 204
    body, headers = discord(COMMAND)
    assert client.post("/bot/discord", content=body, headers=headers).status_code == 200
    body, headers = x_delivery(MENTION)
    assert client.post("/bot/x", content=body, headers=headers).json() == {"received": 1}


@pytest.mark.parametrize(
    "headers",
    [
        {"Twitch-Eventsub-Message-Signature": "sha256=é"},
        {"Twitch-Eventsub-Message-Id": "é" * 5000, "Twitch-Eventsub-Message-Timestamp": "é"},
        {"X-Signature-Ed25519": "zz" * 64, "X-Signature-Timestamp": "é"},
        {"X-Signature-Ed25519": "00" * 64, "X-Signature-Timestamp": "9" * 400},
        {"x-twitter-webhooks-signature": "sha256=" + "é" * 3000},
    ],
)
@pytest.mark.parametrize("path", ["/bot/twitch", "/bot/discord", "/bot/x"])
def test_hostile_signature_headers_are_refused_without_a_5xx(
    client: TestClient[Litestar],
    caplog: pytest.LogCaptureFixture,
    path: str,
    headers: dict[str, str],
) -> None:
    raw = {name: value.encode() for name, value in headers.items()}
    response = client.post(path, content=b"{}", headers=raw)
    assert 400 <= response.status_code < 500, response.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
