"""PostOptions: the creator's choices for one post, checked per platform and carried by jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.publishing.model import PRIVACY_LEVELS, PostOptions
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.platforms import Platform

flags = st.none() | st.booleans()
choices = st.builds(
    PostOptions,
    privacy=st.sampled_from(["", *PRIVACY_LEVELS[Platform.YOUTUBE]]),
    made_for_kids=flags,
    category_id=st.sampled_from(["", "20", "24"]),
    tags=st.lists(st.text(max_size=20), max_size=5).map(tuple),
    publish_at=st.none()
    | st.datetimes(timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0)),
    allow_comments=flags,
    allow_duet=flags,
    allow_stitch=flags,
)


@given(choices)
def test_choices_survive_a_job_payload(options: PostOptions) -> None:
    assert PostOptions.from_payload(options.to_payload()) == options


@pytest.mark.parametrize(
    ("platform", "options", "problem"),
    [
        (Platform.YOUTUBE, PostOptions(privacy="self_only"), "not one of youtube's"),
        (Platform.TIKTOK, PostOptions(privacy="unlisted"), "not one of tiktok's"),
        (Platform.YOUTUBE, PostOptions(publish_at=datetime(2031, 1, 1)), "needs a timezone"),
        (
            Platform.YOUTUBE,
            PostOptions(privacy="public", publish_at=datetime(2031, 1, 1, tzinfo=UTC)),
            "needs privacy 'private'",
        ),
        (Platform.YOUTUBE, PostOptions(category_id="Gaming"), "not a YouTube category id"),
    ],
)
def test_choices_a_platform_cannot_take_are_refused_with_a_reason(
    platform: Platform, options: PostOptions, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem):
        options.check_for(platform)


def test_sensible_choices_pass() -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    PostOptions(privacy="private", publish_at=later, category_id="20").check_for(Platform.YOUTUBE)
    PostOptions(privacy="SELF_ONLY", allow_comments=True).check_for(Platform.TIKTOK)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"made_for_kids": "yes"}, "made_for_kids must be true or false"),
        ({"tags": "a,b"}, "tags must be a list"),
        ({"publish_at": "tomorrow"}, "not an RFC 3339 time"),
    ],
)
def test_a_malformed_payload_is_invalid_input(payload: dict[str, object], problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        PostOptions.from_payload(payload)
