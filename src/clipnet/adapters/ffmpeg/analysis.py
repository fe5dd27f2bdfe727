"""The analysis pass: one FFmpeg run that decodes the source once and measures, per second,
loudness (EBU R128 momentary), speech activity, motion (frame difference) and scene cuts.

FFmpeg's ``metadata``/``ametadata`` filters print one value per analysed frame into small text
files; the functions here turn those into a :class:`FeatureTimeline`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import ffmpeg

from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.spans import TimeSpan

#: Video frames analysed per second (every n-th decoded frame); enough for motion and cuts.
ANALYSED_FPS = 10
#: The picture is shrunk to this before differencing: cheap, and blind to noise and grain.
THUMB_SIZE = (64, 36)
#: Audio is measured in blocks of this many seconds.
AUDIO_BLOCK = 0.1
#: Quietest loudness we record (LUFS); R128 reports -120 for digital silence.
FLOOR_LUFS = -70.0
#: A frame difference jump this large (fraction of full scale, like FFmpeg's scene score).
SCENE_THRESHOLD = 0.25
#: Shortest quiet stretch (s) worth reporting as a silence.
MIN_SILENCE = 0.4
#: A picture that stops this long before the probed end (s, or this share of it, whichever is
#: more) belongs to a truncated or damaged file.
MISSING_TOLERANCE = (5.0, 0.1)

#: Decoder options for the analysis pass. The in-loop deblocking filter is skipped: it is
#: about a fifth of an H.264 decode's CPU and only smooths block edges, which the 64x36
#: thumbnails below cannot see (motion moves by under 1% of its range; cuts stay put).
ANALYSIS_DECODE = {"skip_loop_filter": "all"}

LOUDNESS_KEY = "lavfi.r128.M"
MOTION_KEY = "lavfi.signalstats.YAVG"


def analysis_graph(
    url: str, input_options: dict[str, str], fps: float, has_audio: bool, files: dict[str, Path]
) -> Any:
    """The ffmpeg-python graph: one input, one decode, every measurement as a branch."""
    source = ffmpeg.input(url, **input_options, **ANALYSIS_DECODE)
    streams = [motion_branch(source.video, frame_step(fps), files["motion"])]
    if has_audio:
        streams.extend(audio_branches(source.audio, files))
    return null_output(*streams)


def frame_step(fps: float) -> int:
    """Every n-th decoded frame is analysed, for about ANALYSED_FPS frames a second."""
    return max(1, round(fps / ANALYSED_FPS)) if fps > 0 else 1


def motion_branch(video: Any, step: int, file: Path) -> Any:
    """Frame differences of small gray thumbnails, one value per analysed frame into ``file``."""
    return (
        video.filter("framestep", step)
        .filter("scale", THUMB_SIZE[0], THUMB_SIZE[1], flags="fast_bilinear")
        .filter("format", "gray")
        .filter("tblend", all_mode="difference")
        .filter("signalstats")
        .filter("metadata", mode="print", key=MOTION_KEY, file=str(file))
    )


def audio_branches(audio: Any, files: dict[str, Path]) -> list[Any]:
    """Loudness of the whole sound and of its voice band, one value per block."""
    blocks = audio.filter("aresample", 48000).filter(
        "asetnsamples", n=int(48000 * AUDIO_BLOCK), p=0
    )
    split = blocks.filter_multi_output("asplit", 2)
    full, band = split[0], split[1]
    # Speech lives in 300-3400 Hz; loudness there, compared with the whole, hints at voice.
    voice = band.filter("highpass", f=300).filter("lowpass", f=3400)
    return [_loudness(full, files["loudness"]), _loudness(voice, files["speech"])]


def null_output(*streams: Any) -> Any:
    """The streams measured and thrown away, FFmpeg quiet but for errors."""
    return ffmpeg.output(*streams, "-", format="null").global_args(
        "-hide_banner", "-nostats", "-loglevel", "error"
    )


def _loudness(stream: Any, file: Path) -> Any:
    return stream.filter("ebur128", metadata=1).filter(
        "ametadata", mode="print", key=LOUDNESS_KEY, file=str(file)
    )


def read_metadata(text: str, key: str) -> list[tuple[float, float]]:
    """(time, value) pairs from the ``metadata=mode=print`` format."""
    samples: list[tuple[float, float]] = []
    time: float | None = None
    prefix = key + "="
    for line in text.splitlines():
        if line.startswith("frame:"):
            time = _pts_time(line)
        elif line.startswith(prefix) and time is not None:
            value = _float(line[len(prefix) :])
            if value is not None:
                samples.append((time, value))
    return samples


def _pts_time(line: str) -> float | None:
    for part in line.split():
        if part.startswith("pts_time:"):
            return _float(part[len("pts_time:") :])
    return None


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def per_second(samples: Iterable[tuple[float, float]], seconds: int) -> list[list[float]]:
    """The sample values grouped by the whole second they fall in."""
    buckets: list[list[float]] = [[] for _ in range(seconds)]
    for time, value in samples:
        index = int(time)
        if 0 <= index < seconds:
            buckets[index].append(value)
    return buckets


def power_mean(values: Sequence[float]) -> float:
    """Loudness of several blocks together (energies averaged, not decibels)."""
    if not values:
        return FLOOR_LUFS
    energy = sum(10 ** (max(FLOOR_LUFS, v) / 10) for v in values) / len(values)
    return max(FLOOR_LUFS, 10 * math.log10(energy))


def decoded_seconds(samples: Sequence[tuple[float, float]]) -> float:
    """How much of the picture the analysis pass could decode (first to last analysed frame)."""
    if not samples:
        return 0.0
    return samples[-1][0] - samples[0][0] + 1 / ANALYSED_FPS


def missing_seconds(duration: float, samples: Sequence[tuple[float, float]]) -> float:
    """Seconds of the probed duration that never decoded; large for truncated files."""
    return max(0.0, duration - decoded_seconds(samples))


def motion_series(samples: Sequence[tuple[float, float]], seconds: int) -> list[float]:
    """Mean frame difference per second, as a fraction of full scale (0 = still)."""
    return [
        statistics.fmean(bucket) / 255.0 if bucket else 0.0
        for bucket in per_second(samples, seconds)
    ]


def scene_cuts(samples: Sequence[tuple[float, float]]) -> list[float]:
    """Times where the frame difference jumps (FFmpeg's scene score: min(diff, jump))."""
    cuts: list[float] = []
    previous = 0.0
    for time, value in samples:
        difference = value / 255.0
        if min(difference, abs(difference - previous)) >= SCENE_THRESHOLD:
            cuts.append(round(time, 2))
        previous = difference
    return cuts


def loudness_series(samples: Sequence[tuple[float, float]], seconds: int) -> list[float]:
    return [power_mean(bucket) for bucket in per_second(samples, seconds)]


def speech_series(
    full: Sequence[tuple[float, float]], band: Sequence[tuple[float, float]], seconds: int
) -> list[float]:
    """Per second in [0, 1]: voice-band sound that rises and falls like syllables.

    A steady tone or hum does not count (no modulation scores 0), nor does a loud broadband
    noise of which the voice band is only a part.
    """
    series = []
    for whole, voice in zip(per_second(full, seconds), per_second(band, seconds), strict=True):
        dominated = power_mean(voice) >= power_mean(whole) - 3
        series.append(_speechiness(voice) if dominated else 0.0)
    return series


def _speechiness(levels: Sequence[float]) -> float:
    audible = [v for v in levels if v > -50]
    if len(audible) < 3:
        return 0.0
    presence = len(audible) / max(1, len(levels))
    modulation = min(1.0, statistics.pstdev(audible) / 3.0)
    return round(presence * modulation, 4)


def silences(samples: Sequence[tuple[float, float]]) -> list[TimeSpan]:
    """Quiet stretches: well below the recording's typical level, for at least MIN_SILENCE s."""
    if not samples:
        return []
    typical = statistics.median(max(FLOOR_LUFS, v) for _, v in samples)
    threshold = max(-50.0, typical - 18.0)
    found: list[TimeSpan] = []
    start: float | None = None
    for time, value in samples:
        if value < threshold and start is None:
            start = time
        elif value >= threshold and start is not None:
            _close(found, start, time)
            start = None
    if start is not None:
        _close(found, start, samples[-1][0] + AUDIO_BLOCK)
    return found


def _close(found: list[TimeSpan], start: float, end: float) -> None:
    if end - start >= MIN_SILENCE:
        found.append(TimeSpan(round(start, 2), round(end, 2)))


def build_timeline(
    duration: float,
    motion: Sequence[tuple[float, float]],
    loudness: Sequence[tuple[float, float]],
    speech: Sequence[tuple[float, float]],
) -> FeatureTimeline:
    seconds = max(1, math.ceil(duration - 1e-6))
    return FeatureTimeline(
        seconds=seconds,
        series={
            "loudness": loudness_series(loudness, seconds),
            "motion": motion_series(motion, seconds),
            "speech": speech_series(loudness, speech, seconds),
        },
        scene_cuts=scene_cuts(motion),
        silences=silences(loudness),
    )
