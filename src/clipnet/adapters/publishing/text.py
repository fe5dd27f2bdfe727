"""A clip's words shaped to what each platform accepts.

The domain's ``build_metadata`` already fits titles and descriptions to ``PLATFORM_LIMITS``;
this is the last check at the border, where platforms count differently (YouTube's
description in UTF-8 bytes, TikTok's caption in UTF-16 units) and refuse some characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from clipnet.domain.highlights.metadata import ClipMetadata, truncate

YOUTUBE_TITLE_CHARS = 100
YOUTUBE_DESCRIPTION_BYTES = 5000
YOUTUBE_TAGS_CHARS = 500
TIKTOK_CAPTION_UNITS = 2200

Measure = Callable[[str], int]


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def without_control(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


def fit(text: str, limit: int, measure: Measure = len) -> str:
    """``text`` cut at a word boundary so that ``measure(text) <= limit``."""
    if measure(text) <= limit:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest character count whose cut text fits
        middle = (low + high + 1) // 2
        if measure(truncate(text, middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return truncate(text, low)


def with_hashtags(body: str, hashtags: Iterable[str], limit: int, measure: Measure = len) -> str:
    """``body`` with the hashtags it lacks on a last line; the body gives way to them."""
    missing = [tag for tag in hashtags if tag.lower() not in body.lower()]
    line = " ".join(missing)
    while line and measure(line) + 1 > limit // 2:  # never let hashtags crowd out the text
        missing.pop()
        line = " ".join(missing)
    if not line:
        return fit(body, limit, measure)
    body = fit(body, limit - measure(line) - 1, measure)
    return f"{body}\n{line}" if body else line


def youtube_tags_length(tags: Iterable[str]) -> int:
    """How YouTube counts ``snippet.tags`` against its 500: the commas between tags, and two
    quotation marks around a tag with a space."""
    listed = list(tags)
    return sum(len(t) + (2 if " " in t else 0) for t in listed) + max(len(listed) - 1, 0)


def youtube_tags(hashtags: Iterable[str], extra: Iterable[str] = ()) -> list[str]:
    """The clip's hashtags (without '#'), then ``extra`` tags, each once (ignoring case),
    as many as fit in YouTube's 500 characters."""
    tags: list[str] = []
    seen: set[str] = set()
    for raw in (*(t.lstrip("#") for t in hashtags), *extra):
        tag = " ".join(without_control(raw).replace("<", "").replace(">", "").split())
        if not tag or tag.lower() in seen:
            continue
        if youtube_tags_length([*tags, tag]) <= YOUTUBE_TAGS_CHARS:
            tags.append(tag)
            seen.add(tag.lower())
    return tags


def youtube_snippet(
    metadata: ClipMetadata, category_id: str, extra_tags: Iterable[str] = ()
) -> dict[str, object]:
    """The ``snippet`` of a YouTube video: no '<' or '>', title 100 characters, description
    5000 bytes, tags 500 characters in all (as ``youtube_tags_length`` counts)."""

    def clean(text: str) -> str:
        return without_control(text).replace("<", "").replace(">", "").strip()

    title = fit(" ".join(clean(metadata.title).split()), YOUTUBE_TITLE_CHARS) or "Clip"
    description = with_hashtags(
        clean(metadata.description), metadata.hashtags, YOUTUBE_DESCRIPTION_BYTES, utf8_bytes
    )
    tags = youtube_tags(metadata.hashtags, extra_tags)
    return {"title": title, "description": description, "tags": tags, "categoryId": category_id}


def tiktok_caption(metadata: ClipMetadata) -> str:
    """TikTok's one caption (its ``title``): the title, the description, the hashtags;
    at most 2200 UTF-16 units."""
    title = " ".join(without_control(metadata.title).split())
    description = without_control(metadata.description).strip()
    if not description:
        body = title
    elif description.startswith(title):  # build_metadata's descriptions often start so
        body = description
    else:
        body = f"{title}\n{description}"
    return with_hashtags(body, metadata.hashtags, TIKTOK_CAPTION_UNITS, utf16_units)
