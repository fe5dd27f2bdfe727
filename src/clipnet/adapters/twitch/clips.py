"""Twitch Helix clips: Create Clip, Get Clips and Get Clips Download, as the bot account.

https://dev.twitch.tv/docs/api/reference/#create-clip (scope ``clips:edit``)
https://dev.twitch.tv/docs/api/reference/#get-clips
https://dev.twitch.tv/docs/api/reference/#get-clips-download (scope ``editor:manage:clips``
or ``channel:manage:clips``; the bot account must be an editor of the channel)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clipnet.adapters.chat_http import ChatHttp
from clipnet.adapters.twitch.helix import TWITCH_API_URL
from clipnet.domain.clipbot.model import PlatformClip
from clipnet.ports.bot import ChatSendError
from clipnet.ports.platform_clips import PlatformClipError


class HelixClips:
    """Implements :class:`clipnet.ports.platform_clips.PlatformClipMaker` for Twitch."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        token: str,
        editor_id: str,
        http: ChatHttp,
        *,
        max_bytes: int = 512 * 1024**2,
    ) -> None:
        self._url = (base_url or TWITCH_API_URL).rstrip("/") + "/helix/clips"
        self._headers = {"Authorization": f"Bearer {token}", "Client-Id": client_id}
        self._editor_id = editor_id
        self._http = http
        self._max_bytes = max_bytes

    def create(self, channel: str) -> str:
        answer = self._call("POST", self._url, {"broadcaster_id": channel, "has_delay": "false"})
        return str(_first(answer, "Twitch answered Create Clip without a clip")["id"])

    def find(self, clip_id: str) -> PlatformClip | None:
        answer = self._call("GET", self._url, {"id": clip_id})
        data = answer.get("data") if isinstance(answer, dict) else None
        if not data:
            return None  # not made yet
        item = data[0]
        return PlatformClip(
            id=str(item["id"]),
            channel=str(item.get("broadcaster_id", "")),
            url=str(item.get("url", "")),
            title=str(item.get("title", "")),
            duration=float(item.get("duration") or 0.0),
        )

    def download(self, clip: PlatformClip, dest: Path) -> Path:
        params = {"editor_id": self._editor_id, "broadcaster_id": clip.channel, "clip_id": clip.id}
        answer = self._call("GET", self._url + "/downloads", params)
        url = _first(answer, "Twitch has no download for the clip").get("landscape_download_url")
        if not url:
            raise PlatformClipError("Twitch has no download for the clip yet")
        try:
            return self._http.download(str(url), dest, self._max_bytes)
        except ChatSendError as error:
            raise PlatformClipError(str(error), permanent=error.permanent) from None

    def _call(self, method: str, url: str, params: dict[str, str]) -> Any:
        try:
            return self._http.request_json(method, url, self._headers, params=params)
        except ChatSendError as error:
            raise PlatformClipError(str(error), permanent=error.permanent) from None


def _first(answer: Any, problem: str) -> dict[str, Any]:
    try:
        item = answer["data"][0]
    except (KeyError, IndexError, TypeError):
        raise PlatformClipError(problem) from None
    if not isinstance(item, dict):
        raise PlatformClipError(problem)
    return item
