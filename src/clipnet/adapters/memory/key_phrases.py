"""Key phrases without a library: a text's most frequent meaningful words."""

from __future__ import annotations

from clipnet.domain.highlights.metadata import keywords


class FrequentWords:
    """:class:`~clipnet.ports.key_phrases.KeyPhrases` as single frequent words (the domain's
    own :func:`keywords`): for tests and installations without ``yake``."""

    def extract(self, text: str, language: str, limit: int) -> list[str]:
        return keywords([text], limit) if limit > 0 else []
