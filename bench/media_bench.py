"""The media pipeline's speed against plain FFmpeg, on a generated 10-minute 1080p30 source.

    .venv/bin/python -m bench.media_bench [--seconds 600] [--source PATH] [--repeat 1]
                                          [--fps 30] [--keyframe-every S] [--bframes N]
                                          [--preset veryfast]
                                          [--parts analysis,two-stage,polish,scan,...]
                                          [--skip-analysis] [--skip-framing] [--skip-whole-run]

Wall and CPU time are both reported: on a shared machine the CPU seconds (this process and every
FFmpeg it runs) are the steadier measure of the work done; ``--repeat N`` runs plain and ours
in turn N times and takes medians.

Measured in one run, on the same file, so the ratios hold on a shared machine:

* **analysis**: ClipNET's one-pass analysis (loudness, speech, motion, scene cuts) against
  ``ffmpeg -i SRC -f null -``, a plain full decode (the floor for anything that looks at
  every frame). Target: within 1.3x.
* **two-stage**: the two-stage analysis (``CLIPNET_ANALYSIS=two-stage``: the audio alone and
  the keyframes alone over the whole source, side by side, then the best moments' windows at
  the analysis rate) against the same plain full decode. Target: within 0.2x. With
  ``analysis`` in the same run, it also prints both analyses' top three picks.
* **polish**: one clip made by ``FfmpegMediaProcessor.polish`` (probe, loudness measurement,
  9:16 center-crop, measured linear gain (a true-peak limiter when needed) and its check,
  x264 + AAC, faststart) against the plain ``ffmpeg``
  command a person would type for the same encode (same crop, scale, codecs and settings,
  one-pass loudnorm). Target: within 1.10x.
* **scan**: the reframe layout's subject scan of the clip's span (faces, motion, cuts, bars)
  against ``ffmpeg -ss START -t DUR -i SRC -f null -``, a plain decode of the same span.
  Target (issue 14's "analysis with face detection"): within 1.3x.
* **reframe**: scan + crop path + polish against the centre-crop polish of the same clip.
* **captions**: the same polish with word-level captions (bold-pop: 3 words a second over the
  whole clip, each word's own ASS event, libass drawing them) against the same polish without
  them; and subject reframing with those captions (scan, crop path, captioned polish) against
  the plain centre-crop polish. Target (issue 14): within 1.25x.
* **whole run**: ``clipnet clip SRC --out DIR`` (the real command, a fresh data folder) as a
  multiple of the source's real time, and how many seconds of video it encoded (the clips
  only, never the whole source).

``--parts`` picks some of these (default: all): ``analysis``, ``two-stage``, ``polish``,
``scan``, ``reframe``, ``captions`` (captions alone), ``reframe-captions``, ``whole-run``.

The source is made once with ``clipnet sample``'s generator and kept (``--source``) so a
second run skips it; ``--fps``, ``--keyframe-every`` (seconds between keyframes, as a stream
platform asks: 2), ``--bframes`` and ``--preset`` shape a new one (x264's defaults without
them), e.g.
``--fps 60 --keyframe-every 2 --bframes 0 --source /tmp/clipnet-bench-1080p60-bf0.mp4``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.ffmpeg.layouts import cover_crop
from clipnet.adapters.ffmpeg.runner import find_ffmpeg
from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.adapters.opencv import OpencvSubjectScanner
from clipnet.domain.framing.service import FramingService
from clipnet.domain.highlights.candidates import find_highlights
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.templates import Template, TemplateCatalogue
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.spans import TimeSpan

CLIP = TimeSpan(280.0, 310.0)
"""The clip polished in the polish comparison (30 s around the sample's exciting part)."""


@attrs.frozen
class Timing:
    wall: float
    """Seconds on the clock."""
    cpu: float
    """CPU seconds (user + system) of this process and every FFmpeg it ran: the work done,
    which a busy shared machine changes far less than the wall time."""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object]) -> Timing:
    began, cpu = time.perf_counter(), _cpu()
    action()
    return Timing(time.perf_counter() - began, _cpu() - cpu)


