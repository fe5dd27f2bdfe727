"""OAuth provider settings: parsers for the clients an operator registers and for moved
endpoints (the providers' documented endpoints and scopes live in
``clipnet.adapters.oauth_providers``).

``CLIPNET_OAUTH_CLIENTS=twitch=ID:SECRET,youtube=ID:SECRET`` enables providers;
``CLIPNET_OAUTH_ENDPOINTS=twitch=AUTHORIZE_URL|TOKEN_URL|USERINFO_URL[|REVOKE_URL]`` moves one
(tests point them at a loopback provider); without a revoke URL, a moved provider is not asked
to revoke the tokens of an account that is unlinked.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

PROVIDERS = ("twitch", "youtube", "tiktok", "discord", "x")


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
