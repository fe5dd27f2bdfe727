"""Time spans within a source recording."""

from __future__ import annotations

import attrs

from clipnet.domain.shared.errors import InvalidInput


def _check_span(instance: TimeSpan, _attribute: attrs.Attribute[float], _value: float) -> None:
    if instance.start < 0:
        raise InvalidInput(f"a span cannot start before 0 s (got {instance.start})")
    if instance.end <= instance.start:
        raise InvalidInput(
            f"a span must end after it starts (got {instance.start} s to {instance.end} s)"
        )


@attrs.frozen(order=True)
class TimeSpan:
    """A half-open interval [start, end) in seconds from the start of a source."""

    start: float = attrs.field(converter=float)
    """Seconds from the start of the source; never negative."""
    end: float = attrs.field(converter=float, validator=_check_span)
    """Seconds from the start of the source; always after ``start``."""

    @property
    def duration(self) -> float:
        return self.end - self.start

    def overlaps(self, other: TimeSpan) -> bool:
        """True when the two spans share any instant (touching ends do not overlap)."""
        return self.start < other.end and other.start < self.end

    def contains(self, seconds: float) -> bool:
        return self.start <= seconds < self.end

    def clamp_to(self, duration: float) -> TimeSpan:
        """This span cut to fit a source of ``duration`` seconds.

        Raises :class:`InvalidInput` when nothing of the span lies inside the source.
        """
        if self.start >= duration:
            raise InvalidInput(
                f"span starting at {self.start} s lies outside a source of {duration} s"
            )
        return TimeSpan(self.start, min(self.end, duration))

    @classmethod
    def ending_at(cls, end: float, length: float) -> TimeSpan:
        """The ``length`` seconds before ``end`` (starting no earlier than 0)."""
        return cls(max(0.0, end - length), end)
