"""Loudness that holds: every clip at the target integrated loudness, under the true-peak ceiling.

The chain, whatever the span's loudness range (loudnorm's dynamic mode, which undershoots on
wide-range audio, is never used):

1. **Measure** the span as it will be output (48 kHz stereo) with FFmpeg's EBU R128 meter
   (``ebur128=peak=true``): integrated loudness and true peak.
2. **Apply** one linear gain (``volume``), target minus measured. When that gain would push
   the true peak over the ceiling, a true-peak limiter follows it, on the signal oversampled
   4x (192 kHz, so peaks between samples are seen), then back to 48 kHz: FFmpeg's
   psychoacoustic clipper (``apsyclip``) takes the peaks off where the ear notices least, and
   a look-ahead limiter (``alimiter``) holds what is left under the ceiling. The clipper
   comes first because ``alimiter`` alone, pushed several dB over its limit, takes more
   loudness away the harder it is driven (measured: +8 dB of gain into it came out quieter
   than +4 dB), so no gain could reach the target.
3. **Verify** the encoded AAC track with the same meter. If it is off the target by more than
   :attr:`LoudnessTarget.aim`, or over the peak ceiling (limiting took loudness away; the AAC
   encoder overshot a peak), pass 2 runs again from the source with the measured shortfall
   added to the gain and, for a peak overshoot, the ceiling lowered by it (at most
   :data:`MAX_CORRECTIONS` times).

The functions here build filters and read the meter; the processor runs FFmpeg.
"""

from __future__ import annotations

import math
import re
from typing import Any

import attrs

#: Frame-by-frame lines at "verbose" level, so only the summary reaches stderr at "info".
FRAMELOG_LEVEL = 40
#: Integrated loudness of a span with nothing above the absolute gate (digital silence).
SILENT_LUFS = -69.0
#: The most gain (dB) pass 2 applies: a near-silent span is not turned into loud noise.
MAX_GAIN_DB = 50.0
#: Sample rate the limiter runs at: 4x the output's, so it sees inter-sample (true) peaks.
OVERSAMPLED_RATE = 192000
OUTPUT_RATE = 48000
#: Re-renders after the first when the verification finds the clip off target.
MAX_CORRECTIONS = 2
#: Extra margin (dB) below the ceiling when a correction lowers it after a peak overshoot.
PEAK_MARGIN_DB = 0.3
#: The limiter's look-ahead (attack) and release, ms: fast enough to catch a transient,
#: slow enough not to distort speech.
LIMITER_ATTACK_MS = 5.0
LIMITER_RELEASE_MS = 50.0
#: The clipper's refinement passes (its default is 10; 4 gives the same loudness, measured,
#: at half the cost).
CLIPPER_ITERATIONS = 4

_NUMBER = r"(-?[\d.]+|-?inf)"
_FIELDS = {
    "integrated": re.compile(rf"Integrated loudness:\s*I:\s*{_NUMBER} LUFS"),
    "threshold": re.compile(rf"Integrated loudness:\s*I:[^\n]*\n\s*Threshold:\s*{_NUMBER}"),
    "loudness_range": re.compile(rf"LRA:\s*{_NUMBER} LU\b"),
    "true_peak": re.compile(rf"Peak:\s*{_NUMBER} dBFS"),
}


@attrs.frozen
class Measurement:
    """What the EBU R128 meter says about a piece of audio."""

    integrated: float
    """Integrated loudness, LUFS."""
    true_peak: float
    """dBTP."""
    loudness_range: float
    """LU."""
    threshold: float
    """The integrated measurement's relative gating threshold, LUFS."""


@attrs.frozen
class LoudnessTarget:
    """Where every finished clip lands."""

    integrated: float = -14.0
    """LUFS."""
    true_peak: float = -1.0
    """dBTP the finished (encoded) clip must not exceed."""
    limiter_ceiling: float = -2.0
    """dBTP the limiter holds peaks to: below :attr:`true_peak`, as AAC encoding raises
    peaks (measured: up to about 1 dB on dense, clipped noise)."""
    aim: float = 0.5
    """LU off :attr:`integrated` that the verification accepts without a correction (the
    promise is ±1 LU; aiming closer leaves room for the meter's own spread)."""


