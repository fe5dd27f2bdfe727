"""Publishing live events, best effort: the database holds the truth, and an event only
tells a watching studio that something changed (and what), so a log that cannot be reached
costs a notice in the logs, never the change itself."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from clipnet.ports.events import EventLog

log = logging.getLogger(__name__)

CLIP_STATUS = "clip.status"
SOURCE_STATUS = "source.status"
JOB_PROGRESS = "job.progress"
POST_STATUS = "post.status"
KINDS = (CLIP_STATUS, SOURCE_STATUS, JOB_PROGRESS, POST_STATUS)


class LiveEvents:
    def __init__(self, event_log: EventLog | None = None) -> None:
        """Without a log (an embedding that shows no live view) nothing is published."""
        self._log = event_log

    def publish(self, owner_id: str, kind: str, data: Mapping[str, Any]) -> None:
        """Tell the owner's watchers; call after the change was committed. Never raises."""
        if self._log is None or not owner_id:
            return
        try:
            self._log.publish(owner_id, kind, data)
        except Exception as error:  # best effort, see the module's docstring
            log.warning("live event %s for user %s not published: %s", kind, owner_id, error)
