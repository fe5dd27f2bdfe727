"""Word-level captions: which words share a line and a page, when each word is the active one,
and where the caption block sits in the frame (clear of platform UI and of a face).

Pure layout and timing; the FFmpeg adapter turns a :class:`CaptionPlan` into an ASS script.
Widths are estimated in em (multiples of the font size) from a small glyph-width model of
DejaVu Sans Bold that errs on the wide side, so a line that fits here fits on screen.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import attrs

from clipnet.domain.highlights.transcripts import Word
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.geometry import Box

#: A page stays up at most this long after its last word ends (seconds).
LINGER = 0.6
#: A silence this long between two words ends the page: the next words start a new one.
PAUSE = 0.6
#: Times are whole centiseconds (ASS's resolution), so rounding never makes cues overlap.
QUANTUM = 0.01
#: Line height as a multiple of the font size.
LINE_SPACING = 1.25
#: Scripts written without spaces between words (ISO 639-1 codes of their main languages).
UNSPACED_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})

# Latin and CJK (full-width) punctuation, written as escapes so the two are told apart.
_SENTENCE_END = tuple(".!?\u2026\u3002\uff01\uff1f")
_CLAUSE_END = tuple(",;:\u3001\uff0c\uff1b\uff1a")
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),  # pictographs, emoticons, flags (regional indicators), symbols
    (0x2600, 0x27BF),  # miscellaneous symbols and dingbats
    (0x2300, 0x23FF),  # technical symbols drawn as emoji (watch, hourglass, ...)
    (0x2B00, 0x2BFF),  # arrows and stars drawn as emoji
    (0xFE00, 0xFE0F),  # variation selectors (emoji presentation)
    (0x200D, 0x200D),  # zero-width joiner of emoji sequences
    (0x20E3, 0x20E3),  # combining keycap
)


class CaptionLook(enum.StrEnum):
    """How captions look and move."""

    BOLD_POP = "bold-pop"
    """Bold words, the one being spoken coloured and scaled up."""
    LOWER_THIRD = "lower-third"
    """Clean: regular weight, left-aligned near the bottom; words appear as they are spoken."""
    BOXED = "boxed"
    """Each line on an opaque box; the word being spoken coloured."""


@attrs.frozen
class CaptionStyle:
    """A caption look and its parameters (colours are ``#RRGGBB``)."""

    look: CaptionLook = CaptionLook.BOLD_POP
    font: str = "DejaVu Sans"
    size: int = 72
    """Text size in pixels for a 1080-pixel frame side; scaled with the frame's shorter side."""
    bold: bool = True
    text_colour: str = "#FFFFFF"
    highlight_colour: str = "#FFD400"
    """The active word's colour (the same as ``text_colour``: no highlight)."""
    outline_colour: str = "#000000"
    outline: int = 5
    """Outline width in pixels (for ``boxed``: the box's padding around the text)."""
    box_colour: str = "#000000"
    """``boxed``: the colour of the box behind each line."""
    active_scale: float = 1.0
    """The active word's size relative to the others."""
    reveal: bool = False
    """Words appear as they are spoken (else the whole page shows from its first word)."""
    centre: bool = True
    """Centred lines; else left-aligned."""
    height_share: float = 0.72
    """Where the block's middle would like to be, as a share of the frame's height (it is
    kept inside the safe area and clear of faces)."""
    max_lines: int = attrs.field(default=2, validator=attrs.validators.in_((1, 2)))
    max_chars: int = 28
    """Most characters on a line of several words (a single long word is shrunk instead)."""
    emoji: bool = False
    """Keep emoji in captions (off: emoji are removed)."""


CAPTION_STYLES: Mapping[str, CaptionStyle] = MappingProxyType(
    {
        CaptionLook.BOLD_POP.value: CaptionStyle(active_scale=1.15),
        CaptionLook.LOWER_THIRD.value: CaptionStyle(
            look=CaptionLook.LOWER_THIRD,
            size=60,
            bold=False,
            highlight_colour="#FFFFFF",
            outline=3,
            reveal=True,
            centre=False,
            height_share=1.0,
        ),
        CaptionLook.BOXED.value: CaptionStyle(
            look=CaptionLook.BOXED,
            size=64,
            highlight_colour="#20D0FF",
            outline=14,
            box_colour="#101010",
            height_share=0.75,
        ),
    }
)
#: The name that turns captions off for a template or a request.
NO_CAPTIONS = "none"


def caption_style(name: str) -> CaptionStyle | None:
    """The style called ``name``; None for ``"none"``; else ``InvalidInput`` naming them."""
    if name == NO_CAPTIONS:
        return None
    try:
        return CAPTION_STYLES[name]
    except KeyError:
        known = ", ".join([*CAPTION_STYLES, NO_CAPTIONS])
        raise InvalidInput(f"unknown caption style {name!r} (known: {known})") from None


def check_caption_style(name: str) -> None:
    """``InvalidInput`` naming the known styles unless ``name`` is one ("" = the template's)."""
    if name:
        caption_style(name)


def caption_style_names() -> list[str]:
    return [*CAPTION_STYLES, NO_CAPTIONS]


# -- text ----------------------------------------------------------------------------------------


def _char_width(ch: str) -> float:
    """Estimated advance of ``ch`` in em (DejaVu Sans Bold, rounded up)."""
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d":
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " " or ch in "ijlI.,;:'!|":
        return 0.36
    if ch in 'frt()[]-"':
        return 0.5
    if ch in "mwMW@%&":
        return 1.05
    if ch.isdigit():
        return 0.72
    if ch.isupper():
        return 0.82
    return 0.72


def text_width(text: str) -> float:
    """How wide ``text`` is, in em."""
    return sum(_char_width(ch) for ch in text)


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _EMOJI_RANGES)


