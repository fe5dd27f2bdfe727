"""Titles, descriptions and hashtags for clips, within each platform's limits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
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


def _listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Words no hashtag or keyword is made of: English, Spanish and German function words and
#: the fillers of speech.
_STOPWORDS = _listed(
    """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's i
    i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
    myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's which while who who's whom why why's with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves also just like oh
    yeah yes um uh okay ok gonna wanna got get gets go going went come came really right well
    now still even actually literally thing things stuff way said says say one two three
    dont im ive youre thats lets cant wont didnt isnt
    el la los las un una unos unas y o pero que de del al en con por para es son fue era está
    están estoy lo le les se me te nos su sus mi mis tu tus este esta esto ese esa eso muy más
    ya sí no como cuando donde porque hay ser estar tiene
    der die das den dem des ein eine einen einem einer und oder aber ist sind war waren ich du
    er sie es wir ihr mich dich sich mir dir uns euch mein dein sein nicht auch noch schon so
    wie wenn dann da hier mit von zu auf für bei nach aus um am im ja nein doch mal halt
    around back again maybe kind sort lot bit
    """
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+")
#: A title quoting the clip is at most this long; a longer sentence gives way to its phrase.
QUOTE_AT_MOST = 60
#: Hashtags longer than "#" plus this many characters are made; at most this long in all.
HASHTAG_SHORTEST, HASHTAG_LONGEST = 3, 30


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


def _meaningful(phrase: str) -> bool:
    """A phrase with at least one word that is not a stop word (nor only digits)."""
    return any(w not in _STOPWORDS and not w.isdigit() for w in _WORD.findall(phrase.lower()))


def _phrase_tag(phrase: str) -> str:
    """ "#insaneclutch" for "Insane clutch", "#dragon" for "the dragon"; "" for a phrase with a
    stop word inside ("won the match"), of stop words or digits only, or one too short."""
    words = [w.strip("'") for w in _WORD.findall(phrase.lower())]
    while words and words[0] in _STOPWORDS:
        words.pop(0)
    while words and words[-1] in _STOPWORDS:
        words.pop()
    if not words or any(w in _STOPWORDS for w in words) or all(w.isdigit() for w in words):
        return ""
    tag = hashtag("".join(words))
    return tag if HASHTAG_SHORTEST < len(tag) <= HASHTAG_LONGEST else ""


def _hashtags(category: str, phrases: Iterable[str]) -> list[str]:
    """The category's hashtag (a name: its stop words stay), then the phrases', no repeats."""
    named = hashtag(category.lower())
    found = [named] if 1 < len(named) <= HASHTAG_LONGEST else []
    for phrase in phrases:
        tag = _phrase_tag(phrase)
        if tag and tag not in found:
            found.append(tag)
    return found


def _spoken_title(phrases: Sequence[str], transcript: str, limit: int) -> str:
    return _quote(_title_phrase(phrases), transcript, limit) if phrases else ""


def _title_phrase(phrases: Sequence[str]) -> str:
    """The first phrase of several words, else the first: "sniper hit" says more than "hit"."""
    return next((p for p in phrases if len(_WORD.findall(p)) > 1), phrases[0])


def _quote(phrase: str, transcript: str, limit: int) -> str:
    """The transcript's first sentence that holds ``phrase``, when it fits in ``limit``
    characters; else the phrase itself."""
    said = re.compile(rf"(?<!\w){re.escape(phrase.strip())}(?!\w)", re.IGNORECASE)
    for sentence in _SENTENCE_BREAK.split(" ".join(transcript.split())):
        if said.search(sentence) and len(sentence) <= limit:
            return _sentence(sentence)
    return _sentence(phrase.strip())


def _unspoken_title(explanation: str, source_title: str) -> str:
    """A clip without speech: what made it stand out, and where it is from."""
    parts = [_sentence(explanation), " ".join(source_title.split())]
    return " — ".join(part for part in parts if part)


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
    phrases: Iterable[str] = (),
    source_title: str = "",
    category: str = "",
) -> ClipMetadata:
    """Title, description and hashtags for ``platform`` from what is known of a clip.

    ``transcript``: what was said, already without what is not speech (see
    :mod:`.hallucinations`); ``phrases``: its key phrases, most telling first (without them,
    its most frequent meaningful words stand in). A given title wins; else the sentence that
    holds the first key phrase of several words, or else the first (the phrase alone when that
    sentence is long); else, with no speech, the score's explanation and the source's title.
    Hashtags: the source's category, then the tags, then the key phrases; none a stop word.
    """
    limits = PLATFORM_LIMITS[platform]
    captions = [c for c in captions if c.strip()]
    tags = [t for t in tags if t.strip()]
    spoken = [p for p in (*phrases,) if _meaningful(p)] or keywords([transcript])
    chosen_title = (
        title.strip()
        or _spoken_title(spoken, transcript, min(limits.title, QUOTE_AT_MOST))
        or _unspoken_title(explanation, source_title)
        or "Clip"
    )
    body = [part for part in (_sentence(transcript), *map(_sentence, captions)) if part]
    hashtags = _hashtags(category, [*tags, *spoken, *keywords(captions)])[: limits.hashtags]
    description = truncate(" ".join(body) or chosen_title, limits.description)
    # The hashtags share the description's room on every platform we post to.
    while hashtags and len(description) + 1 + len(" ".join(hashtags)) > limits.description:
        hashtags.pop()
    if hashtags:
        description = f"{description}\n{' '.join(hashtags)}"
    return ClipMetadata(truncate(chosen_title, limits.title), description, hashtags)
