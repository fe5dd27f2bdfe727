"""Per-second signals measured over a whole source, and the candidate segments cut from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from clipnet.domain.shared.converters import float_map, floats, strings
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan


def _frozen_series(
    values: Mapping[str, tuple[float, ...] | list[float]],
) -> Mapping[str, tuple[float, ...]]:
    return MappingProxyType({str(k): tuple(float(x) for x in v) for k, v in sorted(values.items())})


def _spans(values: Iterable[TimeSpan]) -> tuple[TimeSpan, ...]:
    return tuple(values)


@attrs.frozen(eq=False)
class FeatureTimeline:
    """Signals sampled once per second over a source, measured in one decode pass.

    Stored with the source so that re-scoring never decodes the media again.
    """

    seconds: int
    """Number of one-second samples (the source's duration, rounded up)."""
    series: Mapping[str, tuple[float, ...]] = attrs.field(converter=_frozen_series)
    """Signal name -> one value per second (e.g. "loudness" in LUFS, "motion" in [0, 1])."""
    scene_cuts: tuple[float, ...] = attrs.field(converter=floats, default=())
    """Times (s) where the picture changes scene."""
    silences: tuple[TimeSpan, ...] = attrs.field(converter=_spans, default=())
    """Stretches without speech or sound, good places to start or end a clip."""
    keyframe_spans: tuple[TimeSpan, ...] = attrs.field(converter=_spans, default=())
    """Stretches whose picture signals (motion, scene cuts) were measured from keyframes only
    (a two-stage analysis); every other second was measured at the full analysis rate."""

    def __attrs_post_init__(self) -> None:
        for name, values in self.series.items():
            if len(values) != self.seconds:
                raise InvalidInput(
                    f"feature {name!r} has {len(values)} samples, expected {self.seconds}"
                )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureTimeline):
            return NotImplemented
        return (
            self.seconds == other.seconds
            and dict(self.series) == dict(other.series)
            and self.scene_cuts == other.scene_cuts
            and self.silences == other.silences
            and self.keyframe_spans == other.keyframe_spans
        )

    def __hash__(self) -> int:
        return hash((self.seconds, tuple(self.series), self.scene_cuts, self.silences))

    def window(self, name: str, span: TimeSpan) -> tuple[float, ...]:
        """The samples of signal ``name`` that fall inside ``span``."""
        values = self.series.get(name, ())
        first = max(0, int(span.start))
        last = min(len(values), max(first + 1, int(span.end + 0.999999)))
        return values[first:last]

    def resolution(self, second: int) -> str:
        """How second ``second``'s picture was measured: "keyframes" or "full"."""
        middle = second + 0.5
        coarse = any(span.start <= middle < span.end for span in self.keyframe_spans)
        return "keyframes" if coarse else "full"


@attrs.frozen(eq=False)
class Segment:
    """A candidate span of a source with the features measured over it."""

    span: TimeSpan
    """Where the candidate lies in the source."""
    features: Mapping[str, float] = attrs.field(converter=float_map, factory=dict)
    """Feature name -> value, each normalised to [0, 1] (see :mod:`.scoring`)."""
    captions: tuple[str, ...] = attrs.field(converter=strings, default=())
    """What a vision model said it sees (BLIP), if anything."""
    tags: tuple[str, ...] = attrs.field(converter=strings, default=())
    """Zero-shot tags (CLIP), if any."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return (self.span, dict(self.features), self.captions, self.tags) == (
            other.span,
            dict(other.features),
            other.captions,
            other.tags,
        )

    def __hash__(self) -> int:
        return hash((self.span, tuple(self.features.items()), self.captions, self.tags))

    def with_features(self, **extra: float) -> Segment:
        return attrs.evolve(self, features={**self.features, **extra})
