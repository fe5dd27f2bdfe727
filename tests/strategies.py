"""Hypothesis strategies for domain values, shared by every property test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from clipnet.domain.accounts.model import OAuthAccount, User
from clipnet.domain.clipbot.model import Direction, Vote
from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus, Transition
from clipnet.domain.highlights.candidates import LengthBounds
from clipnet.domain.highlights.features import FeatureTimeline, Segment
from clipnet.domain.highlights.metadata import ClipMetadata
from clipnet.domain.highlights.scoring import Score, Weights
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.publishing.model import Post, PostStatus
from clipnet.domain.shared.access import Role
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import Source, SourceKind, SourceStatus

FEATURES = ("loudness", "motion", "speech", "scene")

unit_floats = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def spans(draw: st.DrawFn, max_end: float = 3600.0, min_length: float = 0.5) -> TimeSpan:
    start = draw(st.floats(min_value=0.0, max_value=max_end - min_length, allow_nan=False))
    length = draw(st.floats(min_value=min_length, max_value=max_end - start, allow_nan=False))
    return TimeSpan(start, start + length)


def feature_maps() -> st.SearchStrategy[dict[str, float]]:
    return st.dictionaries(st.sampled_from(FEATURES), unit_floats)


def segments(max_end: float = 3600.0) -> st.SearchStrategy[Segment]:
    return st.builds(Segment, spans(max_end), feature_maps())


def weights() -> st.SearchStrategy[Weights]:
    return (
        st.dictionaries(
            st.sampled_from(FEATURES), st.floats(min_value=0.0, max_value=5.0), min_size=1
        )
        .filter(lambda w: any(v > 0 for v in w.values()))
        .map(Weights)
    )


platforms = st.sampled_from(list(Platform))


# -- whole domain objects, as the repositories store them (persistence round trips) -------------
#
# Text never holds NUL (PostgreSQL text cannot) nor lone surrogates (not valid UTF-8); instants
# are timezone-aware (the SQL adapter reads every instant back in UTC); integers fit 32 bits.

stored_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
stored_ints = st.integers(min_value=0, max_value=2**31 - 1)
# A saved update adds one to the version, which must still fit the 32-bit column.
stored_versions = st.integers(min_value=0, max_value=2**31 - 2)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
stored_instants = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=7))]
    ),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | finite_floats | stored_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(stored_text, inner, max_size=4),
    max_leaves=12,
)


def stored_scores() -> st.SearchStrategy[Score]:
    names = st.dictionaries(stored_text, finite_floats, max_size=4)
    return st.builds(Score, names, names, finite_floats, stored_text)


def stored_transcripts() -> st.SearchStrategy[Transcript]:
    words = st.builds(Word, stored_text, finite_floats, finite_floats, finite_floats)
    return st.builds(Transcript, st.lists(words, max_size=5), stored_text)


@st.composite
def stored_timelines(draw: st.DrawFn) -> FeatureTimeline:
    """Timelines whose series may hold infinities (the loudness of digital silence)."""
    seconds = draw(st.integers(min_value=0, max_value=20))
    series = st.lists(st.floats(allow_nan=False), min_size=seconds, max_size=seconds)
    return FeatureTimeline(
        seconds=seconds,
        series=draw(st.dictionaries(stored_text, series, max_size=3)),
        scene_cuts=draw(st.lists(finite_floats, max_size=5)),
        silences=draw(st.lists(spans(), max_size=3)),
    )


def stored_sources() -> st.SearchStrategy[Source]:
    return st.builds(
        Source,
        id=stored_text,
        owner_id=stored_text,
        kind=st.sampled_from(list(SourceKind)),
        location=stored_text,
        created_at=stored_instants,
        duration=finite_floats,
        title=stored_text,
        channel=stored_text,
        status=st.sampled_from(list(SourceStatus)),
        timeline=st.none() | stored_timelines(),
        last_error=stored_text,
        version=stored_versions,
    )


def stored_clips() -> st.SearchStrategy[Clip]:
    statuses = st.sampled_from(list(ClipStatus))
    transitions = st.builds(Transition, statuses, statuses, stored_instants, stored_text)
    texts = st.lists(stored_text, max_size=3)
    return st.builds(
        Clip,
        id=stored_text,
        source_id=stored_text,
        owner_id=stored_text,
        span=spans(max_end=1e9),
        created_at=stored_instants,
        origin=st.sampled_from(list(ClipOrigin)),
        title=stored_text,
        template=stored_text,
        caption_style=stored_text,
        aspect=stored_text,
        status=statuses,
        score=st.none() | stored_scores(),
        transcript=st.none() | stored_transcripts(),
        captions=texts,
        tags=texts,
        description=stored_text,
        hashtags=texts,
        assets=st.dictionaries(stored_text, stored_text, max_size=3),
        attempts=stored_ints,
        last_error=stored_text,
        auto_post_eligible=st.booleans(),
        approved=st.booleans(),
        history=st.lists(transitions, max_size=4),
        version=stored_versions,
        share_token=st.just("") | st.text(alphabet="abcdefghij-_0123456789", min_size=16),
    )


def stored_votes(clip_id: str) -> st.SearchStrategy[Vote]:
    return st.builds(
        Vote,
        st.just(clip_id),
        platforms,
        stored_text,
        st.sampled_from(list(Direction)),
        stored_instants,
    )


def stored_users() -> st.SearchStrategy[User]:
    return st.builds(
        User,
        id=stored_text,
        email=stored_text,
        created_at=stored_instants,
        display_name=stored_text,
        password_hash=stored_text,
        role=st.sampled_from(list(Role)),
        version=stored_versions,
    )


def stored_accounts(user_id: str) -> st.SearchStrategy[OAuthAccount]:
    return st.builds(
        OAuthAccount,
        id=stored_text,
        user_id=st.just(user_id),
        provider=platforms,
        provider_user_id=stored_text,
        access_token=stored_text,
        created_at=stored_instants,
        refresh_token=stored_text,
        expires_at=st.none() | stored_instants,
        scopes=st.lists(stored_text, max_size=3),
        version=stored_versions,
    )


def stored_posts(clip_id: str) -> st.SearchStrategy[Post]:
    return st.builds(
        Post,
        id=stored_text,
        clip_id=st.just(clip_id),
        platform=platforms,
        idempotency_key=stored_text,
        created_at=stored_instants,
        status=st.sampled_from(list(PostStatus)),
        remote_id=stored_text,
        url=stored_text,
        last_error=stored_text,
        publish_at=st.none() | stored_instants,
        version=stored_versions,
    )


def stored_jobs() -> st.SearchStrategy[Job]:
    maybe_instant = st.none() | stored_instants
    return st.builds(
        Job,
        id=stored_text,
        type=st.sampled_from(list(JobType)),
        idempotency_key=stored_text,
        created_at=stored_instants,
        payload=st.dictionaries(stored_text, json_values, max_size=4),
        status=st.sampled_from(list(JobStatus)),
        attempts=stored_ints,
        max_attempts=stored_ints,
        last_error=stored_text,
        run_after=maybe_instant,
        started_at=maybe_instant,
        finished_at=maybe_instant,
        dispatched=st.booleans(),
        version=stored_versions,
    )


# -- media analysis (issue 5) ----------------------------------------------------------------


@st.composite
def media_timelines(draw: st.DrawFn, max_seconds: int = 600) -> FeatureTimeline:
    """Timelines as the analysis pass makes them: LUFS loudness, [0, 1] motion and speech,
    cuts and silences inside the source."""
    seconds = draw(st.integers(min_value=1, max_value=max_seconds))
    per_second = st.lists(unit_floats, min_size=seconds, max_size=seconds)
    loudness = st.lists(
        st.floats(min_value=-70.0, max_value=0.0), min_size=seconds, max_size=seconds
    )
    cuts = draw(st.lists(st.floats(min_value=0.0, max_value=float(seconds)), max_size=30))
    edges = sorted(
        draw(st.lists(st.floats(min_value=0.0, max_value=float(seconds)), max_size=20, unique=True))
    )
    silences = [TimeSpan(a, b) for a, b in zip(edges[::2], edges[1::2], strict=False) if b > a]
    return FeatureTimeline(
        seconds=seconds,
        series={"loudness": draw(loudness), "motion": draw(per_second), "speech": draw(per_second)},
        scene_cuts=sorted(cuts),
        silences=silences,
    )


def clip_metadata() -> st.SearchStrategy[ClipMetadata]:
    """Metadata as anyone might write it: any length, any script, markup, emoji, controls."""
    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=6000)
    tags = st.lists(st.from_regex(r"#[A-Za-z0-9]{1,60}", fullmatch=True), max_size=30)
    return st.builds(ClipMetadata, text, text, tags.map(tuple))


# -- ClipBOT chat ------------------------------------------------------------------------------

#: What one chat user can say about one clip: vote up, vote down, take the vote back.
CHAT_VOTE_LINES = ("!vote clip-a up", "!vote clip-a down", "!unvote clip-a")


def chat_vote_scripts(
    users: int = 8, max_lines: int = 6
) -> st.SearchStrategy[dict[str, list[str]]]:
    """Each chat user's lines about ``clip-a``, in the order that user sends them."""
    return st.dictionaries(
        st.sampled_from([f"viewer-{n}" for n in range(users)]),
        st.lists(st.sampled_from(CHAT_VOTE_LINES), min_size=1, max_size=max_lines),
        min_size=1,
    )


# -- media pipeline ------------------------------------------------------------------------------


@st.composite
def length_bounds(draw: st.DrawFn) -> LengthBounds:
    """Clip length bounds from 1 s up to three minutes, shortest <= longest."""
    shortest = draw(st.floats(min_value=1.0, max_value=90.0))
    return LengthBounds(shortest, shortest + draw(st.floats(min_value=0.0, max_value=90.0)))


@st.composite
def subject_tracks(
    draw: st.DrawFn, width: float = 1920.0, height: float = 1080.0
) -> list[tuple[float, tuple[float, float]]]:
    """(time, subject centre) samples a few times a second, anywhere in (or past) the frame."""
    count = draw(st.integers(min_value=1, max_value=40))
    gaps = draw(st.lists(st.floats(0.05, 1.0), min_size=count, max_size=count))
    xs = st.floats(-0.2 * width, 1.2 * width, allow_nan=False)
    ys = st.floats(-0.2 * height, 1.2 * height, allow_nan=False)
    times = [sum(gaps[:i]) for i in range(count)]
    return [(t, (draw(xs), draw(ys))) for t in times]
