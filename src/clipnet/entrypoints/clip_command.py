"""``clipnet clip``: the main job from the command line.

Parses nothing and decides nothing about clips: it asks the container's
:class:`HighlightService` (the one the API uses too) for the best moments, lets the ordinary
job handlers (through the configured queue) make the clips, waits, then writes what they made
into the output folder: clips.json, the MP4s and thumbnails, and timeline.png.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from clipnet.adapters.timeline_chart import ChosenClip, TimelineChart, render_timeline
from clipnet.container import Container
from clipnet.domain.clips.model import Clip, ClipStatus
from clipnet.domain.highlights.aspects import check_aspect
from clipnet.domain.highlights.candidates import LengthBounds, normalise, score_curve
from clipnet.domain.highlights.captions import check_caption_style
from clipnet.domain.highlights.chat import CHAT_SERIES, ChatDelay
from clipnet.domain.highlights.service import SETTLED, HighlightService
from clipnet.domain.pipeline.handlers import PipelineEvent
from clipnet.domain.shared.errors import DomainError
from clipnet.domain.sources.model import Source
from clipnet.ports.media import MediaError
from clipnet.ports.storage import ObjectStorage

#: How often the command looks at the clips while the workers make them.
POLL_SECONDS = 0.2
#: Steps of a clip shown on the progress bar: scored, polished, ready.
STEPS_PER_CLIP = 3


class ClipCommandError(Exception):
    """A one-line reason the command could not do its job (shown without a traceback)."""


@attrs.frozen
class ClipOptions:
    input: Path | str
    """A local file, or (a str) a VOD or media URL, downloaded through the SSRF guard."""
    out: Path
    top: int = 3
    template: str = ""
    min_len: float | None = None
    max_len: float | None = None
    captions: str = ""
    """Caption style for every clip; "" = each template's."""
    category: str = ""
    """The game or category of the recording, for hashtags; "" = unknown."""
    aspect: str = ""
    """Output aspect ratio for every clip (9:16, 1:1, 16:9); "" = each template's."""
    chat: Path | None = None
    """The recording's chat replay, if any."""
    chat_delay: str = ""
    """Seconds chat lags the video, or "auto"; "" = the setting."""


@attrs.frozen
class ClipOutcome:
    clips_json: Path
    ready: int
    failed: Sequence[str]
    """One line per clip that could not be made."""


def run_clip_command(container: Container, options: ClipOptions, console: Console) -> ClipOutcome:
    """Make the clips; raises :class:`ClipCommandError` with a one-line message on bad input."""
    try:
        return _run(container, options, console)
    except (MediaError, DomainError) as error:
        raise ClipCommandError(str(error)) from None
    except OSError as error:
        raise ClipCommandError(f"{error.filename or options.out}: {error.strerror}") from None
    finally:
        container.shutdown_resources()  # the embedded worker's threads end with the command


def _run(container: Container, options: ClipOptions, console: Console) -> ClipOutcome:
    settings = container.settings()
    defaults = container.clip_bounds()  # the bounds the highlights service uses unless told
    bounds = LengthBounds(
        options.min_len if options.min_len is not None else defaults.shortest,
        options.max_len if options.max_len is not None else defaults.longest,
    )
    if options.template:
        container.templates().get(options.template)  # unknown name: InvalidInput naming them
    check_caption_style(options.captions)
    check_aspect(options.aspect)
    delay = ChatDelay.parse(options.chat_delay) if options.chat_delay else container.chat_delay()
    if isinstance(options.input, str):
        container.url_guard().check(options.input)  # a refused URL stores nothing
    else:
        container.media().probe(options.input)  # bad input fails here, before anything is stored
    service = container.highlights()
    with _ProgressDisplay(console) as progress:
        unsubscribe = container.pipeline().subscribe(progress.on_event)
        try:
            source = _register(service, options.input, options.category)
            progress.analysing(_display_name(options.input))
            if options.chat is not None:
                _add_chat(container, source.id, options.chat, delay, console)
            clips = service.clip_best_moments(
                source.id,
                options.top,
                bounds,
                options.template,
                caption_style=options.captions,
                aspect=options.aspect,
            )
            # Said once the source has proved good, so a bad file's answer stays one error line.
            _tell_models(container, console)
            if len(clips) < options.top:
                console.print(fewer_than_asked(len(clips), options.top))
            progress.clips(len(clips))
            finished = _wait(service, [c.id for c in clips], settings.media.timeout)
        finally:
            unsubscribe()
    return export(service.source(source.id), finished, options.out, container.storage())


