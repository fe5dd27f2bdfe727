"""A clip's words shaped to what YouTube and TikTok accept."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.adapters.publishing.text import (
    fit,
    tiktok_caption,
    utf8_bytes,
    utf16_units,
    with_hashtags,
    youtube_snippet,
)
from clipnet.domain.highlights.metadata import ClipMetadata
from tests.loopback.tiktok import plan_problem
from tests.loopback.youtube import snippet_problem
from tests.strategies import clip_metadata


@settings(max_examples=150, deadline=None)
@given(clip_metadata(), st.lists(st.text(max_size=60), max_size=40))
def test_any_metadata_becomes_a_snippet_youtube_accepts(
    metadata: ClipMetadata, extra_tags: list[str]
) -> None:
    snippet = youtube_snippet(metadata, "20", extra_tags)
    status = {"privacyStatus": "private", "selfDeclaredMadeForKids": False}
    assert snippet_problem({"snippet": snippet, "status": status}) == ""
    lowered = [tag.lower() for tag in snippet["tags"]]  # type: ignore[union-attr]
    assert len(lowered) == len(set(lowered))  # each tag once


@settings(max_examples=150, deadline=None)
@given(clip_metadata())
def test_any_metadata_becomes_a_caption_tiktok_accepts(metadata: ClipMetadata) -> None:
    caption = tiktok_caption(metadata)
    source = {"source": "FILE_UPLOAD", "video_size": 10, "chunk_size": 10, "total_chunk_count": 1}
    assert plan_problem({"title": caption, "privacy_level": "SELF_ONLY"}, source) == ""


def test_text_that_fits_is_left_alone() -> None:
    assert fit("short enough", 12) == "short enough"
    assert with_hashtags("gg #wp", ("#wp", "#gg"), 100) == "gg #wp\n#gg"


def test_text_is_cut_at_a_word_with_an_ellipsis_measured_the_platforms_way() -> None:
    assert fit("one two three four", 10) == "one two…"
    emoji = "😀 " * 10  # 2 UTF-16 units and 4 UTF-8 bytes each
    assert utf16_units(fit(emoji, 9, utf16_units)) <= 9
    assert utf8_bytes(fit(emoji, 9, utf8_bytes)) <= 9


def test_hashtags_keep_their_place_when_the_body_is_cut() -> None:
    shaped = with_hashtags("word " * 100, ("#clip", "#gg"), 60)
    assert shaped.endswith("…\n#clip #gg") and len(shaped) <= 60


def test_a_title_that_is_its_descriptions_start_is_not_repeated_in_the_caption() -> None:
    metadata = ClipMetadata("Big clutch", "Big clutch on inferno\n#cs2", ("#cs2",))
    assert tiktok_caption(metadata) == "Big clutch on inferno\n#cs2"