def clean_text(text: str, *, emoji: bool = False) -> str:
    """One word's text on one line: whitespace and control characters gone, emoji too
    unless ``emoji``."""
    kept = "".join(ch for ch in text if _keep(ch, emoji))
    return "".join(kept.split())


def _keep(ch: str, emoji: bool) -> bool:
    if _is_emoji(ch):  # the joiner and variation selectors too: they only build emoji
        return emoji
    return unicodedata.category(ch) not in ("Cc", "Cf")


def word_separator(language: str) -> str:
    """What goes between words on a line: nothing for scripts written without spaces."""
    return "" if language.lower() in UNSPACED_LANGUAGES else " "


# -- words, lines and pages ----------------------------------------------------------------------


@attrs.frozen
class CaptionWord:
    text: str
    start: float
    end: float


@attrs.frozen
class LineBudget:
    """How much one line may hold."""

    width: float
    """In em of the caption font."""
    max_chars: int
    separator: str = " "


@attrs.frozen
class CaptionLine:
    words: tuple[CaptionWord, ...]
    separator: str = " "
    scale: float = 1.0
    """< 1 when a single word is wider than the line: it is drawn smaller to fit."""

    @property
    def text(self) -> str:
        return self.separator.join(w.text for w in self.words)

    @property
    def width(self) -> float:
        """The line's width in em at its scale."""
        return text_width(self.text) * self.scale


@attrs.frozen
class CaptionPage:
    """The lines on screen together, from ``start`` to ``end`` (seconds)."""

    lines: tuple[CaptionLine, ...]
    start: float
    end: float

    @property
    def words(self) -> tuple[CaptionWord, ...]:
        return tuple(w for line in self.lines for w in line.words)


@attrs.frozen
class CaptionCue:
    """One moment of a page: ``page.words[active]`` is the word being spoken."""

    start: float
    end: float
    page: CaptionPage
    active: int


