"""The first pass of two-pass loudness normalisation: FFmpeg's EBU R128 meter over the span.

``ebur128`` measures what ``loudnorm``'s second (linear) pass needs (integrated loudness, its
gating threshold, loudness range, true peak) at a fraction of the cost of a ``loudnorm``
first pass, which resamples everything to 192 kHz.
"""

from __future__ import annotations

import math
import re
from typing import Any

#: Frame-by-frame lines at "verbose" level, so only the summary reaches stderr at "info".
FRAMELOG_LEVEL = 40
#: Integrated loudness of a span with nothing above the absolute gate (digital silence).
SILENT_LUFS = -69.0

_SECTION = re.compile(r"Summary:(.*)", re.DOTALL)
_FIELDS = {
    "input_i": re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-?inf) LUFS"),
    "input_thresh": re.compile(
        r"Integrated loudness:\s*I:[^\n]*\n\s*Threshold:\s*(-?[\d.]+|-?inf)"
    ),
    "input_lra": re.compile(r"LRA:\s*(-?[\d.]+|-?inf) LU\b"),
    "input_tp": re.compile(r"Peak:\s*(-?[\d.]+|-?inf) dBFS"),
}


def meter(stream: Any) -> Any:
    """``stream`` (audio) through the meter, true peak included."""
    return stream.filter("ebur128", peak="true", framelog=FRAMELOG_LEVEL)


def measured(stderr: str) -> dict[str, str] | None:
    """loudnorm's ``measured_*`` values from the meter's summary; None when the span is silent
    or the summary is missing."""
    section = _SECTION.search(stderr[stderr.rfind("Summary:") :] if "Summary:" in stderr else "")
    if section is None:
        return None
    values: dict[str, str] = {}
    for name, pattern in _FIELDS.items():
        match = pattern.search(section.group(1))
        if match is None:
            return None
        values[name] = match.group(1)
    if not all(math.isfinite(float(v)) for v in values.values()):
        return None
    if float(values["input_i"]) < SILENT_LUFS:
        return None
    return {**values, "target_offset": "0.0"}
