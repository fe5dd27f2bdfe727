"""Domain objects -> response bodies (pure conversions, no decisions)."""

from __future__ import annotations

import msgspec

from clipnet.domain.accounts.model import OAuthAccount, User
from clipnet.domain.accounts.service import ProfileChange, TokenPair
from clipnet.domain.clips.model import Clip, ClipSummary
from clipnet.domain.clips.service import ClipChange, ClipDetail
from clipnet.domain.highlights.candidates import normalise, score_curve
from clipnet.domain.highlights.chat_timeline import ChatAdded
from clipnet.domain.highlights.scoring import Score
from clipnet.domain.highlights.transcripts import Transcript
from clipnet.domain.jobs.model import Job
from clipnet.domain.publishing.model import Post
from clipnet.domain.sources.model import Source
from clipnet.entrypoints.http import schemas as s


def user(u: User) -> s.UserOut:
    return s.UserOut(
        id=u.id,
        email=u.email,
        display_name=u.display_name,
        role=u.role.value,
        created_at=u.created_at,
    )


def profile(change: ProfileChange) -> s.ProfileOut:
    """The user as :func:`user` renders them, with the new session's tokens if any."""
    return s.ProfileOut(
        **msgspec.structs.asdict(user(change.user)),
        tokens=tokens(change.tokens) if change.tokens is not None else None,
    )


def tokens(pair: TokenPair) -> s.TokensOut:
    return s.TokensOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type="bearer",
        expires_in=pair.expires_in,
        user=user(pair.user),
    )


def source(src: Source, url: str | None) -> s.SourceOut:
    return s.SourceOut(
        id=src.id,
        kind=src.kind.value,
        title=src.title,
        category=src.category,
        status=src.status.value,
        duration=src.duration,
        url=url,
        created_at=src.created_at,
        analysed=src.timeline is not None,
        last_error=src.last_error,
    )


def timeline(src: Source) -> s.TimelineOut:
    measured = src.timeline
    if measured is None:
        return s.TimelineOut(
            source_id=src.id,
            analysed=False,
            duration=src.duration,
            score=[],
            features={},
            scene_cuts=[],
        )
    return s.TimelineOut(
        source_id=src.id,
        analysed=True,
        duration=src.duration or float(measured.seconds),
        score=score_curve(measured),
        features={
            name: [round(v, 3) for v in values] for name, values in normalise(measured).items()
        },
        scene_cuts=list(measured.scene_cuts),
    )


def chat_added(source_id: str, added: ChatAdded) -> s.ChatAddedOut:
    return s.ChatAddedOut(
        source_id=source_id,
        messages=added.messages,
        delay=added.delay,
        delay_estimated=added.estimated,
        notable_seconds=added.notable_seconds,
    )


def clip(c: Clip) -> s.ClipOut:
    return clip_summary(ClipSummary.of(c))


def clip_change(change: ClipChange) -> s.ClipUpdated:
    return s.ClipUpdated(
        **msgspec.structs.asdict(clip(change.clip)), rerendering=change.rerendering
    )


def clip_summary(c: ClipSummary) -> s.ClipOut:
    return s.ClipOut(
        id=c.id,
        source_id=c.source_id,
        status=c.status.value,
        origin=c.origin.value,
        start=c.span.start,
        end=c.span.end,
        title=c.title,
        template=c.template,
        score=c.score_total,
        created_at=c.created_at,
    )


def score(sc: Score | None) -> s.ScoreOut | None:
    if sc is None:
        return None
    return s.ScoreOut(
        total=sc.total,
        explanation=sc.explanation,
        values=dict(sc.values),
        weights=dict(sc.weights),
    )


def transcript(t: Transcript | None) -> s.TranscriptOut | None:
    if t is None:
        return None
    words = [s.WordOut(text=w.text, start=w.start, end=w.end) for w in t.words]
    return s.TranscriptOut(text=t.text, language=t.language, words=words)


def post(p: Post) -> s.PostOut:
    return s.PostOut(
        id=p.id,
        clip_id=p.clip_id,
        platform=p.platform.value,
        status=p.status.value,
        publish_at=p.publish_at,
        url=p.url or None,
        error=p.last_error or None,
        last_error=p.last_error,
        created_at=p.created_at,
    )


def job(j: Job) -> s.JobOut:
    return s.JobOut(
        id=j.id,
        type=j.type.value,
        status=j.status.value,
        attempts=j.attempts,
        max_attempts=j.max_attempts,
        last_error=j.last_error,
        created_at=j.created_at,
        started_at=j.started_at,
        finished_at=j.finished_at,
    )


def clip_detail(d: ClipDetail, media: dict[str, str]) -> s.ClipDetailOut:
    """``media``: the clip's media links (asset kind -> URL a browser can fetch)."""
    c = d.clip
    return s.ClipDetailOut(
        id=c.id,
        source_id=c.source_id,
        status=c.status.value,
        origin=c.origin.value,
        start=c.span.start,
        end=c.span.end,
        title=c.title,
        template=c.template,
        caption_style=c.caption_style,
        aspect=c.aspect,
        created_at=c.created_at,
        score=score(c.score),
        transcript=transcript(c.transcript),
        captions=list(c.captions),
        tags=list(c.tags),
        description=c.description,
        hashtags=list(c.hashtags),
        media=media,
        votes=s.VotesOut(up=d.tally.up, down=d.tally.down, net=d.tally.net),
        posts=[post(p) for p in d.posts],
        job=job(d.job) if d.job else None,
        attempts=c.attempts,
        last_error=c.last_error,
        share_url=d.share_url or None,
    )


def linked_account(a: OAuthAccount) -> s.LinkedAccountOut:
    return s.LinkedAccountOut(
        provider=a.provider.value,
        provider_user_id=a.provider_user_id,
        scopes=list(a.scopes),
        expires_at=a.expires_at,
        linked_at=a.created_at,
    )
