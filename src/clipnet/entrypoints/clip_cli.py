"""``clipnet clip`` and ``clipnet sample``: the main job, and a video to try it on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clipnet.settings import ConfigError, load_settings


def clip(
    input_file: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="The recording: a local video file, or a Twitch, YouTube or Kick VOD link or "
            "a media URL (downloaded first).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for clips.json, clips, timeline.")],
    top: Annotated[int, typer.Option("--top", min=1, help="How many clips to make.")] = 3,
    template: Annotated[
        str,
        typer.Option(
            "--template", help="reframe, center-crop, blur-pad or split; default: chosen."
        ),
    ] = "",
    captions: Annotated[
        str,
        typer.Option(
            "--captions", help="bold-pop, lower-third, boxed or none; default: the template's."
        ),
    ] = "",
    aspect: Annotated[
        str,
        typer.Option(
            "--aspect",
            help="9:16 (1080x1920), 1:1 (1080x1080) or 16:9 (1920x1080); default: the template's.",
        ),
    ] = "",
    min_len: Annotated[
        float | None, typer.Option("--min-len", help="Shortest clip, seconds.")
    ] = None,
    max_len: Annotated[
        float | None, typer.Option("--max-len", help="Longest clip, seconds.")
    ] = None,
    chat: Annotated[
        Path | None,
        typer.Option(
            "--chat",
            exists=True,
            dir_okay=False,
            help="The recording's chat replay: TwitchDownloader or chat-downloader JSON, or "
            "CSV offset_seconds,author,message. Chat spikes then count in the score.",
        ),
    ] = None,
    chat_delay: Annotated[
        str,
        typer.Option(
            "--chat-delay",
            help="Seconds chat lags the video (0-60), or 'auto' to estimate it; "
            "default: CLIPNET_CHAT_DELAY (8).",
        ),
    ] = "",
    category: Annotated[
        str,
        typer.Option("--category", help="The game or category streamed, e.g. Valorant."),
    ] = "",
) -> None:
    """Find the best moments of INPUT and write them to --out as finished vertical clips."""
    # Imported here: the heavy parts load only for the commands that need them.
    from clipnet.adapters.ffmpeg.safety import local_path
    from clipnet.container import build_container
    from clipnet.entrypoints.clip_command import (
        ClipCommandError,
        ClipOptions,
        run_clip_command,
        stderr_console,
    )
    from clipnet.entrypoints.worker import remove_stale_scratch
    from clipnet.ports.media import MediaError

    remove_stale_scratch()  # an earlier run killed mid-clip left its scratch folders
    try:
        options = ClipOptions(
            input_file if _is_url(input_file) else local_path(input_file),
            out,
            top,
            template,
            min_len,
            max_len,
            captions=captions,
            aspect=aspect,
            chat=chat,
            chat_delay=chat_delay,
            category=category,
        )
        container = build_container(load_settings())
        outcome = run_clip_command(container, options, stderr_console())
    except ConfigError as error:
        typer.echo(f"clipnet: configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    except (ClipCommandError, MediaError, ValueError) as error:
        typer.echo(f"clipnet: error: {error}", err=True)
        raise typer.Exit(1) from None
    for line in outcome.failed:
        typer.echo(f"clipnet: {line}", err=True)
    typer.echo(f"{outcome.ready} clip(s) written; see {outcome.clips_json}")
    if outcome.failed:
        raise typer.Exit(1)


def _is_url(text: str) -> bool:
    """A ``scheme://`` that is not a local file's name: the SSRF guard decides on it."""
    return "://" in text and not Path(text).exists()


def sample(
    out: Annotated[Path, typer.Argument(help="Where to write the sample video (.mp4).")],
    seconds: Annotated[float, typer.Option("--seconds", min=30, help="Length.")] = 120.0,
) -> None:
    """Make a sample recording (calm parts and one exciting part) from FFmpeg's test sources."""
    from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
    from clipnet.domain.shared.spans import TimeSpan
    from clipnet.ports.media import MediaError

    middle = seconds * 0.45
    spec = SampleSpec(seconds=seconds, exciting=TimeSpan(middle, middle + min(20.0, seconds / 6)))
    try:
        settings = load_settings()
        make_sample(out, spec, settings.media.ffmpeg)
    except ConfigError as error:
        typer.echo(f"clipnet: configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    except MediaError as error:
        typer.echo(f"clipnet: error: {error}", err=True)
        raise typer.Exit(1) from None
    excite = spec.exciting
    typer.echo(f"{out}: {seconds:g} s sample, exciting part {excite.start:g}-{excite.end:g} s")
