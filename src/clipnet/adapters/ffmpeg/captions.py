"""Burned-in word-level captions and titles as an ASS subtitle script for libass.

The domain's :class:`~clipnet.domain.highlights.captions.CaptionPlan` says which words share a
page and when each is active; here every cue becomes one ``Dialogue`` event: the page's lines
with each word's look written out (active: highlight colour and scale; upcoming, for styles
that reveal: transparent), placed with ``\\pos`` inside the plan's caption box.
"""

from __future__ import annotations

from collections.abc import Sequence

from clipnet.domain.highlights.captions import (
    CaptionCue,
    CaptionLayout,
    CaptionLine,
    CaptionLook,
    CaptionPlan,
    CaptionStyle,
    plan_captions,
    safe_area,
)
from clipnet.domain.highlights.templates import Template
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.shared.geometry import Box

_TITLE_SIZE_RATIO = 1.1
_STYLE_FIELDS = (
    "Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
    "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
    "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"
)
_OPAQUE, _SHADOW, _HIDDEN = "00", "80", "FF"


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


def ass_colour(rgb: str, alpha: str = _OPAQUE) -> str:
    """``#RRGGBB`` as a style colour, ``&HAABBGGRR``."""
    value = rgb.lstrip("#")
    return f"&H{alpha}{value[4:6]}{value[2:4]}{value[0:2]}".upper()


def _tag_colour(rgb: str) -> str:
    value = rgb.lstrip("#")
    return f"&H{value[4:6]}{value[2:4]}{value[0:2]}&".upper()


def _style_line(
    name: str, style: CaptionStyle, size: int, alignment: int, margins: tuple[int, int, int]
) -> str:
    boxed = style.look is CaptionLook.BOXED
    outline = style.box_colour if boxed else style.outline_colour
    values = [
        name,
        style.font,
        str(size),
        ass_colour(style.text_colour),
        ass_colour(style.highlight_colour),
        ass_colour(outline),
        ass_colour(style.outline_colour, _SHADOW),
        "-1" if style.bold else "0",
        "0",
        "0",
        "0",
        "100",
        "100",
        "0",
        "0",
        "3" if boxed else "1",  # 3: an opaque box (in OutlineColour) behind each line
        str(style.outline),
        "2" if style.look is CaptionLook.LOWER_THIRD else "0",
        str(alignment),
        *(str(m) for m in margins),
        "1",
    ]
    return "Style: " + ",".join(values)


def caption_plan(
    template: Template,
    duration: float,
    transcript: Transcript | None,
    avoid: Sequence[Box] = (),
) -> CaptionPlan | None:
    """The template's captions of ``transcript`` for its output frame; None without either."""
    if template.captions is None or transcript is None:
        return None
    return plan_captions(
        template.captions,
        transcript.words,
        width=template.width,
        height=template.height,
        until=duration,
        language=transcript.language,
        avoid=avoid,
    )


def ass_script(
    template: Template,
    duration: float,
    transcript: Transcript | None,
    title: str = "",
    *,
    avoid: Sequence[Box] = (),
) -> str:
    """The whole ASS file: word-level caption cues (clip-relative times) and a title."""
    plan = caption_plan(template, duration, transcript, avoid)
    style = template.captions or CaptionStyle()
    safe = safe_area(template.width, template.height)
    title_size = round(style.size * min(template.width, template.height) / 1080 * _TITLE_SIZE_RATIO)
    title_style = CaptionStyle(font=style.font, outline=5)
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
        _style_line(
            "Title", title_style, title_size, 8, (round(safe.x), round(safe.x), round(safe.y))
        ),
    ]
    if plan is not None:
        header.append(_style_line("Caption", plan.style, plan.layout.font_px, 2, (0, 0, 0)))
    header += [
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = []
    if title.strip():
        events.append(_dialogue(0.0, duration, "Title", ass_text(title)))
    if plan is not None:
        events += [_dialogue(c.start, c.end, "Caption", _cue_text(plan, c)) for c in plan.cues]
    return "\n".join([*header, *events, ""])


def _cue_text(plan: CaptionPlan, cue: CaptionCue) -> str:
    """The page as it looks during ``cue``: every word's look written out in full."""
    style, layout = plan.style, plan.layout
    lines, index = [], 0
    for line in cue.page.lines:
        parts = []
        for word in line.words:
            parts.append(_word(style, line, word.text, index, cue.active))
            index += 1
        lines.append(line.separator.join(parts))
    return _position(style, layout) + "\\N".join(lines)


def _word(style: CaptionStyle, line: CaptionLine, text: str, index: int, active: int) -> str:
    scale = round(100 * line.scale * (style.active_scale if index == active else 1.0))
    colour = style.highlight_colour if index == active else style.text_colour
    if style.reveal and index > active:  # not spoken yet: text, outline and shadow hidden
        alpha = f"\\alpha&H{_HIDDEN}&"
    else:
        alpha = f"\\1a&H{_OPAQUE}&\\3a&H{_OPAQUE}&\\4a&H{_SHADOW}&"
    look = f"{alpha}\\1c{_tag_colour(colour)}\\fscx{scale}\\fscy{scale}"
    return f"{{{look}}}" + ass_text(text)


def _position(style: CaptionStyle, layout: CaptionLayout) -> str:
    """No wrapping (the lines are the plan's), anchored at the bottom of the caption box."""
    box, pad = layout.box, layout.padding
    bottom = round(box.bottom - pad)
    if style.centre:
        return f"{{\\q2\\an2\\pos({round(box.centre[0])},{bottom})}}"
    return f"{{\\q2\\an1\\pos({round(box.x + pad)},{bottom})}}"


def _dialogue(start: float, end: float, style: str, text: str) -> str:
    return f"Dialogue: 0,{ass_time(start)},{ass_time(end)},{style},,0,0,0,,{text}"


def has_events(script: str) -> bool:
    return "\nDialogue:" in script
