"""The media port on FFmpeg: every run reads one local file, has a time limit, and cleans up."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import attrs
import ffmpeg

from clipnet.adapters.ffmpeg import analysis, layouts, loudness, two_stage
from clipnet.adapters.ffmpeg.captions import ass_script, has_events
from clipnet.adapters.ffmpeg.probe import parse_ffmpeg_banner, parse_ffprobe
from clipnet.adapters.ffmpeg.runner import (
    ffmpeg_reason,
    file_name,
    find_ffmpeg,
    find_ffprobe,
    run,
)
from clipnet.adapters.ffmpeg.safety import (
    MediaLimits,
    check_limits,
    checked_file,
    ffmpeg_url,
    input_options,
    require_video,
)
from clipnet.domain.framing.model import Framing
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.templates import Template
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.shared.media import MediaInfo
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.media import MediaError

__all__ = ["EncodeOptions", "FfmpegMediaProcessor", "MediaLimits"]

log = logging.getLogger(__name__)

Samples = list[tuple[float, float]]
"""(time, value) pairs that FFmpeg's metadata filters printed."""

_QUIET = ("-hide_banner", "-nostats", "-loglevel", "error")
_CAPTIONS_FILE = "captions.ass"
_AUDIO_FILE = "audio.m4a"


@attrs.frozen
class EncodeOptions:
    """How finished clips are encoded."""

    preset: str = "veryfast"
    """x264 speed/size trade-off."""
    crf: int = 23
    audio_bitrate: str = "160k"
    loudness: loudness.LoudnessTarget = loudness.LoudnessTarget()


