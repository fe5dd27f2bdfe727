from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clipnet import __version__
from clipnet.entrypoints.cli import app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "version" in result.output and "config" in result.output


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.output.strip() == f"clipnet {__version__}"


def test_config_prints_effective_settings_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLIPNET_X_CONSUMER_SECRET", "very-secret-consumer")
    result = runner.invoke(app, ["config", "--docs"])
    assert result.exit_code == 0
    assert "CLIPNET_DATA_DIR" in result.output and str(tmp_path) in result.output
    assert "very-secret-consumer" not in result.output
    assert "# Where media is kept" in result.output


def test_a_bad_setting_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIPNET_PROFILE", "moon")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "clipnet: configuration error: CLIPNET_PROFILE: expected one of embedded, staging, "
        "production (got 'moon')"
    ]


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"CLIPNET_DISCORD_PUBLIC_KEY": "PLACEHOLDER"},
            "clipnet: configuration error: CLIPNET_DISCORD_PUBLIC_KEY: expected 64 hexadecimal "
            "characters (32 bytes) (got 'PLACEHOLDER')",
        ),
        (
            {"CLIPNET_STORAGE": "cloudinary"},
            "clipnet: configuration error: CLIPNET_CLOUDINARY_URL must be set when "
            "CLIPNET_STORAGE=cloudinary (the staging and production default; "
            "CLIPNET_STORAGE=local keeps media on disk)",
        ),
        (
            {"CLIPNET_TWITCH_EVENTSUB_SECRET": "hunter2"},
            "clipnet: configuration error: CLIPNET_TWITCH_EVENTSUB_SECRET: expected 10 to 100 "
            "printable ASCII characters (got a hidden value)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["config", "serve", "worker"])
def test_a_mistake_caught_at_start_stops_the_command_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], line: str, command: str
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, [command])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [line]


def test_config_shows_that_a_secret_is_set_but_none_of_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLIPNET_RUNPOD_API_KEY", "rp_live_0123456789")
    result = runner.invoke(app, ["config"])
    shown = next(line for line in result.output.splitlines() if "CLIPNET_RUNPOD_API_KEY" in line)
    assert shown.split()[1:] == ["set", "(hidden)"]
    assert "rp_" not in shown and "89" not in shown


def test_clip_with_an_unknown_aspect_is_one_line_naming_it_and_the_known_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path / "data"))
    args = ["clip", str(tmp_path / "any.mp4"), "--out", str(tmp_path / "out"), "--aspect", "4:3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "clipnet: error: unknown aspect '4:3' (known: 9:16, 1:1, 16:9)"
    ]
    assert not (tmp_path / "out").exists()


def test_an_unknown_caption_style_for_clip_is_one_line_naming_the_known_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path / "data"))
    recording = tmp_path / "vod.mp4"
    recording.write_bytes(b"not looked at: the style is checked first")
    args = ["clip", str(recording), "--out", str(tmp_path / "out"), "--captions", "comic"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "clipnet: error: unknown caption style 'comic' (known: bold-pop, lower-third, boxed, none)"
    ]
    assert not (tmp_path / "out").exists()
