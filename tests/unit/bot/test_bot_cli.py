"""``clipnet bot link``, ``links`` and ``unlink`` against the embedded profile's SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clipnet.container import Container, build_container
from clipnet.domain.shared.platforms import Platform
from clipnet.entrypoints.cli import app
from clipnet.settings import load_settings
from tests.builders import a_source, a_user

runner = CliRunner()


@pytest.fixture
def container(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Container:
    """An embedded installation where user-1 owns source-1."""
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    built = build_container(load_settings({"CLIPNET_DATA_DIR": str(tmp_path)}))
    with built.uow_factory()() as uow:
        uow.users.add(a_user("user-1"))
        uow.sources.add(a_source("source-1", "user-1"))
        uow.commit()
    return built


def test_bot_link_ties_a_channel_to_a_source_for_its_owner(container: Container) -> None:
    result = runner.invoke(app, ["bot", "link", "twitch", "141981764", "source-1"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "linked twitch channel 141981764 to VOD source-1 (clips belong to user user-1)"
    )
    link = container.bot_store().find_link(Platform.TWITCH, "141981764")
    assert link is not None
    assert (link.owner_id, link.source_id, link.live_since) == ("user-1", "source-1", None)


def test_bot_link_can_set_the_channels_vote_threshold(container: Container) -> None:
    args = ["bot", "link", "x", "42", "source-1", "--vote-threshold", "7"]
    assert runner.invoke(app, args).exit_code == 0
    link = container.bot_store().find_link(Platform.X, "42")
    assert link is not None and link.vote_threshold == 7


def test_bot_link_live_starts_the_live_clock(container: Container) -> None:
    result = runner.invoke(app, ["bot", "link", "discord", "chan-9", "source-1", "--live"])
    assert result.exit_code == 0, result.output
    link = container.bot_store().find_link(Platform.DISCORD, "chan-9")
    assert link is not None and link.live_since is not None


VOD_ENV = {
    # an address literal: the guard resolves it without asking any DNS server
    "CLIPNET_ALLOWED_SOURCE_HOSTS": "127.0.0.2",
    "CLIPNET_ALLOWED_SOURCE_ADDRESSES": "127.0.0.2",
}


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ([], 2, "a VOD link needs --owner EMAIL"),
        (["--owner", "nobody@example.com"], 1, "clipnet: user 'nobody@example.com' not found"),
    ],
)
def test_a_vod_link_without_a_known_owner_is_one_line_and_registers_nothing(
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    status: int,
    message: str,
) -> None:
    for name, value in VOD_ENV.items():
        monkeypatch.setenv(name, value)
    url = "http://127.0.0.2:8080/vods/friday.mp4"

    result = runner.invoke(app, ["bot", "link", "twitch", "141981764", url, *extra])

    assert result.exit_code == status
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    with container.uow_factory()() as uow:
        assert [s.id for s in uow.sources.list_for_owner("user-1", limit=10)] == ["source-1"]


def test_a_vod_link_the_guard_refuses_is_one_line(container: Container) -> None:
    url, owner = "http://10.0.0.7/x.mp4", "user-1@example.com"
    args = ["bot", "link", "twitch", "b-1", url, "--owner", owner]

    result = runner.invoke(app, args)

    assert result.exit_code == 1
    assert "not on the list of allowed source hosts" in result.output
    assert container.bot_store().find_link(Platform.TWITCH, "b-1") is None


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["bot", "link", "twitch", "b-1", "ghost"], 1, "clipnet: source 'ghost' not found"),
        (["bot", "link", "myspace", "b-1", "source-1"], 2, "unknown chat platform 'myspace'"),
        (
            ["bot", "link", "x", "b-1", "source-1", "--vote-threshold", "0"],
            1,
            "clipnet: a vote threshold is at least 1",
        ),
    ],
)
def test_a_bad_bot_link_is_one_line_not_a_traceback(
    container: Container, args: list[str], status: int, message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == status
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_bot_links_lists_every_linked_channel(container: Container) -> None:
    runner.invoke(app, ["bot", "link", "twitch", "141981764", "source-1", "--live"])
    runner.invoke(app, ["bot", "link", "x", "42", "source-1", "--vote-threshold", "7"])

    result = runner.invoke(app, ["bot", "links"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "PLATFORM  CHANNEL    SOURCE    KIND         OWNER   VOTES TO POST",
        "twitch    141981764  source-1  live stream  user-1  global",
        "x         42         source-1  VOD          user-1  7",
    ]


def test_bot_links_with_nothing_linked_says_how_to_link(container: Container) -> None:
    result = runner.invoke(app, ["bot", "links"])
    assert result.exit_code == 0
    assert "no chat channel is linked yet" in result.output


def test_bot_unlink_unties_only_that_channel(container: Container) -> None:
    runner.invoke(app, ["bot", "link", "twitch", "b-1", "source-1"])
    runner.invoke(app, ["bot", "link", "twitch", "b-2", "source-1"])

    result = runner.invoke(app, ["bot", "unlink", "twitch", "b-1"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "unlinked twitch channel b-1"
    store = container.bot_store()
    assert store.find_link(Platform.TWITCH, "b-1") is None
    assert store.find_link(Platform.TWITCH, "b-2") is not None


def test_unlinking_a_channel_that_is_not_linked_is_one_line(container: Container) -> None:
    result = runner.invoke(app, ["bot", "unlink", "discord", "nobody"])
    assert result.exit_code == 1
    assert result.output.strip() == "clipnet: discord channel link 'nobody' not found"