def _add_chat(
    container: Container, source_id: str, path: Path, delay: ChatDelay, console: Console
) -> None:
    """Read the chat replay into the source's timeline (analysing the source first)."""
    with path.open("rb") as stream:
        messages = container.chat_replays().messages(stream, str(path))
        added = container.highlights().add_chat(source_id, messages, delay, analyse=True)
    how = "estimated" if added.estimated else "set"
    console.print(
        f"clipnet: chat: {added.messages} messages, {added.notable_seconds} s of them notable; "
        f"delay {added.delay:g} s ({how})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _register(service: HighlightService, input: Path | str, category: str) -> Source:
    if isinstance(input, str):
        return service.register_local_url(input, _display_name(input), category)
    return service.register_local_file(str(input.resolve()), input.stem, category)


def _display_name(input: Path | str) -> str:
    """A file's name, or a URL's last path part (its host when it has none)."""
    if isinstance(input, Path):
        return input.name
    parts = urlsplit(input)
    return parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.hostname or input


def _tell_models(container: Container, console: Console) -> None:
    """Which models this run uses; when speech is off, why and how to turn it on (once)."""
    models = container.models_in_use()
    lines = [f"speech: {models.speech}" if models.speech_on else models.speech]
    lines.append(f"vision: {models.vision}")
    for line in lines:
        console.print(f"clipnet: {line}", markup=False, highlight=False, soft_wrap=True)


def fewer_than_asked(found: int, asked: int) -> str:
    """What the terminal says when fewer moments cleared the source's score floor."""
    return f"{found} highlight{'' if found == 1 else 's'} cleared the floor; asked for {asked}"


# -- waiting and progress ------------------------------------------------------------------------


def _wait(service: HighlightService, clip_ids: list[str], timeout: float) -> list[Clip]:
    deadline = time.monotonic() + timeout * (1 + len(clip_ids))
    while True:
        clips = service.current(clip_ids)
        if all(clip.status in SETTLED for clip in clips):
            return clips
        if time.monotonic() > deadline:
            raise ClipCommandError("clips were not finished in time; see the worker's log")
        time.sleep(POLL_SECONDS)


class _ProgressView:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._analysis = progress.add_task("reading the recording", total=None)
        self._analysing = "analysing the recording"
        self._clips: Any = None

    def analysing(self, name: str) -> None:
        self._analysing = f"analysing {name}"
        self._progress.update(self._analysis, description=self._analysing)

    def clips(self, count: int) -> None:
        self._progress.update(self._analysis, total=1, completed=1)
        if self._clips is None:
            self._clips = self._progress.add_task(
                f"making {count} clip(s)", total=count * STEPS_PER_CLIP
            )

    def on_event(self, event: PipelineEvent) -> None:
        if event.stage == "downloading":
            self._progress.update(
                self._analysis,
                description="downloading the recording",
                total=1,
                completed=float(event.detail or 0),
            )
        elif event.stage == "analyzing":
            self._progress.update(self._analysis, description=self._analysing, total=None)
        elif event.stage in ("scoring", "polishing", "ready") and self._clips is not None:
            self._progress.advance(self._clips)
        elif event.stage == "failed" and self._clips is not None:
            self._progress.advance(self._clips, STEPS_PER_CLIP)


class _ProgressDisplay:
    def __init__(self, console: Console) -> None:
        self._rich = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def __enter__(self) -> _ProgressView:
        self._rich.start()
        return _ProgressView(self._rich)

    def __exit__(self, *_exc: object) -> None:
        self._rich.stop()


# -- output --------------------------------------------------------------------------------------


def _ranked(clips: Sequence[Clip]) -> list[Clip]:
    """Ready clips, best score first (ties: earlier first)."""
    ready = [c for c in clips if c.status is ClipStatus.READY]
    return sorted(ready, key=lambda c: (-(c.score.total if c.score else 0.0), c.span.start))


def export(source: Source, clips: Sequence[Clip], out: Path, storage: ObjectStorage) -> ClipOutcome:
    """Write clips.json, the clips' files and timeline.png into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for rank, clip in enumerate(_ranked(clips), start=1):
        video, thumbnail = f"clip-{rank:02d}.mp4", f"clip-{rank:02d}.jpg"
        storage.fetch(clip.assets["video"], out / video)
        storage.fetch(clip.assets["thumbnail"], out / thumbnail)
        entries.append(clip_entry(clip, rank, video, thumbnail))
    failed = [
        f"clip {c.span.start:.1f}-{c.span.end:.1f} s: {c.last_error or c.status.value}"
        for c in clips
        if c.status is not ClipStatus.READY
    ]
    document: dict[str, Any] = {
        "source": {"path": source.location, "duration": round(source.duration, 3)},
        "clips": entries,
    }
    if failed:
        document["failed"] = failed
    clips_json = out / "clips.json"
    clips_json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    _chart(source, entries, out / "timeline.png")
    return ClipOutcome(clips_json, len(entries), failed)


def clip_entry(clip: Clip, rank: int, video: str, thumbnail: str) -> dict[str, Any]:
    score = clip.score
    return {
        "id": clip.id,
        "rank": rank,
        "start": round(clip.span.start, 3),
        "end": round(clip.span.end, 3),
        "score": round(score.total, 1) if score else None,
        "features": {k: round(v, 3) for k, v in score.values.items()} if score else {},
        "explanation": score.explanation if score else "",
        "title": clip.title,
        "hashtags": list(clip.hashtags),
        "template": clip.template,
        "file": video,
        "thumbnail": thumbnail,
        "transcript": clip.transcript.text if clip.transcript else None,
    }


def _chart(source: Source, entries: Sequence[dict[str, Any]], out: Path) -> None:
    if source.timeline is None:
        return
    signals = normalise(source.timeline)
    chart = TimelineChart(
        duration=source.duration or float(source.timeline.seconds),
        score=score_curve(source.timeline),
        features={
            name: signals[name]
            for name in ("loudness", "motion", "speech", CHAT_SERIES)
            if name in signals
        },
        clips=[ChosenClip(e["rank"], e["start"], e["end"]) for e in entries],
        cuts=source.timeline.scene_cuts,
        title=Path(source.location).name,
    )
    render_timeline(chart, out)


def stderr_console() -> Console:
    return Console(stderr=True, force_terminal=None if sys.stderr.isatty() else False)
