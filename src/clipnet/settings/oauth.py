"""OAuth provider settings: the real endpoints, and parsers for the overrides and clients.

``CLIPNET_OAUTH_CLIENTS=twitch=ID:SECRET,youtube=ID:SECRET`` enables providers;
``CLIPNET_OAUTH_ENDPOINTS=twitch=AUTHORIZE_URL|TOKEN_URL|USERINFO_URL[|REVOKE_URL]`` moves one
(tests point them at a loopback provider); without a revoke URL, a moved provider is not asked
to revoke the tokens of an account that is unlinked.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from clipnet.domain.shared.platforms import Platform
from clipnet.ports.oauth import ProviderEndpoints

PROVIDERS = ("twitch", "youtube", "tiktok", "discord", "x")

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


def _split_items(raw: str) -> Iterable[tuple[str, str]]:
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, eq, value = item.partition("=")
        name = name.strip().lower()
        if not eq or name not in PROVIDERS:
            raise ValueError(f"expected PROVIDER=... items, provider one of {', '.join(PROVIDERS)}")
        yield name, value.strip()


def as_oauth_clients(raw: str) -> tuple[str, ...]:
    """``provider=client_id:client_secret`` items (validated, kept as written)."""
    items = []
    for name, value in _split_items(raw):
        client_id, colon, secret = value.partition(":")
        if not client_id or not colon or not secret:
            raise ValueError(f"{name}: expected {name}=CLIENT_ID:CLIENT_SECRET")
        items.append(f"{name}={value}")
    return tuple(items)


def as_oauth_endpoints(raw: str) -> tuple[str, ...]:
    """``provider=authorize|token|userinfo[|revoke]`` items, each an http(s) URL."""
    items = []
    for name, value in _split_items(raw):
        urls = value.split("|")
        if len(urls) not in (3, 4) or not all(
            urlsplit(u).scheme in {"http", "https"} and urlsplit(u).hostname for u in urls
        ):
            raise ValueError(
                f"{name}: expected {name}=AUTHORIZE_URL|TOKEN_URL|USERINFO_URL[|REVOKE_URL]"
            )
        items.append(f"{name}={value}")
    return tuple(items)


def pairs(items: Iterable[str]) -> dict[str, str]:
    """``provider=value`` items as a dict (for the container)."""
    return dict(item.split("=", 1) for item in items)


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
