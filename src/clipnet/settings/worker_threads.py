"""Threads per queue group in one setting: ``CLIPNET_WORKER_QUEUES=media=2,chat=2,publish=1``."""

from __future__ import annotations

import attrs

from clipnet.domain.jobs.groups import QueueGroup

_NAMES = ", ".join(group.value for group in QueueGroup)


@attrs.frozen
class ThreadsPerGroup:
    """Thread counts for some groups; the others get the worker's ``--threads``. A group set
    to 0 is left to other workers (a process of chat threads only, say)."""

    values: tuple[tuple[QueueGroup, int], ...] = ()

    def plan(self, threads: int) -> dict[QueueGroup, int]:
        """Every group's threads for a worker started with ``threads``; 0 for a group it
        does not run."""
        own = dict(self.values)
        return {group: own.get(group, threads) for group in QueueGroup}

    def __str__(self) -> str:
        return ",".join(f"{group.value}={count}" for group, count in self.values)


def as_threads_per_group(raw: str) -> ThreadsPerGroup:
    """Parse ``GROUP=THREADS`` pairs separated by commas, each group at most once."""
    counts: dict[QueueGroup, int] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, sep, number = (part.strip() for part in item.partition("="))
        try:
            group = QueueGroup(name.lower())
        except ValueError:
            raise ValueError(f"expected GROUP=THREADS pairs with GROUP one of {_NAMES}") from None
        if not sep or not number.isdigit():
            raise ValueError(f"{group.value}: expected a whole number of threads (0 or more)")
        if group in counts:
            raise ValueError(f"{group.value} is given twice")
        counts[group] = int(number)
    return ThreadsPerGroup(tuple((group, counts[group]) for group in QueueGroup if group in counts))
