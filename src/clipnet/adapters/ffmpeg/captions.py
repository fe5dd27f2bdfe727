"""Burned-in captions and titles as an ASS subtitle script (styled per template)."""

from __future__ import annotations

from collections.abc import Sequence

from clipnet.domain.highlights.templates import CaptionStyle, Template
from clipnet.domain.highlights.transcripts import Transcript, Word

#: A caption line stays up at most this long after its last word ends.
LINGER = 0.6
_TITLE_SIZE_RATIO = 1.15
_TITLE_MARGIN_TOP = 140
_STYLE_FIELDS = (
    "Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
    "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
    "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"
)


def ass_time(seconds: float) -> str:
    """ASS time: H:MM:SS.cc (centiseconds)."""
    centis = max(0, round(seconds * 100))
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs, cs = divmod(rest, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{cs:02d}"


def ass_text(text: str) -> str:
    """Text safe inside a Dialogue line: no override blocks, no line breaks, no escapes."""
    cleaned = text.replace("\\", "").replace("{", "(").replace("}", ")")
    return " ".join(cleaned.split())


def _style(name: str, style: CaptionStyle, size: int, alignment: int, margin: int) -> str:
    values = [
        name,
        style.font,
        str(size),
        style.primary_colour,
        "&H000000FF",
        style.outline_colour,
        "&H64000000",
        "-1",
        "0",
        "0",
        "0",
        "100",
        "100",
        "0",
        "0",
        "1",
        str(style.outline),
        "0",
        str(alignment),
        "60",
        "60",
        str(margin),
        "1",
    ]
    return "Style: " + ",".join(values)


def caption_lines(
    words: Sequence[Word], per_line: int, until: float
) -> list[tuple[float, float, str]]:
    """(start, end, text) for each group of ``per_line`` words, never overlapping the next."""
    groups = [words[i : i + max(1, per_line)] for i in range(0, len(words), max(1, per_line))]
    lines = []
    for index, group in enumerate(groups):
        start = max(0.0, group[0].start)
        end = max(group[-1].end, start + 0.2) + LINGER
        if index + 1 < len(groups):
            end = min(end, groups[index + 1][0].start)
        end = min(end, until)
        text = ass_text(" ".join(word.text for word in group))
        if end > start and text:
            lines.append((start, end, text))
    return lines


def ass_script(
    template: Template, duration: float, transcript: Transcript | None, title: str = ""
) -> str:
    """The whole ASS file: caption lines from word timings (clip-relative) and a title."""
    style = template.captions
    header = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {template.width}",
        f"PlayResY: {template.height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        f"Format: {_STYLE_FIELDS}",
        _style("Caption", style, style.size, 2, style.margin_bottom),
        _style("Title", style, round(style.size * _TITLE_SIZE_RATIO), 8, _TITLE_MARGIN_TOP),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = []
    if title.strip():
        events.append(_dialogue(0.0, duration, "Title", ass_text(title)))
    if transcript is not None:
        for start, end, text in caption_lines(transcript.words, style.words_per_line, duration):
            events.append(_dialogue(start, end, "Caption", text))
    return "\n".join([*header, *events, ""])


def _dialogue(start: float, end: float, style: str, text: str) -> str:
    return f"Dialogue: 0,{ass_time(start)},{ass_time(end)},{style},,0,0,0,,{text}"


def has_events(script: str) -> bool:
    return "\nDialogue:" in script
