"""Access tokens: compact JSON claims signed with HMAC-SHA256 (stdlib only, no JWT library).

``payload.signature``, both base64url. The signing key is derived from the deployment's
secret keys, so rotating those (newest first) rotates this key too; older keys still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from clipnet.domain.shared.access import Role
from clipnet.ports.accounts import AccessClaims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_key(secret: str, purpose: str = "clipnet-access-token") -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


class HmacAccessTokens:
    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise ValueError("access tokens need at least one secret key")
        self._keys = [derive_key(s) for s in secrets]

    def issue(self, claims: AccessClaims) -> str:
        payload = {
            "u": claims.user_id,
            "r": claims.role.value,
            "s": claims.session_id,
            "e": int(claims.expires_at.timestamp()),
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._sign(self._keys[0], body)}"

    def read(self, token: str, now: datetime) -> AccessClaims | None:
        body, dot, signature = token.partition(".")
        # A token we issued is base64url ASCII; anything else (a header decoded as Latin-1,
        # say) is simply not one, and hmac.compare_digest refuses non-ASCII str.
        if not dot or len(token) > 4096 or not token.isascii():
            return None
        if not any(hmac.compare_digest(self._sign(k, body), signature) for k in self._keys):
            return None
        try:
            payload = json.loads(_unb64(body))
            claims = AccessClaims(
                user_id=str(payload["u"]),
                role=Role(payload["r"]),
                session_id=str(payload["s"]),
                expires_at=datetime.fromtimestamp(int(payload["e"]), UTC),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return claims if claims.expires_at > now else None

    @staticmethod
    def _sign(key: bytes, body: str) -> str:
        return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())
