"""The highlight bench end to end on its small set: generated recordings, the real analysis
pass and picker, every ablation row reported with all four figures in [0, 1]."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.highlight_eval import ALL_FEATURES
from bench.highlight_vods import DECOYS, HIGHLIGHTS

from clipnet.domain.highlights.scoring import DEFAULT_WEIGHTS
from tests.conftest import require_service
from tests.integration.media.conftest import ffmpeg_binary

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
FIGURES = ("hit@1", "recall@3", "mean_iou", "false_clip_rate")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ffmpeg_binary()
    require_service(shutil.which("espeak-ng") is not None, "espeak-ng")
    work = tmp_path_factory.mktemp("highlight-bench")
    command = [sys.executable, "-m", "bench.highlight_eval", "--set", "small", "--json"]
    result = subprocess.run(
        [*command, "--workdir", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_small_set_is_three_recordings_with_two_highlights_each(
    report: dict[str, Any],
) -> None:
    assert (report["recordings"], report["labels"]) == (3, 6)
    assert report["features"] == sorted(DEFAULT_WEIGHTS.values)


def test_every_ablation_row_reports_all_four_figures_in_zero_to_one(
    report: dict[str, Any],
) -> None:
    names = [row["weights"] for row in report["rows"]]
    assert names == [ALL_FEATURES, *(f"no {name}" for name in DEFAULT_WEIGHTS.values)]
    for row in report["rows"]:
        assert all(0.0 <= row[figure] <= 1.0 for figure in FIGURES), row
        assert row["clips"] >= report["recordings"]  # every recording gave a clip


def test_every_kind_of_highlight_and_decoy_is_counted(report: dict[str, Any]) -> None:
    kinds = {row["kind"]: row for row in report["kinds"]}
    assert set(kinds) == set(HIGHLIGHTS) | set(DECOYS)
    assert all(kinds[k]["highlight"] == (k in HIGHLIGHTS) for k in kinds)
    assert all(0 <= row["picked"] <= row["moments"] for row in kinds.values())
