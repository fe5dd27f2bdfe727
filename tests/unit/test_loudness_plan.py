"""The loudness chain's decisions (which gain, when to limit, when to correct), without FFmpeg;
tests/integration/media/test_loudness.py measures what they do to real audio."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.adapters.ffmpeg import loudness
from clipnet.adapters.ffmpeg.loudness import Gain, LoudnessTarget, Measurement

TARGET = LoudnessTarget()
levels = st.floats(min_value=-68.0, max_value=3.0)
peaks = st.floats(min_value=-60.0, max_value=6.0)


def measured(integrated: float, true_peak: float) -> Measurement:
    return Measurement(integrated, true_peak, loudness_range=5.0, threshold=integrated - 10)


@given(levels, peaks)
def test_the_limiter_is_used_exactly_when_the_gain_alone_would_pass_the_ceiling(
    level: float, peak: float
) -> None:
    gain = loudness.first_gain(measured(level, peak), TARGET)
    lifted_peak = peak + gain.db
    if gain.ceiling is None:
        assert lifted_peak <= TARGET.limiter_ceiling
    else:
        assert lifted_peak > TARGET.limiter_ceiling
        assert gain.ceiling == TARGET.limiter_ceiling


@given(levels, peaks)
def test_the_gain_aims_at_the_target_but_never_lifts_more_than_its_cap(
    level: float, peak: float
) -> None:
    gain = loudness.first_gain(measured(level, peak), TARGET)
    assert gain.db == min(TARGET.integrated - level, loudness.MAX_GAIN_DB)


def test_a_render_on_target_and_under_the_ceiling_needs_no_correction() -> None:
    source = measured(-30.0, -12.0)
    assert loudness.correction(source, Gain(16.0), measured(-14.3, -1.6), TARGET) is None


def test_a_render_that_limiting_left_too_quiet_gets_the_shortfall_added() -> None:
    source = measured(-18.0, -1.0)
    applied = Gain(4.0, ceiling=-2.0)
    corrected = loudness.correction(source, applied, measured(-15.2, -1.8), TARGET)
    assert corrected is not None
    assert (corrected.db, corrected.ceiling) == (pytest.approx(4.0 + 1.2), -2.0)


def test_a_peak_over_the_ceiling_after_encoding_lowers_the_limiters_ceiling() -> None:
    source = measured(-16.0, -2.5)
    applied = Gain(2.0, ceiling=-2.0)
    corrected = loudness.correction(source, applied, measured(-14.1, -0.6), TARGET)
    assert corrected is not None and corrected.ceiling is not None
    assert corrected.ceiling < -2.0 - 0.4  # lowered by the 0.4 dB overshoot, and a margin


def test_of_several_renders_the_one_that_keeps_the_promise_is_best() -> None:
    over_peak, quiet_but_within = measured(-14.0, -0.5), measured(-14.9, -1.5)
    assert loudness.miss(quiet_but_within, TARGET) < loudness.miss(over_peak, TARGET)


def test_the_meter_summary_is_read_and_silence_is_none() -> None:
    summary = """[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -17.1 LUFS
    Threshold: -27.9 LUFS

  Loudness range:
    LRA:        20.8 LU
    Threshold: -37.5 LUFS
    LRA low:   -31.5 LUFS
    LRA high:  -10.7 LUFS

  True peak:
    Peak:       -0.3 dBFS
"""
    assert loudness.measurement(summary) == Measurement(-17.1, -0.3, 20.8, -27.9)
    silent = summary.replace("-17.1 LUFS", "-70.0 LUFS").replace("-0.3 dBFS", "-inf dBFS")
    assert loudness.measurement(silent) is None
    assert loudness.measurement("no summary") is None