def compare(
    plain: Callable[[], object], ours: Callable[[], object], repeat: int
) -> tuple[Timing, Timing]:
    """Median timings of ``plain`` and ``ours``, run in turn (plain, ours, plain, ...) so that
    a change in the machine's load falls on both."""
    runs: list[tuple[Timing, Timing]] = [(timed(plain), timed(ours)) for _ in range(repeat)]
    return _median([p for p, _ in runs]), _median([o for _, o in runs])


def _median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def report(plain: Timing, ours: Timing, target: float) -> None:
    print(f"          plain  wall {plain.wall:7.1f} s   cpu {plain.cpu:7.1f} s")
    print(f"          ours   wall {ours.wall:7.1f} s   cpu {ours.cpu:7.1f} s")
    print(
        f"          ratio  wall {ours.wall / plain.wall:7.2f}     cpu {ours.cpu / plain.cpu:7.2f}"
        f"     (target <= {target:.2f})"
    )


def plain(args: Sequence[str]) -> None:
    subprocess.run(list(args), check=True, stdin=subprocess.DEVNULL, capture_output=True)


def source_spec(
    seconds: float,
    fps: int = 30,
    keyframe_every: float | None = None,
    bframes: int | None = None,
    preset: str = "veryfast",
) -> SampleSpec:
    middle = seconds * 0.45
    return SampleSpec(
        seconds=seconds,
        exciting=TimeSpan(middle, middle + 20.0),
        width=1920,
        height=1080,
        fps=fps,
        preset=preset,
        keyframe_every=keyframe_every,
        bframes=bframes,
    )


