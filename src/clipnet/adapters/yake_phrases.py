"""Key phrases with YAKE! (the ``yake`` package): unsupervised keyword extraction from the
text alone (word frequency, position, casing and spread), offline, with a stop-word list per
language; no model, nothing downloaded.

A third-party library, so behind the :class:`~clipnet.ports.key_phrases.KeyPhrases` port: the
domain imports only the standard library and attrs."""

from __future__ import annotations

#: Longest phrase, in words: a title's key phrase, a hashtag's words.
MOST_WORDS = 3
#: YAKE! merges phrases at least this similar (0-1) into one, so the top ones differ.
DEDUPLICATE_AT = 0.7
#: Languages YAKE! ships a stop-word list for that ClipNET expects to hear; others: English.
LANGUAGES = frozenset({"en", "es", "de", "fr", "it", "pt", "nl"})


class YakeKeyPhrases:
    """:class:`~clipnet.ports.key_phrases.KeyPhrases` with YAKE! (lower score: more telling)."""

    def extract(self, text: str, language: str, limit: int) -> list[str]:
        if limit <= 0 or not any(ch.isalpha() for ch in text):
            return []
        import yake  # here, not at import: the API starts without numpy's import cost

        code = language.lower()[:2]
        extractor = yake.KeywordExtractor(
            lan=code if code in LANGUAGES else "en",
            n=MOST_WORDS,
            dedupLim=DEDUPLICATE_AT,
            top=limit,
        )
        ranked = sorted(extractor.extract_keywords(text), key=lambda item: float(item[1]))
        return [str(phrase) for phrase, _ in ranked][:limit]
