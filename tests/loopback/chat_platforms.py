"""Loopback Twitch Helix, Discord and X APIs: the calls ClipBOT's chat adapters make
(and, on Helix, Create Clip, Get Clips and Get Clips Download, with the clip's video).

Each server checks authentication and the body the way the platform documents it, records
what it accepted, and can be told to answer the next requests with 429 (and a wait).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs

from tests.loopback.server import JsonHandler, serve

TWITCH_CLIENT_ID = "twitch-client-id"
TWITCH_TOKEN = "twitch-bot-token"
DISCORD_APP = "discord-app-1"
DISCORD_BOT_TOKEN = "discord-bot-token"
X_TOKEN = "x-bot-token"


@attrs.define
class Throttle:
    """Answer the next ``count`` requests with 429 and these headers and body."""

    count: int = 0
    headers: dict[str, str] = attrs.field(factory=dict)
    body: dict[str, Any] = attrs.field(factory=dict)


@attrs.define
class TwitchClipsState:
    """What the loopback Helix does with clips: Twitch makes them asynchronously."""

    looks_before_ready: int = 2
    """Get Clips answers an empty list this many times per clip before showing it."""
    never_ready: bool = False
    """The clip is never made (Twitch's failure: not found after 15 s)."""
    live: bool = True
    """Create Clip needs the broadcaster live; Helix answers 404 otherwise."""
    media: bytes = b""
    """The video served at each clip's download URL."""
    created: list[str] = attrs.field(factory=list)
    """Broadcaster ids of every Create Clip accepted, in order."""
    looks: dict[str, int] = attrs.field(factory=dict)
    """Get Clips calls per clip id."""
    downloads: list[str] = attrs.field(factory=list)
    """Clip ids whose media was fetched."""


@attrs.define
class ChatServerState:
    received: list[tuple[str, dict[str, Any]]] = attrs.field(factory=list)
    """(path, JSON body) of every accepted message, in order."""
    attempts: int = 0
    """Every request, accepted or not."""
    throttle: Throttle = attrs.field(factory=Throttle)
    failures: int = 0
    """Answer the next ``failures`` requests with 503."""
    nonces: dict[str, str] = attrs.field(factory=dict)
    ids: Iterator[int] = attrs.field(factory=lambda: itertools.count(1))
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    clips: TwitchClipsState = attrs.field(factory=TwitchClipsState)
    """Helix only."""

    def texts(self) -> list[str]:
        return [
            body.get("message") or body.get("content") or body.get("text")
            for _, body in self.received
        ]


class _ChatHandler(JsonHandler):
    state: ChatServerState

    def route(self, method: str) -> None:
        state: ChatServerState = self.server.state  # type: ignore[attr-defined]
        with state.lock:
            state.attempts += 1
            if state.throttle.count > 0:
                state.throttle.count -= 1
                self.send_json(429, state.throttle.body, state.throttle.headers)
                return
            if state.failures > 0:
                state.failures -= 1
                self.send_json(503, {"message": "unavailable"})
                return
            self.accept(method, state)

    def accept(self, method: str, state: ChatServerState) -> None:
        raise NotImplementedError


class HelixHandler(_ChatHandler):
    def accept(self, method: str, state: ChatServerState) -> None:
        if method == "GET" and self.route_path.startswith("/media/"):
            return self.send_bytes(200, state.clips.media, "video/mp4")  # the CDN: no token
        routes = {
            ("POST", "/helix/chat/messages"): self.chat_message,
            ("POST", "/helix/clips"): self.create_clip,
            ("GET", "/helix/clips"): self.get_clips,
            ("GET", "/helix/clips/downloads"): self.get_clip_download,
        }
        handler = routes.get((method, self.route_path))
        if handler is None:
            return self.send_json(404, {"error": "Not Found", "status": 404})
        if (
            self.headers.get("Authorization") != f"Bearer {TWITCH_TOKEN}"
            or self.headers.get("Client-Id") != TWITCH_CLIENT_ID
        ):
            return self.send_json(401, {"error": "Unauthorized", "status": 401})
        handler(state)

    def chat_message(self, state: ChatServerState) -> None:
        body = self.json_body()
        if not body.get("broadcaster_id") or not body.get("sender_id") or not body.get("message"):
            return self.send_json(400, {"error": "Bad Request", "message": "missing field"})
        state.received.append((self.route_path, body))
        message_id = f"twitch-msg-{next(state.ids)}"
        self.send_json(
            200, {"data": [{"message_id": message_id, "is_sent": True, "drop_reason": None}]}
        )

    def create_clip(self, state: ChatServerState) -> None:
        broadcaster = self.query.get("broadcaster_id", "")
        if not broadcaster:
            return self.send_json(400, {"error": "Bad Request", "message": "broadcaster_id"})
        if not state.clips.live:
            return self.send_json(404, {"error": "Not Found", "message": "not broadcasting live"})
        state.clips.created.append(broadcaster)
        clip_id = f"{broadcaster}-Clip{next(state.ids)}"
        state.clips.looks[clip_id] = 0
        edit_url = f"https://clips.twitch.tv/{clip_id}/edit"
        self.send_json(202, {"data": [{"id": clip_id, "edit_url": edit_url}]})

    def get_clips(self, state: ChatServerState) -> None:
        clip_id = self.query.get("id", "")
        if clip_id not in state.clips.looks:
            return self.send_json(200, {"data": [], "pagination": {}})
        state.clips.looks[clip_id] += 1
        waiting = state.clips.looks[clip_id] <= state.clips.looks_before_ready
        if state.clips.never_ready or waiting:
            return self.send_json(200, {"data": [], "pagination": {}})
        clip = {
            "id": clip_id,
            "url": f"https://clips.twitch.tv/{clip_id}",
            "broadcaster_id": clip_id.rsplit("-Clip", 1)[0],
            "title": "Twitch clip title",
            "duration": 30.0,
        }
        self.send_json(200, {"data": [clip], "pagination": {}})

    def get_clip_download(self, state: ChatServerState) -> None:
        clip_id = self.query.get("clip_id", "")
        broadcaster = clip_id.rsplit("-Clip", 1)[0]
        if clip_id not in state.clips.looks or self.query.get("broadcaster_id") != broadcaster:
            return self.send_json(400, {"error": "Bad Request", "message": "unknown clip"})
        if not self.query.get("editor_id"):
            return self.send_json(400, {"error": "Bad Request", "message": "editor_id"})
        state.clips.downloads.append(clip_id)
        url = f"http://127.0.0.1:{self.server.server_address[1]}/media/{clip_id}.mp4"
        self.send_json(
            200,
            {
                "data": [
                    {
                        "clip_id": clip_id,
                        "landscape_download_url": url,
                        "portrait_download_url": None,
                    }
                ]
            },
        )


class DiscordHandler(_ChatHandler):
    def accept(self, method: str, state: ChatServerState) -> None:
        body = self.json_body()
        parts = self.route_path.strip("/").split("/")
        if method == "POST" and parts[:2] == ["webhooks", DISCORD_APP] and len(parts) == 3:
            pass  # a follow-up: the interaction token in the path is the credential
        elif method == "POST" and parts[0] == "channels" and parts[2:] == ["messages"]:
            if self.headers.get("Authorization") != f"Bot {DISCORD_BOT_TOKEN}":
                return self.send_json(401, {"message": "401: Unauthorized", "code": 0})
            nonce = str(body.get("nonce", ""))
            if body.get("enforce_nonce") and nonce in state.nonces:
                return self.send_json(200, {"id": state.nonces[nonce], "content": body["content"]})
        else:
            return self.send_json(404, {"message": "404: Not Found", "code": 0})
        if not body.get("content"):
            return self.send_json(400, {"message": "Cannot send an empty message", "code": 50006})
        state.received.append((self.route_path, body))
        message_id = str(100000 + next(state.ids))
        if body.get("nonce"):
            state.nonces[str(body["nonce"])] = message_id
        self.send_json(200, {"id": message_id, "content": body["content"]})


class XHandler(_ChatHandler):
    def accept(self, method: str, state: ChatServerState) -> None:
        if (method, self.route_path) != ("POST", "/2/tweets"):
            return self.send_json(404, {"title": "Not Found Error"})
        if self.headers.get("Authorization") != f"Bearer {X_TOKEN}":
            return self.send_json(401, {"title": "Unauthorized", "status": 401})
        body = self.json_body()
        if not body.get("text"):
            return self.send_json(400, {"title": "Invalid Request"})
        state.received.append((self.route_path, body))
        self.send_json(201, {"data": {"id": str(9000 + next(state.ids)), "text": body["text"]}})


@contextmanager
def helix_server() -> Iterator[tuple[str, ChatServerState]]:
    state = ChatServerState()
    with serve(HelixHandler, state) as url:
        yield url, state


@contextmanager
def discord_server() -> Iterator[tuple[str, ChatServerState]]:
    state = ChatServerState()
    with serve(DiscordHandler, state) as url:
        yield url, state


@contextmanager
def x_server() -> Iterator[tuple[str, ChatServerState]]:
    state = ChatServerState()
    with serve(XHandler, state) as url:
        yield url, state
