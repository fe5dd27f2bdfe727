"""ClipBOT's chat adapters and clip makers, built from settings: a platform without
credentials has none."""

from __future__ import annotations

from clipnet.adapters.chat_http import ChatHttp
from clipnet.adapters.discord.chat import DiscordChat
from clipnet.adapters.twitch.clips import HelixClips
from clipnet.adapters.twitch.helix import TwitchChat
from clipnet.adapters.x.chat import XChat
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.chat import ChatPlatform
from clipnet.ports.platform_clips import PlatformClipMaker
from clipnet.settings.sections import BotSettings


def chat_platforms(bot: BotSettings) -> dict[Platform, ChatPlatform]:
    """One adapter per configured platform; ``clipbot:post`` for another fails permanently."""
    chats: dict[Platform, ChatPlatform] = {}
    if bot.twitch_bot_token and bot.twitch_client_id and bot.twitch_bot_user_id:
        chats[Platform.TWITCH] = TwitchChat(
            bot.twitch_api_url,
            bot.twitch_client_id,
            bot.twitch_bot_token,
            bot.twitch_bot_user_id,
            ChatHttp("twitch"),
        )
    if bot.discord_application_id:
        chats[Platform.DISCORD] = DiscordChat(
            bot.discord_api_url,
            bot.discord_application_id,
            bot.discord_bot_token,
            ChatHttp("discord"),
        )
    if bot.x_bot_token:
        chats[Platform.X] = XChat(bot.x_api_url, bot.x_bot_token, ChatHttp("x"))
    return chats


def clip_makers(bot: BotSettings, max_bytes: int) -> dict[Platform, PlatformClipMaker]:
    """Twitch makes ``!clip`` clips itself when ``CLIPNET_TWITCH_CLIPS`` is on."""
    if not (
        bot.twitch_clips
        and bot.twitch_bot_token
        and bot.twitch_client_id
        and bot.twitch_bot_user_id
    ):
        return {}
    helix = HelixClips(
        bot.twitch_api_url,
        bot.twitch_client_id,
        bot.twitch_bot_token,
        bot.twitch_bot_user_id,
        ChatHttp("twitch"),
        max_bytes=max_bytes,
    )
    return {Platform.TWITCH: helix}
