"""Publishing clips on video platforms over their HTTP APIs (YouTube, TikTok), with httpx.

Idempotency: a publisher remembers, per instance, the result of each idempotency key, so a
repeat within one process returns the first post. That memory does not survive a restart or
reach another worker; the guard that does is the domain's Post record (one per clip and
platform, unique idempotency key), checked and written before and after calling ``publish``.
"""

from clipnet.adapters.publishing.tiktok import TikTokPublisher
from clipnet.adapters.publishing.youtube import YouTubePublisher

__all__ = ["TikTokPublisher", "YouTubePublisher"]
