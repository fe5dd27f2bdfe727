"""The key-phrases contract, for YAKE! and the frequent-words stand-in: phrases come from the
text as written, best first, at most as many as asked, none without words; nothing leaves the
machine (YAKE! is offline: it only reads its packaged stop-word lists)."""

from __future__ import annotations

import pytest

from clipnet.adapters.memory.key_phrases import FrequentWords
from clipnet.adapters.yake_phrases import YakeKeyPhrases
from clipnet.ports.key_phrases import KeyPhrases

TEXT = (
    "No way! The dragon is down. That was an insane clutch in the final round, "
    "the dragon never saw it coming. Let's go!"
)


@pytest.fixture(params=["yake", "frequent-words"])
def phrases(request: pytest.FixtureRequest) -> KeyPhrases:
    return YakeKeyPhrases() if request.param == "yake" else FrequentWords()


def test_phrases_are_the_texts_own_words_and_at_most_as_many_as_asked(
    phrases: KeyPhrases,
) -> None:
    found = phrases.extract(TEXT, "en", 3)
    assert 0 < len(found) <= 3
    assert all(phrase.lower() in TEXT.lower() for phrase in found)
    assert all(1 <= len(phrase.split()) <= 3 for phrase in found)


def test_the_repeated_subject_is_among_the_first_phrases(phrases: KeyPhrases) -> None:
    assert any("dragon" in phrase.lower() for phrase in phrases.extract(TEXT, "en", 3))


def test_a_text_without_words_or_a_limit_of_zero_gives_none(phrases: KeyPhrases) -> None:
    assert phrases.extract("", "en", 5) == []
    assert phrases.extract("1 -2 -3 ... ...", "en", 5) == []
    assert phrases.extract(TEXT, "en", 0) == []


def test_another_language_and_an_unknown_one_are_read(phrases: KeyPhrases) -> None:
    spanish = "El portero paró el penalti en el último minuto y ganamos la final del torneo"
    assert phrases.extract(spanish, "es", 3)
    assert phrases.extract(TEXT, "xx", 3)


def test_the_same_text_gives_the_same_phrases(phrases: KeyPhrases) -> None:
    assert phrases.extract(TEXT, "en", 5) == phrases.extract(TEXT, "en", 5)
