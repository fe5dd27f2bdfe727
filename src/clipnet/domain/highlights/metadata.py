"""Titles, descriptions and hashtags for clips, within each platform's limits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from clipnet.domain.shared.converters import strings
from clipnet.domain.shared.platforms import Platform


@attrs.frozen
class TextLimits:
    """How long each piece of text may be on a platform (in characters)."""

    title: int
    description: int
    hashtags: int
    """Most hashtags the platform shows or accepts."""


PLATFORM_LIMITS: Mapping[Platform, TextLimits] = MappingProxyType(
    {
        Platform.YOUTUBE: TextLimits(title=100, description=5000, hashtags=15),
        Platform.TIKTOK: TextLimits(title=150, description=2200, hashtags=10),
        Platform.TWITCH: TextLimits(title=100, description=500, hashtags=5),
        Platform.DISCORD: TextLimits(title=256, description=2000, hashtags=10),
        Platform.X: TextLimits(title=100, description=280, hashtags=4),
    }
)

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "this",
        "to",
        "was",
        "we",
        "were",
        "with",
        "you",
        "your",
        "my",
        "me",
        "our",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "there",
        "what",
        "just",
        "like",
        "oh",
        "yeah",
        "um",
        "uh",
        "okay",
        "ok",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9']+")


@attrs.frozen
class ClipMetadata:
    """The words that go with a clip when it is shown or posted."""

    title: str
    description: str
    hashtags: tuple[str, ...] = attrs.field(converter=strings, default=())
    """Each starts with '#', letters and digits only."""


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "…"


def keywords(texts: Iterable[str], limit: int = 10) -> list[str]:
    """The most frequent meaningful words across ``texts``, first-seen order on ties."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in _WORD.findall(text.lower()):
            word = word.strip("'")
            if len(word) > 2 and word not in _STOPWORDS and not word.isdigit():
                counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: -counts[w])  # sorted() is stable: first-seen wins ties
    return ranked[:limit]


def hashtag(word: str) -> str:
    return "#" + "".join(ch for ch in word if ch.isalnum())


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else text


def build_metadata(
    platform: Platform,
    *,
    title: str = "",
    transcript: str = "",
    captions: Iterable[str] = (),
    tags: Iterable[str] = (),
    explanation: str = "",
) -> ClipMetadata:
    """Title, description and hashtags for ``platform`` from what is known of a clip.

    A given title wins; else the first words of the transcript; else the first caption; else
    the score's explanation. Hashtags come from tags first, then transcript keywords.
    """
    limits = PLATFORM_LIMITS[platform]
    captions = [c for c in captions if c.strip()]
    tags = [t for t in tags if t.strip()]
    chosen_title = (
        title.strip()
        or truncate(_sentence(transcript), min(limits.title, 60))
        or (_sentence(captions[0]) if captions else "")
        or _sentence(explanation)
        or "Clip"
    )
    body = [part for part in (_sentence(transcript), *map(_sentence, captions)) if part]
    tag_words = [*tags, *keywords([transcript, *captions])]
    hashtags: list[str] = []
    for word in tag_words:
        tag = hashtag(word.lower())
        if len(tag) > 1 and tag not in hashtags:
            hashtags.append(tag)
    hashtags = hashtags[: limits.hashtags]
    description = truncate(" ".join(body) or chosen_title, limits.description)
    # The hashtags share the description's room on every platform we post to.
    while hashtags and len(description) + 1 + len(" ".join(hashtags)) > limits.description:
        hashtags.pop()
    if hashtags:
        description = f"{description}\n{' '.join(hashtags)}"
    return ClipMetadata(truncate(chosen_title, limits.title), description, hashtags)