def plain_polish_args(ffmpeg: str, source: Path, span: TimeSpan, out: Path) -> list[str]:
    """What a person would type for the same encode as our center-crop polish."""
    w, h, x, y = cover_crop(1920, 1080, 1080 / 1920)
    return [
        *(ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-y"),
        *("-ss", f"{span.start:.3f}", "-t", f"{span.duration:.3f}", "-i", str(source)),
        *("-vf", f"crop={w}:{h}:{x}:{y},scale=1080:1920,setsar=1"),
        *("-af", "loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000,aformat=r=48000:cl=stereo"),
        *("-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-movflags", "+faststart", str(out)),
    ]


def busy_transcript(seconds: float, per_second: float = 3.0) -> Transcript:
    """Talk without a pause for ``seconds``: short words, sentences of eight."""
    count = int(seconds * per_second)
    step = 1 / per_second
    words = [
        Word(("word." if i % 8 == 7 else "word"), i * step, i * step + step * 0.8)
        for i in range(count)
    ]
    return Transcript(words, "en")


def whole_run(source: Path, work: Path) -> float:
    """Run ``clipnet clip`` on a fresh data folder; the seconds of video it encoded."""
    out = work / "clips"
    env = {**os.environ, "CLIPNET_DATA_DIR": str(work / "data")}
    clipnet = Path(sys.executable).with_name("clipnet")
    subprocess.run(
        [str(clipnet), "clip", str(source), "--out", str(out)],
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    clips = json.loads((out / "clips.json").read_text())["clips"]
    return float(sum(c["end"] - c["start"] for c in clips))


PARTS = (
    "analysis",
    "two-stage",
    "analysis-faces",
    "polish",
    "scan",
    "reframe",
    "captions",
    "reframe-captions",
    "whole-run",
)
FRAMING_PARTS = ("scan", "reframe", "reframe-captions")


def chosen_parts(options: argparse.Namespace) -> set[str]:
    parts = set(options.parts.split(",")) if options.parts else set(PARTS)
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown parts: {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    if options.skip_analysis:
        parts.discard("analysis")
    if options.skip_framing:
        parts -= set(FRAMING_PARTS)
    if options.skip_whole_run:
        parts.discard("whole-run")
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument(
        "--source", type=Path, default=Path(tempfile.gettempdir()) / "clipnet-bench-1080p30.mp4"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--fps", type=int, default=30, help="of a new source")
    parser.add_argument("--keyframe-every", type=float, help="seconds, of a new source")
    parser.add_argument("--bframes", type=int, help="of a new source")
    parser.add_argument("--preset", default="veryfast", help="x264's, for a new source")
    parser.add_argument("--parts", default="", help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--skip-whole-run", action="store_true")
    parser.add_argument("--skip-analysis", action="store_true")
    parser.add_argument("--skip-framing", action="store_true", help=", ".join(FRAMING_PARTS))
    options = parser.parse_args()
    parts = chosen_parts(options)

    ffmpeg = find_ffmpeg()
    media = FfmpegMediaProcessor()
    source: Path = options.source
    if not source.exists():
        began = time.perf_counter()
        spec = source_spec(
            options.seconds, options.fps, options.keyframe_every, options.bframes, options.preset
        )
        make_sample(source, spec)
        print(f"generated {source} in {time.perf_counter() - began:.0f} s")
    info = media.probe(source)
    print(f"source: {info.width}x{info.height} {info.fps:g} fps {info.duration:.0f} s H.264/AAC")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")

    decode_cpu = None
    timelines: dict[str, FeatureTimeline] = {}
    if "analysis" in parts:
        decode, ours = compare(
            lambda: plain([ffmpeg, "-v", "error", "-i", str(source), "-f", "null", "-"]),
            lambda: timelines.update(full=media.analyze(source)),
            options.repeat,
        )
        print(
            f"analysis  vs ffmpeg -i SRC -f null - ({info.duration / decode.wall:.1f}x real time)"
        )
        report(decode, ours, 1.30)
        decode_cpu = decode.cpu
    if "two-stage" in parts:
        two_stage_bench(ffmpeg, source, timelines, options.repeat)

    if "analysis-faces" in parts:
        analysis_with_faces_bench(media, ffmpeg, source, options.repeat)
    if "scan" in parts:
        scan_bench(media, ffmpeg, source, decode_cpu, options.repeat)
    catalogue = TemplateCatalogue()
    center = catalogue.get("center-crop")
    with tempfile.TemporaryDirectory(prefix="clipnet-bench-") as name:
        work = Path(name)
        if "polish" in parts:
            plain_polish, our_polish = compare(
                lambda: plain(plain_polish_args(ffmpeg, source, CLIP, work / "plain.mp4")),
                lambda: media.polish(source, CLIP, center, work / "ours.mp4"),
                options.repeat,
            )
            print(
                f"polish    {CLIP.duration:g} s clip, center-crop 1080x1920, vs the plain command"
            )
            report(plain_polish, our_polish, 1.10)
        if "reframe" in parts:
            framing_bench(media, source, center, work, options.repeat)
        if "captions" in parts:
            captions_bench(media, source, center, work, options.repeat)
        if "reframe-captions" in parts:
            reframe_captions_bench(media, source, center, work, options.repeat)
        if "whole-run" in parts:
            encoded: list[float] = []
            run = timed(lambda: encoded.append(whole_run(source, work)))  # once: minutes
            print(
                f"whole run clipnet clip: wall {run.wall:.1f} s, cpu {run.cpu:.1f} s for "
                f"{info.duration:.0f} s of video = {run.wall / info.duration:.2f}x its duration"
            )
            print(f"          encoded {encoded[0]:.0f} s of clips of the {info.duration:.0f} s")


def two_stage_bench(
    ffmpeg: str, source: Path, timelines: dict[str, FeatureTimeline], repeat: int
) -> None:
    """Two-stage analysis against a plain full decode; its picks against the one-pass
    analysis' when that ran too."""
    media = FfmpegMediaProcessor(analysis="two-stage")
    decode, ours = compare(
        lambda: plain([ffmpeg, "-v", "error", "-i", str(source), "-f", "null", "-"]),
        lambda: timelines.update(two=media.analyze(source)),
        repeat,
    )
    two = timelines["two"]
    coarse = sum(span.duration for span in two.keyframe_spans)
    print(
        f"two-stage vs ffmpeg -i SRC -f null - ({two.seconds - coarse:.0f} of {two.seconds} s "
        "decoded in full)"
    )
    report(decode, ours, 0.20)
    for name, timeline in sorted(timelines.items()):
        picks = [p.segment.span for p in find_highlights(timeline, 3)]
        print(f"          top 3 ({name}): " + ", ".join(f"{p.start:g}-{p.end:g}" for p in picks))


def captions_bench(
    media: FfmpegMediaProcessor, source: Path, center: Template, work: Path, repeat: int
) -> None:
    """Captions alone against the same polish without them."""
    words = busy_transcript(CLIP.duration)
    uncaptioned, captioned = compare(
        lambda: media.polish(source, CLIP, center, work / "uncaptioned.mp4"),
        lambda: media.polish(source, CLIP, center, work / "captioned.mp4", transcript=words),
        repeat,
    )
    print(f"captions  the same polish with {len(words.words)} bold-pop words, vs without")
    report(uncaptioned, captioned, 1.25)


def reframe_captions_bench(
    media: FfmpegMediaProcessor, source: Path, center: Template, work: Path, repeat: int
) -> None:
    """Issue 14's budget: subject reframing with captions against the plain centre-crop
    polish."""
    words = busy_transcript(CLIP.duration)
    planner = FramingService(OpencvSubjectScanner(media))
    reframe = TemplateCatalogue().get("reframe")

    def reframed_and_captioned() -> None:
        framing = planner.plan(source, CLIP, reframe)
        media.polish(source, CLIP, reframe, work / "both.mp4", transcript=words, framing=framing)

    centre, both = compare(
        lambda: media.polish(source, CLIP, center, work / "centre.mp4"),
        reframed_and_captioned,
        repeat,
    )
    print("reframe + captions  scan + crop path + captioned polish, vs center-crop polish")
    report(centre, both, 1.25)


def framing_bench(
    media: FfmpegMediaProcessor, source: Path, center: Template, work: Path, repeat: int
) -> None:
    """The reframe layout (scan of the clip's span: faces, motion, cuts, bars; the crop path;
    the polish that follows it) against the centre-crop polish of the same clip."""
    planner = FramingService(OpencvSubjectScanner(media))
    reframe = TemplateCatalogue().get("reframe")

    def reframed() -> None:
        framing = planner.plan(source, CLIP, reframe)
        media.polish(source, CLIP, reframe, work / "reframed.mp4", framing=framing)

    centre, ours = compare(
        lambda: media.polish(source, CLIP, center, work / "centre.mp4"), reframed, repeat
    )
    print(f"reframe   {CLIP.duration:g} s clip: scan + crop path + polish, vs center-crop polish")
    report(centre, ours, 1.25)


def analysis_with_faces_bench(
    media: FfmpegMediaProcessor, ffmpeg: str, source: Path, repeat: int, top: int = 3
) -> None:
    """What a source costs before its clips are encoded, face detection included: the
    analysis pass over the whole source plus the subject scan (faces, motion, bars, cuts) of
    each of its ``top`` best moments, against one plain full decode. Faces are looked for
    only where clips are, not in every frame of the source."""
    from clipnet.domain.highlights.candidates import DEFAULT_BOUNDS, find_highlights
    from clipnet.domain.highlights.scoring import DEFAULT_WEIGHTS

    scanner = OpencvSubjectScanner(media)

    def analysed_and_scanned() -> None:
        timeline = media.analyze(source)
        for moment in find_highlights(timeline, top, DEFAULT_BOUNDS, DEFAULT_WEIGHTS):
            scanner.scan(source, moment.segment.span, faces=True)

    decode, ours = compare(
        lambda: plain([ffmpeg, "-v", "error", "-i", str(source), "-f", "null", "-"]),
        analysed_and_scanned,
        repeat,
    )
    print(f"analysis + face scans of the top {top} moments, vs ffmpeg -i SRC -f null -")
    report(decode, ours, 1.30)


def scan_bench(
    media: FfmpegMediaProcessor,
    ffmpeg: str,
    source: Path,
    decode_cpu: float | None,
    repeat: int,
) -> None:
    """The subject scan of the clip's span (what ``reframe`` adds before its polish) against a
    plain decode of the same span: issue 14's "analysis with face detection" (faces are looked
    for per clip here, not in the source's analysis pass)."""
    scanner = OpencvSubjectScanner(media)
    span_decode = [
        *(ffmpeg, "-v", "error", "-ss", f"{CLIP.start:.3f}", "-t", f"{CLIP.duration:.3f}"),
        *("-i", str(source), "-f", "null", "-"),
    ]
    decode, scan = compare(
        lambda: plain(span_decode), lambda: scanner.scan(source, CLIP, faces=True), repeat
    )
    print(f"scan      {CLIP.duration:g} s span: faces, motion, cuts, bars, vs ffmpeg -ss -t -i SRC")
    report(decode, scan, 1.30)
    if decode_cpu:
        print(f"          scan cpu / full decode cpu of the source: {scan.cpu / decode_cpu:.3f}")


if __name__ == "__main__":
    main()
