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
