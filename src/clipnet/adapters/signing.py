"""Shared pieces of webhook signature checks: HMAC, constant-time comparison, rejections."""

from __future__ import annotations

import hashlib
import hmac


class WebhookRejected(Exception):
    """A webhook delivery failed verification; the message says why (safe to log)."""


class SignatureInvalid(WebhookRejected):
    """The signature is missing, malformed or does not match the body."""


class StaleDelivery(WebhookRejected):
    """The delivery's timestamp is too old (or too far ahead) to accept: a possible replay."""


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def same(expected: str, given: str) -> bool:
    """Constant-time comparison of two header values (any text, never an exception)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))
