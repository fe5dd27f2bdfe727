"""The OAuth2 providers ClipNET speaks to: their documented endpoints and the scopes it asks
for, and the enabled providers built from the operator's settings.

``CLIPNET_OAUTH_CLIENTS`` enables a provider; ``CLIPNET_OAUTH_ENDPOINTS`` moves one (tests point
them at a loopback provider). A moved provider without a revoke URL is not asked to revoke the
tokens of an account that is unlinked.
"""

from __future__ import annotations

from collections.abc import Iterable

from clipnet.domain.shared.platforms import Platform
from clipnet.ports.oauth import ProviderEndpoints
from clipnet.settings.oauth import pairs

#: provider -> (authorize URL, token URL, user-info URL, scopes)
DEFAULT_ENDPOINTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "twitch": (
        "https://id.twitch.tv/oauth2/authorize",
        "https://id.twitch.tv/oauth2/token",
        "https://api.twitch.tv/helix/users",
        ("clips:edit", "user:read:email"),
    ),
    "youtube": (
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        "https://openidconnect.googleapis.com/v1/userinfo",
        ("openid", "https://www.googleapis.com/auth/youtube.upload"),
    ),
    "tiktok": (
        "https://www.tiktok.com/v2/auth/authorize/",
        "https://open.tiktokapis.com/v2/oauth/token/",
        "https://open.tiktokapis.com/v2/user/info/?fields=open_id",
        ("user.info.basic", "video.upload"),
    ),
    "discord": (
        "https://discord.com/oauth2/authorize",
        "https://discord.com/api/oauth2/token",
        "https://discord.com/api/users/@me",
        ("identify",),
    ),
    "x": (
        "https://x.com/i/oauth2/authorize",
        "https://api.x.com/2/oauth2/token",
        "https://api.x.com/2/users/me",
        ("tweet.read", "tweet.write", "users.read", "offline.access"),
    ),
}


#: provider -> its token revocation endpoint (RFC 7009 or the provider's variant of it)
REVOKE_URLS = {
    "twitch": "https://id.twitch.tv/oauth2/revoke",
    "youtube": "https://oauth2.googleapis.com/revoke",
    "tiktok": "https://open.tiktokapis.com/v2/oauth/revoke/",
    "discord": "https://discord.com/api/oauth2/token/revoke",
    "x": "https://api.x.com/2/oauth2/revoke",
}


def provider_endpoints(
    clients: Iterable[str], overrides: Iterable[str]
) -> dict[Platform, ProviderEndpoints]:
    """The enabled providers (those with a client), at their real or overridden endpoints."""
    moved = pairs(overrides)
    enabled: dict[Platform, ProviderEndpoints] = {}
    for name, credentials in pairs(clients).items():
        authorize, token, userinfo, scopes = DEFAULT_ENDPOINTS[name]
        revoke = REVOKE_URLS[name]
        if name in moved:
            urls = moved[name].split("|")
            authorize, token, userinfo = urls[:3]
            revoke = urls[3] if len(urls) == 4 else ""
        client_id, _, secret = credentials.partition(":")
        enabled[Platform(name)] = ProviderEndpoints(
            Platform(name), authorize, token, userinfo, client_id, secret, scopes, revoke
        )
    return enabled
