"""What the words of a clip say about how exciting it is: shouts, laughter, hype words and
punchlines, each a feature in [0, 1] for :mod:`.scoring`.

Pure. These features exist only for a clip with speech, and their weights
(:data:`SPEECH_WEIGHTS`) join a template's only then (:func:`with_speech_weights`), so a clip
without a transcript scores exactly as it would without this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from clipnet.domain.highlights.candidates import transcript_features
from clipnet.domain.highlights.features import Segment
from clipnet.domain.highlights.scoring import Weights
from clipnet.domain.highlights.transcripts import Transcript, Word

#: Weights of the speech features, added to a template's when the clip has words.
SPEECH_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"shouting": 0.5, "laughter": 0.5, "hype": 0.6, "punchline": 0.4}
)
#: This share of shouted words (all caps, or ending in "!") is a full-strength shout.
SHOUTS_FULL_SCALE = 0.3
#: This many laughs in a clip is full-strength laughter.
LAUGHS_FULL_SCALE = 2
#: This share of hype words or phrases is full-strength hype.
HYPE_FULL_SCALE = 0.15
#: A question, then a pause this long (s)...
PUNCHLINE_PAUSE = 0.4
#: ...then a reaction (a laugh, a shout, a hype word) starting within this long (s) of it.
PUNCHLINE_REACTION = 3.0

_LAUGH = re.compile(
    r"^(?:(?:ha|ja|he|hi|ah|xa){2,}h?|lo+l|lmf?ao+|rofl|kek|xd+|jsjs+|mdr+|"
    r"[\[(*]\s*(?:laughter|laughs|laughing|laugh|risas|lachen|lacht)\s*[\])*])$"
)


def _phrases(listed: str) -> frozenset[str]:
    return frozenset(p.strip() for p in listed.split("|") if p.strip())


#: Excitement words and phrases by language (ISO 639-1); English for any other language.
HYPE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "en": _phrases(
            "wow|whoa|omg|insane|crazy|amazing|incredible|unbelievable|clutch|huge|sick|epic|"
            "legendary|holy|lets go|let's go|no way|oh my god|what a|oh no|clip it|gg|poggers|"
            "pog|hype|nuts|wild|destroyed|ace|headshot|finally|boom"
        ),
        "es": _phrases(
            "guau|increíble|increible|locura|brutal|madre mía|dios mío|vamos|vámonos|"
            "no puede ser|golazo|gol|tremendo|bestial|epico|épico|ganamos|que locura|"
            "flipante|no me lo creo|dale"
        ),
        "de": _phrases(
            "wahnsinn|krass|unglaublich|geil|hammer|boah|los geht's|auf geht's|mega|irre|"
            "verrückt|mein gott|heftig|episch|gewonnen|endlich|nicht dein ernst"
        ),
    }
)
#: Typographic apostrophes Whisper may write, read as the plain one.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def _clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


def speech_features(transcript: Transcript, duration: float) -> dict[str, float]:
    """Shouting, laughter, hype and punchline of the words starting in the clip's first
    ``duration`` seconds (clip-relative times); empty when there are none."""
    words = [w for w in transcript.words if w.start < duration]
    if not words:
        return {}
    return {
        "shouting": round(_clip01(_shout_share(words) / SHOUTS_FULL_SCALE), 4),
        "laughter": round(_clip01(sum(map(is_laugh, words)) / LAUGHS_FULL_SCALE), 4),
        "hype": round(_clip01(_hype_share(words, transcript.language) / HYPE_FULL_SCALE), 4),
        "punchline": 1.0 if _has_punchline(words, transcript.language) else 0.0,
    }


def with_speech(segment: Segment, transcript: Transcript) -> Segment:
    """``segment`` with the features of its words (clip-relative times): talk rate, excited
    speech (the larger of the audio's and the words'), shouting, laughter, hype, punchline."""
    spoken = transcript_features(transcript, segment.span)
    speech = max(segment.features.get("speech", 0.0), spoken.pop("speech", 0.0))
    excitement = speech_features(transcript, segment.span.duration)
    return segment.with_features(speech=speech, **spoken, **excitement)


def with_speech_weights(weights: Weights) -> Weights:
    """``weights`` with the speech features' added (a template's own weight for one wins)."""
    return Weights({**SPEECH_WEIGHTS, **weights.values})


def is_laugh(word: Word) -> bool:
    """ "haha", "lol", "jajaja", "[laughter]"..."""
    return bool(_LAUGH.match(word.text.lower().strip(".,!?…")))


def is_shout(word: Word) -> bool:
    letters = [ch for ch in word.text if ch.isalpha()]
    return word.text.rstrip("\"')»").endswith("!") or (
        len(letters) > 1 and all(ch.isupper() for ch in letters)
    )


def _shout_share(words: Sequence[Word]) -> float:
    return sum(map(is_shout, words)) / len(words)


def _tokens(words: Sequence[Word]) -> list[str]:
    return [
        token.lower() for w in words for token in _TOKEN.findall(w.text.translate(_APOSTROPHES))
    ]


def _lexicon(language: str) -> frozenset[str]:
    return HYPE.get(language.lower()[:2], HYPE["en"])


def _hype_hits(tokens: Sequence[str], lexicon: frozenset[str]) -> int:
    """Tokens that are hype words, or that start a hype phrase of up to three words."""
    return sum(
        1
        for i in range(len(tokens))
        if any(" ".join(tokens[i : i + n]) in lexicon for n in (1, 2, 3))
    )


def _hype_share(words: Sequence[Word], language: str) -> float:
    tokens = _tokens(words)
    return _hype_hits(tokens, _lexicon(language)) / max(1, len(tokens))


def _is_reaction(word: Word, lexicon: frozenset[str]) -> bool:
    return is_laugh(word) or is_shout(word) or _hype_hits(_tokens([word]), lexicon) > 0


def _has_punchline(words: Sequence[Word], language: str) -> bool:
    """A question, a pause, then a reaction: the set-up and the laugh of a joke."""
    lexicon = _lexicon(language)
    for i, word in enumerate(words[:-1]):
        if not word.text.rstrip("\"')»").endswith("?"):
            continue
        after = words[i + 1]
        if after.start - word.end < PUNCHLINE_PAUSE:
            continue
        if any(
            _is_reaction(w, lexicon)
            for w in words[i + 1 :]
            if w.start - word.end <= PUNCHLINE_REACTION
        ):
            return True
    return False
