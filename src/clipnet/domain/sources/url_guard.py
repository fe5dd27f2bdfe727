"""The SSRF guard: a source URL must be http(s), on an allowed host, and resolve only to
public addresses (no private, loopback, link-local, multicast or reserved ones)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from clipnet.domain.shared.errors import InvalidInput
from clipnet.ports.network import HostResolver

MAX_URL_LENGTH = 2048


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """``host`` is an allowed host or a subdomain of one (``cdn.example.com`` under
    ``example.com``); comparison ignores case and a trailing dot."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return True
    return False


def is_public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


class UrlGuard:
    def __init__(self, allowed_hosts: Iterable[str], resolver: HostResolver) -> None:
        self._allowed = tuple(allowed_hosts)
        self._resolver = resolver

    def check(self, url: str) -> str:
        """The URL back if it may be fetched; InvalidInput naming the reason otherwise."""
        if len(url) > MAX_URL_LENGTH:
            raise InvalidInput(f"a source URL can be at most {MAX_URL_LENGTH} characters")
        try:
            parts = urlsplit(url.strip())
            host = parts.hostname or ""
            _ = parts.port  # raises ValueError for a malformed port
        except ValueError:
            raise InvalidInput("the source URL is malformed") from None
        if parts.scheme not in {"http", "https"}:
            raise InvalidInput("a source URL must start with http:// or https://")
        if not host:
            raise InvalidInput("the source URL names no host")
        if parts.username or parts.password:
            raise InvalidInput("a source URL may not carry credentials")
        if not host_allowed(host, self._allowed):
            raise InvalidInput(f"host {host!r} is not on the list of allowed source hosts")
        addresses = self._resolver.addresses(host)
        if not addresses:
            raise InvalidInput(f"host {host!r} does not resolve")
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise InvalidInput(
                f"host {host!r} resolves to a non-public address ({blocked[0]}); refused"
            )
        return url.strip()