def caption_words(words: Sequence[Word], until: float, *, emoji: bool = False) -> list[CaptionWord]:
    """The words to caption: cleaned, the empty ones dropped, none starting at or after
    ``until``, times made non-decreasing (a recogniser may give a word a time before the one
    it follows) and cut to ``until``."""
    result: list[CaptionWord] = []
    last_start = 0.0
    for word in words:
        text = clean_text(word.text, emoji=emoji)
        start = max(last_start, word.start, 0.0)
        if not text or start >= until:
            continue
        result.append(CaptionWord(text, start, min(until, max(start, word.end))))
        last_start = start
    return result


def _ends_sentence(word: CaptionWord) -> bool:
    return word.text.endswith(_SENTENCE_END)


def _ends_clause(word: CaptionWord) -> bool:
    return word.text.endswith(_CLAUSE_END)


def _pause_after(word: CaptionWord, following: CaptionWord) -> bool:
    return following.start - word.end >= PAUSE


def _fits(words: Sequence[CaptionWord], budget: LineBudget) -> bool:
    text = budget.separator.join(w.text for w in words)
    return text_width(text) <= budget.width and len(text) <= budget.max_chars


def _line(words: Sequence[CaptionWord], budget: LineBudget) -> CaptionLine:
    line = CaptionLine(tuple(words), budget.separator)
    width = text_width(line.text)
    return attrs.evolve(line, scale=budget.width / width) if width > budget.width else line


def break_lines(words: Sequence[CaptionWord], budget: LineBudget) -> list[tuple[CaptionLine, bool]]:
    """Lines of ``words`` in order, each within ``budget``; each with whether the page must
    end after it (a sentence ends or a pause follows). A line also breaks after a clause
    (comma, semicolon) once it is half full."""
    lines: list[tuple[CaptionLine, bool]] = []
    current: list[CaptionWord] = []
    for index, word in enumerate(words):
        current.append(word)
        following = words[index + 1] if index + 1 < len(words) else None
        if following is None:
            break
        hard = _ends_sentence(word) or _pause_after(word, following)
        half_full = text_width(budget.separator.join(w.text for w in current)) >= budget.width / 2
        if hard or (_ends_clause(word) and half_full) or not _fits([*current, following], budget):
            lines.append((_line(current, budget), hard))
            current = []
    if current:
        lines.append((_line(current, budget), True))
    return lines


def paginate(
    words: Sequence[CaptionWord], budget: LineBudget, max_lines: int, until: float
) -> list[CaptionPage]:
    """Pages of at most ``max_lines`` lines, each shown from its first word until shortly
    after its last (never past the next page's first word, nor past ``until``)."""
    groups: list[list[CaptionLine]] = []
    page_open = False
    for line, ends_page in break_lines(words, budget):
        if page_open and len(groups[-1]) < max_lines:
            groups[-1].append(line)
        else:
            groups.append([line])
        page_open = not ends_page
    pages: list[CaptionPage] = []
    for index, lines in enumerate(groups):
        first, last = lines[0].words[0], lines[-1].words[-1]
        end = min(last.end + LINGER, until)
        if index + 1 < len(groups):
            end = min(end, groups[index + 1][0].words[0].start)
        pages.append(CaptionPage(tuple(lines), _tick(first.start), _tick(max(first.start, end))))
    return pages


def cues(pages: Sequence[CaptionPage]) -> list[CaptionCue]:
    """Every page's moments: each word is active from its start until the next word starts
    (the last until the page ends). Empty moments (shorter than a centisecond) are left out;
    cues never overlap."""
    result: list[CaptionCue] = []
    for page in pages:
        words = page.words
        for index, word in enumerate(words):
            start = max(page.start, _tick(word.start))
            end = page.end if index + 1 == len(words) else _tick(words[index + 1].start)
            end = min(end, page.end)
            if end > start:
                result.append(CaptionCue(start, end, page, index))
    return result


def _tick(seconds: float) -> float:
    return round(round(seconds / QUANTUM) * QUANTUM, 2)


