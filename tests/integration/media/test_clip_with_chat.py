"""``clipnet clip --chat``: a chat replay of a generated recording picks the moment chat
reacted to, as a user runs it (the installed command in its own process, embedded default)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clipnet.domain.highlights.chat import ChatMessage
from clipnet.domain.shared.spans import TimeSpan
from tests.chat_replays import replay_bytes, save_replay
from tests.integration.media.conftest import EXCITING, SAMPLE

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

#: A calm stretch of the sample (nothing in its sound or picture) that chat reacts to...
QUIET_MOMENT = TimeSpan(12.0, 24.0)
#: ...this long after it (viewers' reaction delay; the command's default is 8 s).
REACTION_DELAY = 8


def sample_chat() -> list[ChatMessage]:
    """Steady chat over the whole sample; many chatters laughing 8 s after the quiet moment
    (and none reacting to the exciting part)."""
    seconds = int(SAMPLE.seconds)
    steady = [ChatMessage(t + 0.5, f"regular{t % 3}", "hi chat") for t in range(seconds)]
    start, end = int(QUIET_MOMENT.start), int(QUIET_MOMENT.end)
    burst = [
        ChatMessage(t + i / 10, f"viewer{i}", ("KEKW", "clip it", "LUL")[i % 3])
        for t in range(start + REACTION_DELAY, end + REACTION_DELAY)
        for i in range(10)
    ]
    return sorted([*steady, *burst], key=lambda m: m.offset)


def clipnet(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CLIPNET_DATA_DIR": str(work / "data"),
        "CLIPNET_X264_PRESET": "ultrafast",
        "CLIPNET_WHISPER_MODEL": "off",  # sound, motion, cuts and chat decide here
    }
    command = [str(Path(sys.executable).with_name("clipnet")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def clip_run(video: Path, work: Path, *extra: str) -> dict[str, Any]:
    out = work / "clips"
    result = clipnet(work, "clip", str(video), "--out", str(out), "--top", "3",
                     "--min-len", "10", "--max-len", "20", *extra)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {"stderr": result.stderr, **json.loads((out / "clips.json").read_text())}


def covers_most_of(clip: dict[str, Any], moment: TimeSpan) -> bool:
    overlap = min(clip["end"], moment.end) - max(clip["start"], moment.start)
    return overlap >= 0.75 * moment.duration


def test_a_chat_spike_after_a_quiet_moment_makes_it_the_top_clip_and_says_so(
    sample_video: Path, tmp_path: Path
) -> None:
    chat = save_replay(sample_chat(), tmp_path / "chat.csv", "csv")
    with_chat = clip_run(sample_video, tmp_path / "with", "--chat", str(chat))
    top = with_chat["clips"][0]
    assert covers_most_of(top, QUIET_MOMENT), top  # the moment, not the reaction 8 s later
    assert top["explanation"].startswith("chat spike")
    assert top["features"]["chat"] > 0.8
    assert any(covers_most_of(c, EXCITING) for c in with_chat["clips"])  # still a clip
    assert f"clipnet: chat: {len(sample_chat())} messages" in with_chat["stderr"]

    without = clip_run(sample_video, tmp_path / "without")
    assert not any(covers_most_of(c, QUIET_MOMENT) for c in without["clips"])
    assert all("chat" not in c["features"] for c in without["clips"])


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("cut.json", replay_bytes(sample_chat(), "twitch-downloader")[:5000],
         "the JSON ends early after message"),
        ("bad.csv", b"offset_seconds,author,message\n1,ann,hi\n2;bob;LUL\n",
         "bad.csv: line 3: expected offset_seconds,author,message"),
    ],
)  # fmt: skip
def test_a_malformed_chat_file_stops_the_command_with_one_line_naming_the_problem(
    sample_video: Path, tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    chat = tmp_path / name
    chat.write_bytes(content)
    result = clipnet(tmp_path, "clip", str(sample_video), "--out", str(tmp_path / "o"),
                     "--chat", str(chat))  # fmt: skip
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("clipnet: error: ") and says in line, result.stderr
    assert not (tmp_path / "o").exists()


def test_auto_estimates_the_delay_from_when_chat_follows_the_sound_and_picture(
    sample_video: Path, tmp_path: Path
) -> None:
    seconds, lag = int(SAMPLE.seconds), 11
    steady = [ChatMessage(t + 0.5, f"regular{t % 3}", "hi chat") for t in range(seconds)]
    reacting = [
        ChatMessage(t + i / 10, f"viewer{i}", "KEKW clip it")
        for t in range(int(EXCITING.start) + lag, int(EXCITING.end) + lag)
        for i in range(10)
    ]
    replay = sorted([*steady, *reacting], key=lambda m: m.offset)
    chat = save_replay(replay, tmp_path / "chat.json", "chat-downloader")
    run = clip_run(sample_video, tmp_path, "--chat", str(chat), "--chat-delay", "auto")
    assert f"delay {lag} s (estimated)" in run["stderr"]
    top = run["clips"][0]
    assert covers_most_of(top, EXCITING) and top["features"]["chat"] > 0.8, top
