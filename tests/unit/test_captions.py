"""Word-level caption layout: grouping, line breaks, timing and placement (pure domain)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.highlights.captions import (
    CAPTION_STYLES,
    CaptionPlan,
    CaptionStyle,
    caption_style,
    caption_words,
    clean_text,
    layout_for,
    plan_captions,
    safe_area,
    text_width,
)
from clipnet.domain.highlights.transcripts import Word
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.geometry import Box

FRAMES = [(1080, 1920), (1080, 1080), (1920, 1080), (720, 1280)]
#: Words as a recogniser gives them: letters, punctuation, other scripts, very long ones.
word_texts = st.one_of(
    st.text(st.characters(codec="utf-8", categories=("L", "N", "P")), min_size=1, max_size=12),
    st.sampled_from(["Hello,", "world.", "what?!", "Привет", "世界", "supercalifragilistic!"]),
)


@st.composite
def spoken_words(draw: st.DrawFn, max_words: int = 60) -> list[Word]:
    """Words in time order with gaps from none to long pauses; some overlap their neighbour."""
    words, at = [], draw(st.floats(0, 2))
    for text in draw(st.lists(word_texts, max_size=max_words)):
        length = draw(st.floats(0.0, 1.2))
        words.append(Word(text, round(at, 3), round(at + length, 3)))
        at += draw(st.sampled_from([0.0, 0.05, 0.2, 0.4, 1.5])) + length * draw(st.floats(0.5, 1))
    return words


plans = st.builds(
    lambda style, frame, words, language: plan_captions(
        style,
        words,
        width=frame[0],
        height=frame[1],
        until=(words[-1].end + 5 if words else 5.0),
        language=language,
    ),
    st.sampled_from(list(CAPTION_STYLES.values())),
    st.sampled_from(FRAMES),
    spoken_words(),
    st.sampled_from(["en", "ja", ""]),
)


@given(st.sampled_from(list(CAPTION_STYLES.values())), st.sampled_from(FRAMES), spoken_words())
def test_the_pages_hold_the_transcripts_words_exactly_once_in_order(
    style: CaptionStyle, frame: tuple[int, int], words: list[Word]
) -> None:
    until = words[-1].end + 1 if words else 1.0
    plan = plan_captions(style, words, width=frame[0], height=frame[1], until=until)
    expected = [clean_text(w.text) for w in words if clean_text(w.text)]
    assert [w.text for page in plan.pages for w in page.words] == expected


@given(plans)
def test_cues_never_overlap_and_run_in_time_order(plan: CaptionPlan) -> None:
    for cue in plan.cues:
        assert cue.start < cue.end
        assert cue.page.start <= cue.start and cue.end <= cue.page.end
    for earlier, later in zip(plan.cues, plan.cues[1:], strict=False):
        assert earlier.end <= later.start
    for earlier, later in zip(plan.pages, plan.pages[1:], strict=False):
        assert earlier.end <= later.start


@given(plans)
def test_no_line_exceeds_the_width_budget_and_a_page_has_at_most_its_lines(
    plan: CaptionPlan,
) -> None:
    budget = plan.layout.budget
    for page in plan.pages:
        assert 1 <= len(page.lines) <= plan.style.max_lines
        for line in page.lines:
            assert line.width <= budget.width + 1e-9
            if len(line.words) > 1:
                assert len(line.text) <= budget.max_chars


@given(st.sampled_from(list(CAPTION_STYLES.values())), st.sampled_from(FRAMES))
def test_the_caption_box_lies_inside_the_safe_area_and_the_lines_fit_it(
    style: CaptionStyle, frame: tuple[int, int]
) -> None:
    layout = layout_for(style, *frame)
    assert safe_area(*frame).contains(layout.box)
    lines_height = style.max_lines * layout.line_height + 2 * layout.padding
    assert layout.box.h >= lines_height
    assert layout.budget.width * layout.font_px * style.active_scale <= layout.box.w


def test_the_safe_area_of_a_9_16_frame_leaves_the_top_8_and_bottom_15_percent() -> None:
    safe = safe_area(1080, 1920)
    assert safe.y == round(1920 * 0.08)
    assert safe.bottom == round(1920 * 0.85)


@pytest.mark.parametrize("frame", FRAMES)
def test_captions_keep_clear_of_a_face_when_there_is_room(frame: tuple[int, int]) -> None:
    width, height = frame
    style = CAPTION_STYLES["bold-pop"]
    natural = layout_for(style, width, height).box
    face = Box(width // 4, natural.y - 40, width // 2, natural.h + 80)  # right over it
    moved = layout_for(style, width, height, avoid=[face]).box
    assert not moved.overlaps(face)
    assert safe_area(width, height).contains(moved)


def test_a_sentence_end_starts_a_new_page_and_a_comma_breaks_a_half_full_line() -> None:
    words = _timed("Wait, what just happened? We actually won the whole thing.")
    plan = plan_captions(CAPTION_STYLES["bold-pop"], words, width=1080, height=1920, until=20)
    pages = [[line.text for line in page.lines] for page in plan.pages]
    assert pages[0][-1].endswith("happened?")
    assert pages[1][0].startswith("We")


def test_a_long_pause_starts_a_new_page() -> None:
    words = [Word("one", 0.0, 0.3), Word("two", 0.3, 0.6), Word("three", 2.0, 2.4)]
    plan = plan_captions(CAPTION_STYLES["boxed"], words, width=1080, height=1920, until=5)
    assert [[w.text for w in p.words] for p in plan.pages] == [["one", "two"], ["three"]]
    assert plan.pages[0].end <= 2.0


def test_each_word_is_active_from_its_start_until_the_next_word() -> None:
    words = [Word("alpha", 1.0, 1.4), Word("beta", 1.5, 1.9), Word("gamma", 2.0, 2.3)]
    plan = plan_captions(CAPTION_STYLES["bold-pop"], words, width=1080, height=1920, until=10)
    assert [(c.start, c.end, c.active) for c in plan.cues] == [
        (1.0, 1.5, 0),
        (1.5, 2.0, 1),
        (2.0, 2.9, 2),  # the last word lingers 0.6 s after it ends
    ]


def test_no_words_give_no_cues() -> None:
    plan = plan_captions(CAPTION_STYLES["bold-pop"], [], width=1080, height=1920, until=10)
    assert plan.pages == () and plan.cues == ()


def test_emoji_are_removed_unless_the_style_keeps_them() -> None:
    assert clean_text("fire🔥") == "fire"
    assert clean_text("👍🏽") == ""
    assert clean_text("fire🔥", emoji=True) == "fire🔥"
    words = [Word("🔥", 0.0, 0.2), Word("nice", 0.2, 0.5)]
    assert [w.text for w in caption_words(words, 5.0)] == ["nice"]


def test_a_word_wider_than_a_line_is_shrunk_to_fit() -> None:
    long_word = "Donaudampfschifffahrtsgesellschaftskapitän"
    plan = plan_captions(
        CAPTION_STYLES["bold-pop"], [Word(long_word, 0, 1)], width=1080, height=1920, until=3
    )
    (line,) = plan.pages[0].lines
    assert line.scale < 1
    assert line.width <= plan.layout.budget.width + 1e-9


def test_unspaced_scripts_join_words_without_spaces() -> None:
    words = [Word("今日", 0.0, 0.3), Word("は", 0.3, 0.5), Word("晴れ", 0.5, 0.9)]
    plan = plan_captions(
        CAPTION_STYLES["bold-pop"], words, width=1080, height=1920, until=3, language="ja"
    )
    assert plan.pages[0].lines[0].text == "今日は晴れ"


def test_wide_characters_count_as_wider_than_latin_ones() -> None:
    assert text_width("世界") > text_width("ab")


def test_an_unknown_caption_style_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="bold-pop, lower-third, boxed, none"):
        caption_style("comic-sans")
    assert caption_style("none") is None


def _timed(sentence: str) -> list[Word]:
    return [Word(t, 0.3 * i, 0.3 * i + 0.25) for i, t in enumerate(sentence.split())]
