"""Meaning in the score: shouts, laughter, hype words and punchlines move a clip's score, and
a clip without speech scores exactly as it did before."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.highlights.excitement import (
    SPEECH_WEIGHTS,
    speech_features,
    with_speech,
    with_speech_weights,
)
from clipnet.domain.highlights.features import Segment
from clipnet.domain.highlights.scoring import DEFAULT_WEIGHTS, Weights, rank_segments, score_segment
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.spans import TimeSpan


def said(text: str, language: str = "en", gap: float = 0.1, start: float = 0.5) -> Transcript:
    """``text`` spoken a word every 0.4 s plus ``gap``; "|" marks a 1 s pause."""
    words, at = [], start
    for token in text.split():
        if token == "|":
            at += 1.0
            continue
        words.append(Word(token, at, at + 0.3))
        at += 0.3 + gap
    return Transcript(words, language)


EXCITED = said("WOW! No way! That was insane! Let's go!")
CALM = said("the weather report said tomorrow would be mostly cloudy with light wind")
CALM_VIDEO = Segment(TimeSpan(100, 120), {"loudness": 0.05, "motion": 0.05, "speech": 0.1})


def test_an_excited_line_shouts_and_hypes_and_a_calm_one_does_neither() -> None:
    excited, calm = speech_features(EXCITED, 20), speech_features(CALM, 20)
    assert excited["shouting"] == 1.0 and excited["hype"] == 1.0
    assert calm == {"shouting": 0.0, "laughter": 0.0, "hype": 0.0, "punchline": 0.0}


def test_laughter_is_heard_in_its_many_spellings() -> None:
    for laugh in ("haha", "HAHAHA", "lol", "lmao", "[laughter]", "(laughs)", "jajaja", "xD"):
        assert speech_features(said(f"that {laugh}"), 20)["laughter"] == 0.5, laugh
    assert speech_features(said("hah that lol"), 20)["laughter"] == 0.5  # "hah": one syllable


def test_the_hype_lexicon_follows_the_transcripts_language() -> None:
    spanish = "qué locura tío no puede ser increíble"
    assert speech_features(said(spanish, "es"), 20)["hype"] == 1.0
    assert speech_features(said(spanish, "en"), 20)["hype"] == 0.0
    german = "das war krass alter einfach unglaublich"
    assert speech_features(said(german, "de"), 20)["hype"] == 1.0
    assert speech_features(said("that was insane", "fr"), 20)["hype"] == 1.0, "English otherwise"


def test_a_question_a_pause_and_a_reaction_is_a_punchline() -> None:
    assert speech_features(said("why did he jump? | hahaha"), 20)["punchline"] == 1.0
    assert speech_features(said("why did he jump? hahaha"), 20)["punchline"] == 0.0, "no pause"
    assert speech_features(said("why did he jump? | no idea"), 20)["punchline"] == 0.0


def test_only_words_inside_the_clip_count() -> None:
    late = said("WOW! insane!", start=25)
    assert speech_features(late, 20) == {}


def test_excited_speech_over_calm_video_outranks_the_same_video_without_speech() -> None:
    weights = with_speech_weights(DEFAULT_WEIGHTS)
    quiet = Segment(TimeSpan(0, 20), CALM_VIDEO.features)
    excited = with_speech(CALM_VIDEO, EXCITED)
    without = score_segment(quiet, DEFAULT_WEIGHTS)
    with_words = score_segment(excited, weights)
    assert with_words.total > without.total + 20
    assert "shouting" in with_words.explanation or "hype" in with_words.explanation


def test_excited_speech_outranks_calm_speech_over_the_same_video() -> None:
    weights = with_speech_weights(DEFAULT_WEIGHTS)
    excited = with_speech(Segment(TimeSpan(0, 20), CALM_VIDEO.features), EXCITED)
    calm = with_speech(Segment(TimeSpan(30, 50), CALM_VIDEO.features), CALM)
    ranked = rank_segments([calm, excited], weights)
    assert [r.segment for r in ranked] == [excited, calm]


def test_a_templates_own_weight_for_a_speech_feature_wins() -> None:
    weights = with_speech_weights(Weights({"motion": 1.0, "laughter": 2.0}))
    assert weights.values["laughter"] == 2.0
    assert weights.values["hype"] == SPEECH_WEIGHTS["hype"]


features = st.dictionaries(
    st.sampled_from(["loudness", "motion", "speech", "scene"]), st.floats(0, 1), min_size=1
)
tokens = st.sampled_from(["WOW!", "haha", "why?", "insane", "the", "cloudy", "|", "no", "way"])


@given(st.lists(tokens, max_size=25), st.sampled_from(["en", "es", "de", ""]))
def test_every_speech_feature_stays_in_its_range(spoken: list[str], language: str) -> None:
    for value in speech_features(said(" ".join(spoken), language), 30).values():
        assert 0.0 <= value <= 1.0


@given(features, st.lists(tokens, max_size=25))
def test_a_score_with_speech_stays_within_0_and_100(values: dict[str, float], spoken: list[str]):
    segment = with_speech(Segment(TimeSpan(0, 30), values), said(" ".join(spoken)))
    assert 0.0 <= score_segment(segment, with_speech_weights(DEFAULT_WEIGHTS)).total <= 100.0


@given(features)
def test_without_words_the_segments_score_is_unchanged(values: dict[str, float]) -> None:
    segment = Segment(TimeSpan(0, 30), values)
    assert speech_features(Transcript(), 30) == {}
    assert score_segment(with_speech(segment, Transcript())) == score_segment(segment)


@given(st.lists(tokens, max_size=20))
def test_one_more_laugh_never_lowers_the_laughter(spoken: list[str]) -> None:
    before = speech_features(said(" ".join([*spoken, "the"])), 60)["laughter"]
    after = speech_features(said(" ".join([*spoken, "haha"])), 60)["laughter"]
    assert after >= before
