"""Titles worth posting: the clip's own key phrase, not its first words; hashtags from the
category and key phrases, never a stop word; without speech, what made the clip stand out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from clipnet.adapters.yake_phrases import YakeKeyPhrases
from clipnet.domain.highlights.metadata import _STOPWORDS, PLATFORM_LIMITS, build_metadata
from clipnet.domain.shared.platforms import Platform

SAID = (
    "okay so um we were just walking around the map and then. "
    "The dragon is down, what an insane clutch! "
    "John had the last hit on the dragon and then we ran."
)


def test_the_title_quotes_the_sentence_of_the_first_key_phrase_not_the_first_words() -> None:
    meta = build_metadata(Platform.YOUTUBE, transcript=SAID, phrases=["insane clutch", "dragon"])
    assert meta.title == "The dragon is down, what an insane clutch!"
    assert not meta.title.lower().startswith("okay")


def test_a_long_sentence_gives_way_to_its_key_phrase() -> None:
    long = "we went " + "all the way around " * 6 + "for the insane clutch at the end"
    assert build_metadata(Platform.X, transcript=long, phrases=["insane clutch"]).title == (
        "Insane clutch"
    )


def test_with_a_real_extractor_the_title_holds_a_key_phrase_and_no_hashtag_is_a_stop_word():
    phrases = YakeKeyPhrases().extract(SAID, "en", 5)
    meta = build_metadata(Platform.TIKTOK, transcript=SAID, phrases=phrases, category="Dota 2")
    assert any(p.lower() in meta.title.lower() for p in phrases)
    assert meta.hashtags[0] == "#dota2"
    assert all(tag[1:] not in _STOPWORDS for tag in meta.hashtags)
    assert not {"#had", "#then", "#okay", "#um", "#the"} & set(meta.hashtags)


def test_hashtags_skip_stop_words_and_phrases_with_one_inside() -> None:
    meta = build_metadata(
        Platform.YOUTUBE,
        transcript=SAID,
        phrases=["won the match", "the dragon", "had", "then", "insane clutch", "2"],
        tags=["valorant"],
        category="Just Chatting",
    )
    assert meta.hashtags == ("#justchatting", "#valorant", "#dragon", "#insaneclutch")


def test_without_phrases_the_most_frequent_words_stand_in() -> None:
    meta = build_metadata(Platform.YOUTUBE, transcript=SAID)
    assert "dragon" in meta.title.lower()
    assert meta.hashtags[0] == "#dragon"


def test_without_speech_the_title_is_the_explanation_and_the_source_title() -> None:
    meta = build_metadata(
        Platform.YOUTUBE, explanation="loud burst + fast motion", source_title="Friday ranked"
    )
    assert meta.title == "Loud burst + fast motion — Friday ranked"
    assert build_metadata(Platform.X, explanation="calm moment").title == "Calm moment"


def test_hashtags_fit_the_platforms_room() -> None:
    phrases = [f"phrase{n}" for n in range(40)]
    for platform, limits in PLATFORM_LIMITS.items():
        meta = build_metadata(platform, transcript=SAID, phrases=phrases, category="Fortnite")
        assert len(meta.hashtags) == limits.hashtags
        assert len(meta.description) <= limits.description


@given(
    st.sampled_from(list(Platform)),
    st.text(max_size=800),
    st.lists(st.text(max_size=40), max_size=12),
    st.text(max_size=60),
    st.text(max_size=200),
)
def test_titles_and_hashtags_always_fit_and_never_are_stop_words(
    platform: Platform, transcript: str, phrases: list[str], category: str, source_title: str
) -> None:
    meta = build_metadata(
        platform,
        transcript=transcript,
        phrases=phrases,
        category=category,
        source_title=source_title,
        explanation="loud burst",
    )
    limits = PLATFORM_LIMITS[platform]
    assert 0 < len(meta.title) <= limits.title
    assert len(meta.description) <= limits.description
    assert len(meta.hashtags) <= limits.hashtags
    assert all(t.startswith("#") and t[1:].isalnum() for t in meta.hashtags)
    assert all(t[1:] not in _STOPWORDS for t in meta.hashtags[1 if category else 0 :])