@attrs.frozen
class Gain:
    """What pass 2 applies to the span's audio."""

    db: float
    """Linear gain, dB."""
    ceiling: float | None = None
    """The true-peak limiter's ceiling (dBTP); None when the gain alone keeps under it."""


def meter(stream: Any) -> Any:
    """``stream`` (audio) through the meter, true peak included."""
    return stream.filter("ebur128", peak="true", framelog=FRAMELOG_LEVEL)


def stereo_48k(audio: Any) -> Any:
    """The output's format. Fixed, because sources may change layout midway (joined
    recordings), which FFmpeg cannot renegotiate without being told the target."""
    return audio.filter("aresample", OUTPUT_RATE).filter(
        "aformat", sample_rates=OUTPUT_RATE, channel_layouts="stereo"
    )


def measurement(stderr: str) -> Measurement | None:
    """The meter's summary from FFmpeg's stderr; None when the audio is silent (or the
    summary is missing)."""
    if "Summary:" not in stderr:
        return None
    summary = stderr[stderr.rfind("Summary:") :]
    values: dict[str, float] = {}
    for name, pattern in _FIELDS.items():
        match = pattern.search(summary)
        if match is None:
            return None
        values[name] = float(match.group(1))
    if not all(math.isfinite(v) for v in values.values()) or values["integrated"] < SILENT_LUFS:
        return None
    return Measurement(**values)


def first_gain(measured: Measurement, target: LoudnessTarget) -> Gain:
    """Pass 2's gain: the linear gain to the target, limited when it would lift a peak over
    the ceiling."""
    return _gain(measured, target.integrated - measured.integrated, target.limiter_ceiling)


def correction(
    source: Measurement, applied: Gain, result: Measurement, target: LoudnessTarget
) -> Gain | None:
    """The next gain when ``result`` (the encoded clip after ``applied``) misses the target;
    None when it is within :attr:`LoudnessTarget.aim` and under the peak ceiling."""
    off = target.integrated - result.integrated
    overshoot = result.true_peak - target.true_peak
    if abs(off) <= target.aim and overshoot <= 0:
        return None
    ceiling = applied.ceiling if applied.ceiling is not None else target.limiter_ceiling
    if overshoot > 0:
        ceiling -= overshoot + PEAK_MARGIN_DB
    return _gain(source, applied.db + off, ceiling)


def within(result: Measurement, target: LoudnessTarget, tolerance: float = 1.0) -> bool:
    """Whether the finished clip keeps the promise: ±``tolerance`` LU, under the ceiling."""
    return (
        abs(result.integrated - target.integrated) <= tolerance
        and result.true_peak <= target.true_peak
    )


def miss(result: Measurement, target: LoudnessTarget) -> tuple[bool, bool, float]:
    """How far a render is from the target, for choosing the best of several (smallest
    first): keeping the promise first, then under the peak ceiling, then closest in LU."""
    over_peak = result.true_peak > target.true_peak
    return not within(result, target), over_peak, abs(result.integrated - target.integrated)


def apply(audio: Any, gain: Gain) -> Any:
    """``audio`` (already :func:`stereo_48k`) with the gain and, if set, the limiter."""
    louder = audio.filter("volume", f"{gain.db:.2f}dB", precision="float")
    if gain.ceiling is None:
        return louder
    limit = f"{_linear(gain.ceiling):.5f}"
    oversampled = louder.filter("aresample", OVERSAMPLED_RATE)
    clipped = oversampled.filter("apsyclip", clip=limit, iterations=CLIPPER_ITERATIONS)
    limited = clipped.filter(
        "alimiter",
        limit=limit,
        attack=LIMITER_ATTACK_MS,
        release=LIMITER_RELEASE_MS,
        level="false",  # no automatic make-up gain: the verification decides the level
        latency="true",  # the look-ahead's delay is taken out, so sound stays on the picture
    )
    return stereo_48k(limited)


def _gain(measured: Measurement, db: float, ceiling: float) -> Gain:
    db = min(db, MAX_GAIN_DB)
    return Gain(db, ceiling if measured.true_peak + db > ceiling else None)


def _linear(db: float) -> float:
    # alimiter's limit is a linear amplitude in [0.0625, 1].
    return min(1.0, max(0.0625, 10 ** (db / 20)))
