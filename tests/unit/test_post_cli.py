"""``clipnet post`` and ``clipnet trim`` against the embedded profile's SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clipnet.container import Container, build_container
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.publishing.model import PostStatus
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.cli import app
from clipnet.entrypoints.post_cli import parse_when
from clipnet.settings import load_settings
from tests.builders import a_clip, a_source, a_user, an_account

runner = CliRunner()


@pytest.fixture
def container(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Container:
    """An embedded installation with a ready clip (10-40 s of a 120 s source) whose owner
    linked a YouTube account."""
    values = {"CLIPNET_DATA_DIR": str(tmp_path), "CLIPNET_PUBLISHING": "memory"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    container = build_container(load_settings(values))
    with container.uow_factory()() as uow:
        uow.users.add(a_user("user-1"))
        uow.sources.add(a_source("source-1", duration=120.0))
        uow.clips.add(
            a_clip(
                "clip-1",
                span=TimeSpan(10, 40),
                status=ClipStatus.READY,
                assets={"video": "clips/clip-1/video.mp4"},
            )
        )
        uow.oauth_accounts.save(an_account(provider=Platform.YOUTUBE, expires_at=None))
        uow.commit()
    return container


def test_post_at_a_time_schedules_the_post(container: Container) -> None:
    result = runner.invoke(app, ["post", "clip-1", "--to", "youtube", "--at", "+2h"])

    assert result.exit_code == 0, result.output
    assert "goes to youtube at" in result.output and "(scheduled)" in result.output
    with container.uow_factory()() as uow:
        (post,) = uow.posts.list_for_clip("clip-1")
    assert post.status is PostStatus.SCHEDULED and post.publish_at is not None
    assert post.publish_at > datetime.now(UTC) + timedelta(minutes=119)
    again = runner.invoke(app, ["post", "clip-1", "--to", "youtube", "--at", "+2h"])
    assert again.exit_code == 0 and f"already has post {post.id}" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["post", "clip-1", "--to", "myspace"], "ClipNET posts to youtube or tiktok"),
        (["post", "clip-1", "--to", "youtube", "--at", "soon"], "is not a time"),
        (["post", "clip-1", "--to", "youtube", "--at", "2001-01-01T00:00Z"], "in the past"),
        (["post", "clip-1", "--to", "youtube", "--privacy", "secret"], "privacy 'secret'"),
        (["post", "clip-1", "--to", "tiktok", "--at", "+1h"], "no tiktok account is linked"),
        (["post", "clip-9", "--to", "youtube"], "clip 'clip-9' not found"),
        (["trim", "clip-1", "--start", "100", "--end", "130"], "only 120.0 s long"),
        (["trim", "clip-1", "--start", "20", "--end", "10"], "must be after --start"),
        (["trim", "clip-1", "--start", "10", "--end", "12"], "between 15 and 60 s"),
    ],
)
def test_bad_input_is_one_line_naming_the_problem(
    container: Container, args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)

    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    with container.uow_factory()() as uow:
        assert uow.posts.list_for_clip("clip-1") == []
        assert uow.clips.get("clip-1").span == TimeSpan(10, 40)


def test_trim_changes_the_span_and_renders_again(container: Container) -> None:
    result = runner.invoke(app, ["trim", "clip-1", "--start", "12", "--end", "32.5"])

    assert result.exit_code == 0, result.output
    assert "clip clip-1 now 12-32.5 s: rendering again" in result.output
    with container.uow_factory()() as uow:
        clip = uow.clips.get("clip-1")
        polish = uow.jobs.find_by_key("ffmpeg:polish:clip-1:0:rerender-1")
    assert clip.span == TimeSpan(12, 32.5) and polish is not None


def test_the_commands_explain_themselves() -> None:
    post_help = runner.invoke(app, ["post", "--help"]).output
    trim_help = runner.invoke(app, ["trim", "--help"]).output
    assert "--to" in post_help and "+10m" in post_help and "--privacy" in post_help
    assert "--start" in trim_help and "seconds in the source" in trim_help


def test_a_time_is_relative_absolute_or_local() -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert parse_when("+90s", now) == now + timedelta(seconds=90)
    assert parse_when("+1.5h", now) == now + timedelta(hours=1.5)
    assert parse_when("2026-12-24T18:00:00+01:00", now).utcoffset() == timedelta(hours=1)
    assert parse_when("2026-12-24 18:00", now).utcoffset() is not None  # local time
    with pytest.raises(InvalidInput, match="not a time"):
        parse_when("tomorrow", now)
