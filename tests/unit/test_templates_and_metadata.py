from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.highlights.metadata import PLATFORM_LIMITS, build_metadata, truncate
from clipnet.domain.highlights.templates import Layout, TemplateCatalogue
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.platforms import Platform


def test_the_template_matching_most_tags_is_chosen() -> None:
    catalogue = TemplateCatalogue()
    assert catalogue.choose(tags=["gameplay", "streamer"]).layout is Layout.SPLIT
    assert catalogue.choose(captions=["a map on a screen"]).layout is Layout.BLUR_PAD


def test_without_matching_tags_the_default_template_is_chosen() -> None:
    catalogue = TemplateCatalogue(default="blur-pad")
    assert catalogue.choose(tags=["zebra"]).name == "blur-pad"


def test_an_unknown_template_name_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="reframe, center-crop, blur-pad, split"):
        TemplateCatalogue().get("vhs")


def test_a_given_title_wins_and_hashtags_come_from_tags_then_words() -> None:
    meta = build_metadata(
        Platform.YOUTUBE,
        title="Insane clutch",
        transcript="oh my god the dragon the dragon is down",
        tags=["Valorant"],
    )
    assert meta.title == "Insane clutch"
    assert meta.hashtags[:2] == ("#valorant", "#dragon")
    assert meta.description.endswith(" ".join(meta.hashtags))


def test_without_a_title_the_transcript_opens_it() -> None:
    meta = build_metadata(Platform.TIKTOK, transcript="we did it chat, we won the final")
    assert meta.title.startswith("We did it chat")


def test_with_nothing_known_the_explanation_is_the_title() -> None:
    assert build_metadata(Platform.X, explanation="loud burst").title == "Loud burst"


def test_truncation_cuts_at_a_word_with_an_ellipsis() -> None:
    assert truncate("the quick brown fox", 12) == "the quick…"


@given(
    st.sampled_from(list(Platform)),
    st.text(max_size=400),
    st.text(max_size=3000),
    st.lists(st.text(max_size=30), max_size=30),
    st.lists(st.text(max_size=300), max_size=5),
)
def test_metadata_always_fits_the_platform_limits(
    platform: Platform, title: str, transcript: str, tags: list[str], captions: list[str]
) -> None:
    meta = build_metadata(
        platform, title=title, transcript=transcript, tags=tags, captions=captions
    )
    limits = PLATFORM_LIMITS[platform]
    assert 0 < len(meta.title) <= limits.title
    assert len(meta.description) <= limits.description
    assert len(meta.hashtags) <= limits.hashtags
    assert all(t.startswith("#") and t[1:].isalnum() for t in meta.hashtags)