# -- where the block goes ------------------------------------------------------------------------


def safe_area(width: int, height: int) -> Box:
    """The part of a ``width`` x ``height`` frame that platforms leave uncovered: on a
    portrait (9:16) frame not the top 8% (account names, search) nor the bottom 15% (caption,
    buttons) and 6% at the sides (the like/share column sits over the right edge's margin);
    on square and landscape frames 6% at the top, 10% at the bottom (player controls) and
    5% at the sides."""
    portrait = height > width * 1.2
    top, bottom, side = (0.08, 0.15, 0.06) if portrait else (0.06, 0.10, 0.05)
    x, y = round(width * side), round(height * top)
    return Box(x, y, width - 2 * x, round(height * (1 - bottom)) - y)


@attrs.frozen
class CaptionLayout:
    """Where and how large captions are drawn in one output frame."""

    box: Box
    """Everything captions draw lies inside this box."""
    font_px: int
    line_height: int
    padding: int
    """Between the box's edge and the text (outline, box padding, the active word's growth)."""
    budget: LineBudget


def font_pixels(style: CaptionStyle, width: int, height: int) -> int:
    return max(12, round(style.size * min(width, height) / 1080))


def layout_for(
    style: CaptionStyle, width: int, height: int, *, language: str = "", avoid: Sequence[Box] = ()
) -> CaptionLayout:
    """The caption block for a ``width`` x ``height`` frame: as high as ``max_lines`` lines,
    as wide as the safe area, its middle as near ``style.height_share`` of the frame as the
    safe area allows, and clear of every box in ``avoid`` (faces) when there is room above or
    below them inside the safe area (else at the bottom of the safe area)."""
    safe = safe_area(width, height)
    font = font_pixels(style, width, height)
    line_height = round(font * LINE_SPACING * style.active_scale)
    padding = style.outline + round(font * (style.active_scale - 1)) + 4
    block_height = min(safe.h, style.max_lines * line_height + 2 * padding)
    y = _block_top(safe, block_height, round(height * style.height_share - block_height / 2), avoid)
    box = Box(safe.x, y, safe.w, block_height)
    budget = LineBudget(
        (safe.w - 2 * padding) / (font * style.active_scale),
        style.max_chars,
        word_separator(language),
    )
    return CaptionLayout(box, font, line_height, padding, budget)


def _block_top(safe: Box, block_height: float, wanted: float, avoid: Sequence[Box]) -> float:
    lowest = safe.bottom - block_height

    def clamp(y: float) -> float:
        return min(max(y, safe.y), lowest)

    def clear(y: float) -> bool:
        block = Box(safe.x, y, safe.w, block_height)
        return not any(block.overlaps(face) for face in avoid)

    options = [clamp(wanted)]
    for face in avoid:
        options += [clamp(face.bottom), clamp(face.y - block_height)]
    free = [y for y in options if clear(y)]
    if not free:
        return lowest
    return min(free, key=lambda y: abs(y - clamp(wanted)))


# -- the whole plan ------------------------------------------------------------------------------


@attrs.frozen
class CaptionPlan:
    style: CaptionStyle
    layout: CaptionLayout
    pages: tuple[CaptionPage, ...]
    cues: tuple[CaptionCue, ...]


def plan_captions(
    style: CaptionStyle,
    words: Sequence[Word],
    *,
    width: int,
    height: int,
    until: float,
    language: str = "",
    avoid: Sequence[Box] = (),
) -> CaptionPlan:
    """Captions of ``words`` (times relative to the clip, which lasts ``until`` seconds) for a
    ``width`` x ``height`` frame; no words, no cues."""
    layout = layout_for(style, width, height, language=language, avoid=avoid)
    chosen = caption_words(words, until, emoji=style.emoji)
    pages = paginate(chosen, layout.budget, style.max_lines, until)
    return CaptionPlan(style, layout, tuple(pages), tuple(cues(pages)))