class FfmpegMediaProcessor:
    """Implements :class:`clipnet.ports.media.MediaProcessor` with the ``ffmpeg`` binary."""

    def __init__(
        self,
        ffmpeg_binary: str = "",
        *,
        timeout: float = 3600.0,
        limits: MediaLimits | None = None,
        encode: EncodeOptions | None = None,
        temp_dir: Path | None = None,
        analysis: str = "full",
    ) -> None:
        if analysis not in two_stage.MODES:
            raise ValueError(f"analysis must be one of {', '.join(two_stage.MODES)}")
        self.analysis = analysis
        """How sources are analysed: "full" (every frame, one pass), "two-stage" or "auto"."""
        self._configured = ffmpeg_binary
        self._binary = ""
        self.timeout = timeout
        self.limits = limits or MediaLimits()
        self.encode = encode or EncodeOptions()
        self.temp_dir = temp_dir

    @property
    def binary(self) -> str:
        """The ffmpeg executable (found on first use, so building the container never fails)."""
        if not self._binary:
            self._binary = find_ffmpeg(self._configured)
        return self._binary

    # -- reading ---------------------------------------------------------------------------

    def probe(self, path: Path) -> MediaInfo:
        source = checked_file(path, self.limits)
        info = self._probe(source, path)
        check_limits(path, info, self.limits)
        return info

    def analyze(
        self, path: Path, progress: Callable[[float], None] | None = None
    ) -> FeatureTimeline:
        source, info = self._source(path)
        if self.in_two_stages(info):
            timeline = self._analyze_in_two_stages(path, source, info, progress)
            if timeline is not None:
                return timeline
            # keyframes too sparse: the one-pass analysis, its progress after stage 1's
            progress = _scaled(progress, two_stage.STAGE_ONE_SHARE, 1.0)
        return self._analyze_in_one_pass(path, source, info, progress)

    def in_two_stages(self, info: MediaInfo) -> bool:
        """Whether a source probed as ``info`` is analysed in two stages (else in one pass)."""
        if self.analysis == "auto":
            return info.duration >= two_stage.TWO_STAGE_FROM
        return self.analysis == "two-stage"

    def _analyze_in_one_pass(
        self,
        path: Path,
        source: Path,
        info: MediaInfo,
        progress: Callable[[float], None] | None,
    ) -> FeatureTimeline:
        on_progress = None if progress is None else _share_of(info.duration, progress)
        with self._scratch() as scratch:
            files = _metadata_files(scratch, "motion", "loudness", "speech")
            graph = analysis.analysis_graph(
                ffmpeg_url(source), input_options(), info.fps, info.has_audio, files
            )
            run(
                graph.compile(cmd=self.binary),
                timeout=self.timeout,
                subject=path,
                on_progress=on_progress,
            )
            read = {name: _read(file) for name, file in files.items()}
        motion = analysis.read_metadata(read["motion"], analysis.MOTION_KEY)
        _require_whole(path, info.duration, motion)
        return analysis.build_timeline(
            info.duration,
            motion,
            analysis.read_metadata(read["loudness"], analysis.LOUDNESS_KEY),
            analysis.read_metadata(read["speech"], analysis.LOUDNESS_KEY),
        )

    def _analyze_in_two_stages(
        self,
        path: Path,
        source: Path,
        info: MediaInfo,
        progress: Callable[[float], None] | None,
    ) -> FeatureTimeline | None:
        """Stage 1 over the whole source, stage 2 in the windows it picks (see
        :mod:`.two_stage`); None when the keyframes are too sparse for stage 1."""
        with self._scratch() as scratch:
            keyframes, loudness, speech = self._stage_one(path, source, info, scratch, progress)
            if two_stage.keyframes_too_sparse(keyframes):
                log.info("%s: keyframes too sparse for two stages: one pass", file_name(path))
                return None
            _require_whole(path, info.duration, keyframes, two_stage.keyframe_gap(keyframes))
            coarse = two_stage.two_stage_timeline(info.duration, keyframes, [], loudness, speech)
            spans = two_stage.window_spans(coarse)
            if two_stage.covers_most(spans, coarse.seconds):
                spans = two_stage.whole_source(coarse.seconds)
            refined = self._stage_two(path, source, info, spans, scratch, progress)
        return two_stage.two_stage_timeline(info.duration, keyframes, refined, loudness, speech)

    def _stage_one(
        self,
        path: Path,
        source: Path,
        info: MediaInfo,
        scratch: Path,
        progress: Callable[[float], None] | None,
    ) -> tuple[Samples, Samples, Samples]:
        """The keyframes' motion, and the sound's loudness and voice band, read side by side;
        ``progress`` is told the share of the source both have read."""
        url, files = ffmpeg_url(source), _metadata_files(scratch, "keyframes", "loudness", "speech")
        graphs = [two_stage.keyframe_graph(url, input_options(), files["keyframes"])]
        if info.has_audio:
            graphs.append(two_stage.audio_graph(url, input_options(), files))
        reports = _slowest_of(len(graphs), info.duration, progress, two_stage.STAGE_ONE_SHARE)
        self._side_by_side(path, [g.compile(cmd=self.binary) for g in graphs], reports)
        read = {name: _read(file) for name, file in files.items()}
        return (
            analysis.read_metadata(read["keyframes"], analysis.MOTION_KEY),
            analysis.read_metadata(read["loudness"], analysis.LOUDNESS_KEY),
            analysis.read_metadata(read["speech"], analysis.LOUDNESS_KEY),
        )

    def _stage_two(
        self,
        path: Path,
        source: Path,
        info: MediaInfo,
        spans: list[TimeSpan],
        scratch: Path,
        progress: Callable[[float], None] | None,
    ) -> list[tuple[TimeSpan, Samples]]:
        """Each window's motion at the analysis rate, on the source's clock, two at a time;
        ``progress`` is told the share of windows done."""
        windows = [two_stage.window(span, info.fps) for span in spans]
        files = [scratch / f"window-{index}.txt" for index in range(len(windows))]
        commands = [
            two_stage.window_graph(
                ffmpeg_url(source), input_options(), info.fps, window, file
            ).compile(cmd=self.binary)
            for window, file in zip(windows, files, strict=True)
        ]
        done = _scaled(progress, two_stage.STAGE_ONE_SHARE, 1.0)
        self._side_by_side(path, commands, [None] * len(commands), done)
        return [
            (
                w.span,
                two_stage.shifted(
                    analysis.read_metadata(_read(f), analysis.MOTION_KEY), w.seek, info.fps
                ),
            )
            for w, f in zip(windows, files, strict=True)
        ]

    def _side_by_side(
        self,
        subject: Path,
        commands: list[list[str]],
        reports: list[Callable[[float], None] | None],
        done: Callable[[float], None] | None = None,
    ) -> None:
        """The FFmpeg runs, PARALLEL_RUNS at a time (each waited for by the thread that
        started it, see :mod:`.runner`); ``done`` is told the share of runs finished."""
        with ThreadPoolExecutor(two_stage.PARALLEL_RUNS, thread_name_prefix="ffmpeg") as pool:
            futures = [
                pool.submit(run, args, timeout=self.timeout, subject=subject, on_progress=report)
                for args, report in zip(commands, reports, strict=True)
            ]
            try:
                for finished, future in enumerate(as_completed(futures), start=1):
                    future.result()
                    if done is not None:
                        done(finished / len(futures))
            except BaseException:
                pool.shutdown(cancel_futures=True)  # one failed: the runs not started never start
                raise

    def extract_audio(self, path: Path, out: Path, span: TimeSpan | None = None) -> Path:
        source = checked_file(path, self.limits)
        info = self._probe(source, path)
        if not info.has_audio:
            raise MediaError(f"{file_name(path)}: no audio stream")
        with self._writing(out) as partial:
            stream = self._input(source, span)
            output = stream.audio.output(
                _file(partial), ac=1, ar=16000, acodec="pcm_s16le", format="wav"
            )
            self._run(self._args(output), path)
        return Path(out)

    def thumbnail(self, path: Path, at: float, out: Path) -> Path:
        source, info = self._source(path)
        moment = min(max(0.0, at), max(0.0, info.duration - 0.1))
        with self._writing(out) as partial:
            output = ffmpeg.input(
                ffmpeg_url(source), ss=f"{moment:.3f}", **input_options()
            ).video.output(_file(partial), vframes=1, format="image2", update=1, **{"q:v": 3})
            self._run(self._args(output), path)
        if not Path(out).is_file():
            raise MediaError(f"{file_name(path)}: no frame at {at:.2f} s")
        return Path(out)

    def sample_frames(self, path: Path, span: TimeSpan, count: int, out_dir: Path) -> list[Path]:
        step = span.duration / max(1, count)
        return [
            self.thumbnail(
                path, span.start + (i + 0.5) * step, Path(out_dir) / f"frame-{i:03d}.jpg"
            )
            for i in range(count)
        ]

    # -- writing ---------------------------------------------------------------------------

    def cut(self, path: Path, span: TimeSpan, out: Path, *, exact: bool = True) -> Path:
        source, info = self._source(path)
        span = span.clamp_to(info.duration)
        codecs: dict[str, Any] = (
            {"c:v": "libx264", "preset": self.encode.preset, "crf": 18, "c:a": "aac"}
            if exact
            else {"c": "copy", "avoid_negative_ts": "make_zero"}
        )
        with self._writing(out) as partial:
            output = self._input(source, span).output(
                _file(partial), movflags="+faststart", **codecs
            )
            self._run(self._args(output), path)
        return Path(out)

    def polish(
        self,
        path: Path,
        span: TimeSpan,
        template: Template,
        out: Path,
        *,
        transcript: Transcript | None = None,
        title: str = "",
        framing: Framing | None = None,
    ) -> Path:
        """The clip as ``template`` (and ``framing``, if given) frames it; ``transcript`` times
        are clip-relative."""
        source, info = self._source(path)
        span = span.clamp_to(info.duration)
        with self._scratch() as scratch, self._writing(out) as partial:
            track = scratch / _AUDIO_FILE
            self.normalise_audio(source, span, track, path, has_audio=info.has_audio)
            script = ass_script(
                template,
                span.duration,
                transcript if transcript else None,
                title,
                avoid=layouts.keep_clear(template, framing),
            )
            captioned = has_events(script)
            if captioned:
                (scratch / _CAPTIONS_FILE).write_text(script, encoding="utf-8")
            if framing is not None and framing.crop is not None:
                commands = layouts.crop_commands(framing.crop)
                (scratch / layouts.CROP_COMMANDS).write_text(commands, encoding="utf-8")
            output = self._polish_graph(
                source, info, span, template, partial, track, captioned, framing
            )
            self._run(self._args(output), path, cwd=scratch)
        return Path(out)

    def normalise_audio(
        self, source: Path, span: TimeSpan, out: Path, subject: Path, *, has_audio: bool = True
    ) -> loudness.Measurement | None:
        """The span's audio as the clip's AAC track at the loudness target (the chain is in
        :mod:`.loudness`); returns the finished track's measurement, None when it is silent."""
        if not has_audio:  # a silent track, so every clip has the AAC stream players expect
            silence = ffmpeg.input("anullsrc=r=48000:cl=stereo", f="lavfi")
            self._encode_track(silence, out, subject, duration=span.duration)
            return None
        measured = self.measure_loudness(source, span, subject)
        if measured is None:  # silence stays silence: no gain is pushed into it
            self._encode_track(loudness.stereo_48k(self._input(source, span).audio), out, subject)
            return None
        target = self.encode.loudness
        gain = loudness.first_gain(measured, target)
        renders: list[tuple[Path, loudness.Measurement]] = []
        for attempt in range(1 + loudness.MAX_CORRECTIONS):
            track = out.with_name(f"{attempt}-{out.name}")
            result = self._render_track(source, span, gain, track, subject)
            if result is None:  # the gain made nothing audible: keep the track as it is
                track.replace(out)
                return None
            renders.append((track, result))
            corrected = loudness.correction(measured, gain, result, target)
            if corrected is None:
                break
            gain = corrected
        best, result = min(renders, key=lambda render: loudness.miss(render[1], target))
        best.replace(out)
        for track, _ in renders:
            track.unlink(missing_ok=True)
        if not loudness.within(result, target):
            log.warning(
                "%s: clip audio at %.1f LUFS, %.1f dBTP after %d passes (target %.1f LUFS, "
                "<= %.1f dBTP)",
                file_name(subject), result.integrated, result.true_peak, len(renders),
                target.integrated, target.true_peak,
            )  # fmt: skip
        return result

    def measure_loudness(
        self, source: Path, span: TimeSpan | None = None, subject: Path | None = None
    ) -> loudness.Measurement | None:
        """EBU R128 loudness and true peak of the span (all of ``source`` without one) as it
        will be output, 48 kHz stereo; None when it is silent."""
        audio = loudness.stereo_48k(self._input(source, span).audio)
        output = (
            loudness.meter(audio).output("-", format="null").global_args("-hide_banner", "-nostats")
        )
        result = self._run(output.compile(cmd=self.binary), subject or source)
        if "Summary:" not in result.stderr:
            raise MediaError(f"{file_name(subject or source)}: could not measure loudness")
        return loudness.measurement(result.stderr)

    # -- helpers ---------------------------------------------------------------------------

    def _polish_graph(
        self,
        source: Path,
        info: MediaInfo,
        span: TimeSpan,
        template: Template,
        partial: Path,
        track: Path,
        captioned: bool,
        framing: Framing | None = None,
    ) -> Any:
        stream = self._input(source, span)
        width, height = info.display_size
        picture = stream.video
        if info.fps > template.max_fps + 0.5:  # dropped first: nothing is scaled to be dropped
            picture = picture.filter("fps", template.max_fps)
        video = layouts.frame(picture, template, width, height, framing)
        video = video.filter("setsar", 1)
        if captioned:
            video = video.filter("ass", _CAPTIONS_FILE)
        audio = ffmpeg.input(ffmpeg_url(track), **input_options()).audio  # already finished
        return ffmpeg.output(
            video,
            audio,
            _file(partial),
            pix_fmt="yuv420p",
            preset=self.encode.preset,
            crf=self.encode.crf,
            movflags="+faststart",
            **{"c:v": "libx264", "c:a": "copy"},
        )

    def _render_track(
        self, source: Path, span: TimeSpan, gain: loudness.Gain, out: Path, subject: Path
    ) -> loudness.Measurement | None:
        """Pass 2 (the gain, and the limiter if needed) into ``out``, and its measurement."""
        audio = loudness.apply(loudness.stereo_48k(self._input(source, span).audio), gain)
        self._encode_track(audio, out, subject)
        return self.measure_loudness(out, None, subject)

    def _encode_track(
        self, audio: Any, out: Path, subject: Path, duration: float | None = None
    ) -> None:
        timing = {"t": f"{duration:.3f}"} if duration is not None else {}
        output = audio.output(
            _file(out),
            format="mp4",
            ar=loudness.OUTPUT_RATE,
            **timing,
            **{"c:a": "aac", "b:a": self.encode.audio_bitrate},
        )
        self._run(self._args(output), subject)

    def _source(self, path: Path) -> tuple[Path, MediaInfo]:
        source = checked_file(path, self.limits)
        info = self._probe(source, path)
        check_limits(path, info, self.limits)
        require_video(path, info)
        return source, info

    def _probe(self, source: Path, subject: Path) -> MediaInfo:
        whitelist = [arg for name, value in input_options().items() for arg in (f"-{name}", value)]
        ffprobe = find_ffprobe(self.binary)
        if ffprobe:
            args = [ffprobe, "-v", "error", *whitelist, "-print_format", "json"]
            args += ["-show_format", "-show_streams", ffmpeg_url(source)]
            return parse_ffprobe(self._run(args, subject).stdout)
        # imageio-ffmpeg ships no ffprobe: ``ffmpeg -i FILE`` (no output, so exit status 1)
        # prints the same facts in its banner.
        args = [self.binary, "-hide_banner", *whitelist, "-i", ffmpeg_url(source)]
        result = run(args, timeout=self.timeout, subject=subject, check=False)
        if "Input #0" not in result.stderr:
            raise MediaError(f"{file_name(subject)}: {ffmpeg_reason(result.stderr)}")
        return parse_ffmpeg_banner(result.stderr)

    def _input(self, source: Path, span: TimeSpan | None) -> Any:
        timing = {"ss": f"{span.start:.3f}", "t": f"{span.duration:.3f}"} if span else {}
        return ffmpeg.input(ffmpeg_url(source), **timing, **input_options())

    def _args(self, output: Any) -> list[str]:
        return list(output.global_args(*_QUIET).overwrite_output().compile(cmd=self.binary))

    def _run(self, args: list[str], subject: Path, cwd: Path | None = None) -> Any:
        return run(args, timeout=self.timeout, subject=subject, cwd=cwd)

    @contextlib.contextmanager
    def _scratch(self) -> Iterator[Path]:
        with scratch_folder("ffmpeg", self.temp_dir) as folder:
            yield folder

    @contextlib.contextmanager
    def _writing(self, out: Path) -> Iterator[Path]:
        """A partial file next to ``out``: renamed over it on success, removed on failure."""
        target = Path(out).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".partial-{target.name}")
        try:
            yield partial
            if partial.exists():
                partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)


