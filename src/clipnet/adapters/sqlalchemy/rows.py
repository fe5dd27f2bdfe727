"""Translation between domain objects and table rows, at the adapter's boundary.

The domain stays plain attrs classes that know nothing about SQLAlchemy. We translate rows
explicitly instead of mapping the classes imperatively because several domain values are frozen
attrs classes holding ``MappingProxyType`` fields (``Score``, ``FeatureTimeline``) or tuples of
frozen values (``Transcript``), which an ORM can neither instrument nor rebuild; entities would
also pick up ORM state (identity map, lazy loads, expiry on commit) that the domain must not
depend on. Explicit functions keep every column visible and every value checked by the domain's
own constructors on the way back in.

Nested values become JSON documents. Floats that JSON cannot spell (inf, -inf, nan) are written
as the strings ``"inf"``/``"-inf"``/``"nan"``, which ``float()`` reads back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from clipnet.domain.accounts.model import OAuthAccount, User
from clipnet.domain.clipbot.model import Direction, Vote
from clipnet.domain.clips.model import Clip, ClipOrigin, ClipStatus, ClipSummary, Transition
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.scoring import Score
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.publishing.model import Post, PostStatus
from clipnet.domain.shared.access import Role
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.domain.sources.model import Source, SourceKind, SourceStatus
from clipnet.ports.secrets import SecretBox

Row = Mapping[Any, Any]
"""A row as SQLAlchemy returns it (``RowMapping``) or as the adapter builds it."""

# -- JSON-safe numbers ---------------------------------------------------------------------------


def number(value: float) -> float | str:
    """A float as JSON can hold it: finite ones as they are, others as "inf", "-inf", "nan"."""
    return value if math.isfinite(value) else repr(value)


def numbers(values: Iterable[float]) -> list[float | str]:
    return [number(v) for v in values]


def number_map(values: Mapping[str, float]) -> dict[str, float | str]:
    return {name: number(v) for name, v in values.items()}


def floats_of(values: Iterable[float | str]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def float_map_of(values: Mapping[str, float | str]) -> dict[str, float]:
    return {name: float(v) for name, v in values.items()}


# -- nested values -------------------------------------------------------------------------------


def span_to_json(span: TimeSpan) -> list[float | str]:
    return numbers((span.start, span.end))


def span_from_json(doc: list[float | str]) -> TimeSpan:
    return TimeSpan(float(doc[0]), float(doc[1]))


def timeline_to_json(timeline: FeatureTimeline | None) -> dict[str, Any] | None:
    if timeline is None:
        return None
    return {
        "seconds": timeline.seconds,
        "series": {name: numbers(values) for name, values in timeline.series.items()},
        "scene_cuts": numbers(timeline.scene_cuts),
        "silences": [span_to_json(s) for s in timeline.silences],
        "keyframe_spans": [span_to_json(s) for s in timeline.keyframe_spans],
    }


def timeline_from_json(doc: dict[str, Any] | None) -> FeatureTimeline | None:
    if doc is None:
        return None
    return FeatureTimeline(
        seconds=doc["seconds"],
        series={name: floats_of(values) for name, values in doc["series"].items()},
        scene_cuts=floats_of(doc["scene_cuts"]),
        silences=[span_from_json(s) for s in doc["silences"]],
        # timelines stored before two-stage analysis have none: measured in full
        keyframe_spans=[span_from_json(s) for s in doc.get("keyframe_spans", [])],
    )


def score_to_json(score: Score | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "values": number_map(score.values),
        "weights": number_map(score.weights),
        "total": number(score.total),
        "explanation": score.explanation,
    }


def score_from_json(doc: dict[str, Any] | None) -> Score | None:
    if doc is None:
        return None
    return Score(
        values=float_map_of(doc["values"]),
        weights=float_map_of(doc["weights"]),
        total=float(doc["total"]),
        explanation=doc["explanation"],
    )


def transcript_to_json(transcript: Transcript | None) -> dict[str, Any] | None:
    if transcript is None:
        return None
    # What Whisper said of each word's segment is kept only when known (stored rows stay small).
    words = [
        [w.text, *numbers((w.start, w.end, w.probability)), *_evidence(w)] for w in transcript.words
    ]
    return {"language": transcript.language, "words": words}


def _evidence(word: Word) -> list[float | str]:
    evidence = (word.no_speech, word.compression, word.logprob)
    return numbers(evidence) if any(evidence) else []


def transcript_from_json(doc: dict[str, Any] | None) -> Transcript | None:
    if doc is None:
        return None
    words = [Word(str(text), *(float(n) for n in numbers)) for text, *numbers in doc["words"]]
    return Transcript(words, doc["language"])


def history_to_json(history: Iterable[Transition]) -> list[dict[str, Any]]:
    return [
        {
            "source": t.source.value,
            "target": t.target.value,
            # ISO text keeps the instant and its offset exactly (microseconds included).
            "at": t.at.isoformat(),
            "reason": t.reason,
        }
        for t in history
    ]


def history_from_json(doc: Iterable[dict[str, Any]]) -> list[Transition]:
    return [
        Transition(
            ClipStatus(t["source"]),
            ClipStatus(t["target"]),
            datetime.fromisoformat(t["at"]),
            t["reason"],
        )
        for t in doc
    ]


# -- entities ------------------------------------------------------------------------------------


def source_to_row(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "owner_id": source.owner_id,
        "kind": source.kind.value,
        "location": source.location,
        "created_at": source.created_at,
        "duration": source.duration,
        "title": source.title,
        "channel": source.channel,
        "category": source.category,
        "status": source.status.value,
        "timeline": timeline_to_json(source.timeline),
        "last_error": source.last_error,
        "version": source.version,
    }


def source_from_row(row: Row) -> Source:
    return Source(
        id=row["id"],
        owner_id=row["owner_id"],
        kind=SourceKind(row["kind"]),
        location=row["location"],
        created_at=row["created_at"],
        duration=row["duration"],
        title=row["title"],
        channel=row["channel"],
        category=row["category"],
        status=SourceStatus(row["status"]),
        timeline=timeline_from_json(row["timeline"]),
        last_error=row["last_error"],
        version=row["version"],
    )


def clip_to_row(clip: Clip) -> dict[str, Any]:
    return {
        "id": clip.id,
        "source_id": clip.source_id,
        "owner_id": clip.owner_id,
        "span_start": clip.span.start,
        "span_end": clip.span.end,
        "created_at": clip.created_at,
        "origin": clip.origin.value,
        "title": clip.title,
        "template": clip.template,
        "caption_style": clip.caption_style,
        "aspect": clip.aspect,
        "status": clip.status.value,
        "score": score_to_json(clip.score),
        "score_total": None if clip.score is None else clip.score.total,
        "transcript": transcript_to_json(clip.transcript),
        "captions": list(clip.captions),
        "tags": list(clip.tags),
        "description": clip.description,
        "hashtags": list(clip.hashtags),
        "assets": dict(clip.assets),
        "attempts": clip.attempts,
        "last_error": clip.last_error,
        "auto_post_eligible": clip.auto_post_eligible,
        "approved": clip.approved,
        "history": history_to_json(clip.history),
        "version": clip.version,
        "share_token": clip.share_token or None,
    }


def clip_from_row(row: Row) -> Clip:
    return Clip(
        id=row["id"],
        source_id=row["source_id"],
        owner_id=row["owner_id"],
        span=TimeSpan(row["span_start"], row["span_end"]),
        created_at=row["created_at"],
        origin=ClipOrigin(row["origin"]),
        title=row["title"],
        template=row["template"],
        caption_style=row["caption_style"],
        aspect=row["aspect"],
        status=ClipStatus(row["status"]),
        score=score_from_json(row["score"]),
        transcript=transcript_from_json(row["transcript"]),
        captions=row["captions"],
        tags=row["tags"],
        description=row["description"],
        hashtags=row["hashtags"],
        assets=row["assets"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        auto_post_eligible=bool(row["auto_post_eligible"]),
        approved=bool(row["approved"]),
        history=history_from_json(row["history"]),
        version=row["version"],
        share_token=row["share_token"] or "",
    )


#: The columns a :class:`ClipSummary` is read from.
CLIP_SUMMARY_COLUMNS = (
    "id",
    "source_id",
    "owner_id",
    "span_start",
    "span_end",
    "created_at",
    "origin",
    "title",
    "template",
    "status",
    "score_total",
)


def clip_summary_from_row(row: Row) -> ClipSummary:
    return ClipSummary(
        id=row["id"],
        source_id=row["source_id"],
        owner_id=row["owner_id"],
        span=TimeSpan(row["span_start"], row["span_end"]),
        created_at=row["created_at"],
        origin=ClipOrigin(row["origin"]),
        title=row["title"],
        template=row["template"],
        status=ClipStatus(row["status"]),
        score_total=row["score_total"],
    )


def vote_to_row(vote: Vote) -> dict[str, Any]:
    return {
        "clip_id": vote.clip_id,
        "platform": vote.platform.value,
        "platform_user": vote.platform_user,
        "direction": int(vote.direction),
        "cast_at": vote.cast_at,
    }


def vote_from_row(row: Row) -> Vote:
    return Vote(
        clip_id=row["clip_id"],
        platform=Platform(row["platform"]),
        platform_user=row["platform_user"],
        direction=Direction(row["direction"]),
        cast_at=row["cast_at"],
    )


def user_to_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "email_key": user.email.lower(),
        "created_at": user.created_at,
        "display_name": user.display_name,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "version": user.version,
    }


def user_from_row(row: Row) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        created_at=row["created_at"],
        display_name=row["display_name"],
        password_hash=row["password_hash"],
        role=Role(row["role"]),
        version=row["version"],
    )


def account_to_row(account: OAuthAccount, box: SecretBox) -> dict[str, Any]:
    return {
        "user_id": account.user_id,
        "provider": account.provider.value,
        "id": account.id,
        "provider_user_id": account.provider_user_id,
        "access_token_sealed": box.seal(account.access_token),
        "refresh_token_sealed": box.seal(account.refresh_token),
        "created_at": account.created_at,
        "expires_at": account.expires_at,
        "scopes": list(account.scopes),
        "version": account.version,
    }


def account_from_row(row: Row, box: SecretBox) -> OAuthAccount:
    return OAuthAccount(
        id=row["id"],
        user_id=row["user_id"],
        provider=Platform(row["provider"]),
        provider_user_id=row["provider_user_id"],
        access_token=box.open(row["access_token_sealed"]),
        refresh_token=box.open(row["refresh_token_sealed"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        scopes=row["scopes"],
        version=row["version"],
    )


def post_to_row(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "clip_id": post.clip_id,
        "platform": post.platform.value,
        "idempotency_key": post.idempotency_key,
        "created_at": post.created_at,
        "status": post.status.value,
        "remote_id": post.remote_id,
        "url": post.url,
        "last_error": post.last_error,
        "publish_at": post.publish_at,
        "version": post.version,
    }


def post_from_row(row: Row) -> Post:
    return Post(
        id=row["id"],
        clip_id=row["clip_id"],
        platform=Platform(row["platform"]),
        idempotency_key=row["idempotency_key"],
        created_at=row["created_at"],
        status=PostStatus(row["status"]),
        remote_id=row["remote_id"],
        url=row["url"],
        last_error=row["last_error"],
        publish_at=row["publish_at"],
        version=row["version"],
    )


def job_to_row(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "type": job.type.value,
        "idempotency_key": job.idempotency_key,
        "created_at": job.created_at,
        "payload": job.payload,
        "status": job.status.value,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "last_error": job.last_error,
        "run_after": job.run_after,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "dispatched": job.dispatched,
        "version": job.version,
    }


def job_from_row(row: Row) -> Job:
    return Job(
        id=row["id"],
        type=JobType(row["type"]),
        idempotency_key=row["idempotency_key"],
        created_at=row["created_at"],
        payload=row["payload"],
        status=JobStatus(row["status"]),
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        last_error=row["last_error"],
        run_after=row["run_after"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        dispatched=bool(row["dispatched"]),
        version=row["version"],
    )
