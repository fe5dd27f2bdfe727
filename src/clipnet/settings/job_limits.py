"""Per-job-type numbers in one setting: ``ffmpeg:polish=3600,post:youtube=600``."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from clipnet.domain.jobs.model import JobType

_KNOWN = {job_type.value for job_type in JobType}


@attrs.frozen
class PerJobType:
    """Numbers for some job types; the others use the setting's general value."""

    values: tuple[tuple[str, float], ...] = ()

    def get(self, job_type: JobType, default: float) -> float:
        return dict(self.values).get(job_type.value, default)

    def __str__(self) -> str:
        return ",".join(f"{name}={value:g}" for name, value in self.values)


def as_per_job_type(minimum: float) -> Callable[[str], PerJobType]:
    """Parse ``TYPE=NUMBER`` pairs separated by commas; types are the seed's job names."""

    def parse(raw: str) -> PerJobType:
        pairs: dict[str, float] = {}
        for item in filter(None, (part.strip() for part in raw.split(","))):
            name, sep, number = item.partition("=")
            name = name.strip()
            if not sep or name not in _KNOWN:
                known = ", ".join(sorted(_KNOWN))
                raise ValueError(f"expected TYPE=NUMBER pairs with TYPE one of {known}")
            try:
                value = float(number)
            except ValueError:
                raise ValueError(f"{name}: expected a number") from None
            if value < minimum:
                raise ValueError(f"{name}: must be at least {minimum:g}")
            pairs[name] = value
        return PerJobType(tuple(sorted(pairs.items())))

    return parse