def _require_whole(
    path: Path, duration: float, motion: list[tuple[float, float]], slack: float = 0.0
) -> None:
    """The analysis decoded (nearly) the whole picture, else the file is damaged; ``slack``
    more seconds may be missing (keyframes only: the last one can be that far from the end)."""
    seconds, share = analysis.MISSING_TOLERANCE
    missing = analysis.missing_seconds(duration, motion) - slack
    if missing > max(seconds, share * duration):
        decoded = analysis.decoded_seconds(motion)
        raise MediaError(
            f"{file_name(path)}: truncated or damaged: only {decoded:.1f} s of its "
            f"{duration:.1f} s could be decoded"
        )


def _share_of(duration: float, progress: Callable[[float], None]) -> Callable[[float], None]:
    """Seconds decoded -> the share of ``duration`` done, in [0, 1]."""

    def report(seconds: float) -> None:
        progress(min(1.0, seconds / duration) if duration > 0 else 0.0)

    return report


def _scaled(
    progress: Callable[[float], None] | None, low: float, high: float
) -> Callable[[float], None] | None:
    """A 0-1 share -> the part [low, high] of the whole analysis."""
    if progress is None:
        return None
    report = progress
    return lambda share: report(low + (high - low) * share)


def _slowest_of(
    runs: int, duration: float, progress: Callable[[float], None] | None, part: float
) -> list[Callable[[float], None] | None]:
    """One report per run reading the source; ``progress`` is told (scaled to ``part``) the
    share that every run has read, from their reader threads one at a time."""
    if progress is None:
        return [None] * runs
    whole = _share_of(duration, progress)
    read = [0.0] * runs
    lock = threading.Lock()

    def reporter(index: int) -> Callable[[float], None]:
        def report(seconds: float) -> None:
            with lock:
                read[index] = seconds
                whole(part * min(read))

        return report

    return [reporter(index) for index in range(runs)]


def _metadata_files(scratch: Path, *names: str) -> dict[str, Path]:
    return {name: scratch / f"{name}.txt" for name in names}


def _file(path: Path) -> str:
    return f"file:{Path(path).resolve()}"


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
