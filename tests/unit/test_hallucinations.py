"""The hallucination filter: Whisper's output that is not speech is dropped, speech is kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.highlights.hallucinations import spoken_only
from clipnet.domain.highlights.transcripts import Transcript, Word


def said(*texts: str, **heard: float) -> Transcript:
    return Transcript([Word(t, i * 0.5, i * 0.5 + 0.4, **heard) for i, t in enumerate(texts)])


def test_speech_is_kept_as_it_is() -> None:
    speech = said("No", "way!", "That", "was", "insane!", no_speech=0.06, logprob=-0.48)
    assert spoken_only(speech) == speech


def test_digits_and_punctuation_whisper_writes_for_tones_are_dropped() -> None:
    assert spoken_only(said("1", "-2", "-3", "...", "…", ".", "?!")).is_empty


def test_music_and_noise_annotations_are_dropped_but_an_audience_reaction_stays() -> None:
    heard = spoken_only(said("♪", "[Music]", "(music)", "[BLANK_AUDIO]", "[laughter]", "gg"))
    assert heard.text == "[laughter] gg"


def test_a_stretch_whisper_thought_silent_is_dropped() -> None:
    assert spoken_only(said("Thank", "you.", no_speech=0.71)).is_empty
    assert spoken_only(said("Thank", "you.", no_speech=0.2)).text == "Thank you."


def test_a_repeating_or_guessed_stretch_is_dropped() -> None:
    assert spoken_only(said("the", "end", compression=2.9)).is_empty
    assert spoken_only(said("the", "end", logprob=-1.3)).is_empty


def test_a_loop_keeps_only_its_first_two_turns() -> None:
    loop = spoken_only(said("let's", "go", "let's", "go", "let's", "go", "let's", "go", "now"))
    assert loop.text == "let's go let's go now"
    assert spoken_only(said("go", "Go!", "go", "go")).text == "go Go!"


words = st.builds(
    Word,
    st.text(min_size=1, max_size=6),
    st.floats(0, 100),
    st.floats(100, 200),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 5),
    st.floats(-3, 0),
)


@given(st.lists(words, max_size=30))
def test_the_filter_only_removes_words_and_is_idempotent(given_words: list[Word]) -> None:
    transcript = Transcript(given_words, "en")
    heard = spoken_only(transcript)
    assert heard.language == "en"
    remaining = iter(transcript.words)
    assert all(any(w is kept for w in remaining) for kept in heard.words), "order kept"
    assert spoken_only(heard) == heard
