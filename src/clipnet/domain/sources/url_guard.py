"""The SSRF guard: a source URL must be http(s), on an allowed host, and resolve only to
public addresses (no private, loopback, link-local, multicast or reserved ones).

:meth:`UrlGuard.check` is for the URL a user gives; :meth:`UrlGuard.check_hop` for every
other URL a download opens (each redirect, the media URL a page resolves to, HLS segments):
those live on CDN hosts no list can name, so only the address rule applies to them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from clipnet.domain.shared.errors import InvalidInput
from clipnet.ports.network import HostResolver

MAX_URL_LENGTH = 2048


ANY_HOST = "*"
"""An allowed-hosts entry that lets every host through (the address rule still applies)."""


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """``host`` is an allowed host or a subdomain of one (``cdn.example.com`` under
    ``example.com``), or the list holds :data:`ANY_HOST`; comparison ignores case and a
    trailing dot."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if entry == ANY_HOST:
            return True
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


def _networks(entries: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries if entry)
    except ValueError as error:
        raise InvalidInput(f"not an IP address or network: {error}") from None


class UrlGuard:
    def __init__(
        self,
        allowed_hosts: Iterable[str],
        resolver: HostResolver,
        allowed_addresses: Iterable[str] = (),
    ) -> None:
        """``allowed_addresses``: non-public addresses or networks let through all the same
        (a media server on the private network; a test's loopback server). Empty by default."""
        self._allowed = tuple(allowed_hosts)
        self._resolver = resolver
        self._allowed_networks = _networks(allowed_addresses)

    def check(self, url: str) -> str:
        """The URL back if it may be fetched; InvalidInput naming the reason otherwise."""
        url, host = self._parts(url)
        if not host_allowed(host, self._allowed):
            raise InvalidInput(f"host {host!r} is not on the list of allowed source hosts")
        self._require_public(host)
        return url

    def check_hop(self, url: str) -> str:
        """A URL a download reaches on its way (a redirect, a resolved media URL): the same
        rules but the host list; InvalidInput naming the reason otherwise."""
        url, host = self._parts(url)
        self._require_public(host)
        return url

    @staticmethod
    def _parts(url: str) -> tuple[str, str]:
        """The stripped URL and its host, if its form is acceptable."""
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
        return url.strip(), host

    def _require_public(self, host: str) -> None:
        addresses = self._resolver.addresses(host)
        if not addresses:
            raise InvalidInput(f"host {host!r} does not resolve")
        blocked = [a for a in addresses if not self._permitted(a)]
        if blocked:
            raise InvalidInput(
                f"host {host!r} resolves to a non-public address ({blocked[0]}); refused"
            )

    def _permitted(self, address: str) -> bool:
        if is_public_address(address):
            return True
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in network for network in self._allowed_networks)
