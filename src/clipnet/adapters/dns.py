"""Host name resolution with the system resolver."""

from __future__ import annotations

import socket


class SystemResolver:
    def addresses(self, host: str) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError, OSError):
            return []
        return sorted({str(info[4][0]) for info in infos})
