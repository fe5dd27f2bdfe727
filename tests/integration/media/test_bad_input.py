"""Untrusted input through the real ``clipnet clip`` command: one clear line, exit 1, no traceback,
and nothing left behind in the temporary folder."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.ports.media import MediaError
from tests.integration.media.conftest import clip_command, ffmpeg, ffmpeg_binary

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The process's temporary folder, which must be empty again after each command."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    monkeypatch.setenv("CLIPNET_DATA_DIR", str(tmp_path / "data"))
    yield root
    assert list(root.iterdir()) == []


def _empty(folder: Path, _: Path) -> Path:
    path = folder / "empty.mp4"
    path.write_bytes(b"")
    return path


def _text(folder: Path, _: Path) -> Path:
    path = folder / "notes.mp4"
    path.write_text("these are my notes, not a video\n" * 20)
    return path


def _truncated_moov_last(folder: Path, sample: Path) -> Path:
    whole = folder / "moov-last.mp4"
    ffmpeg("-i", str(sample), "-t", "20", "-c", "copy", str(whole))  # index written at the end
    path = folder / "truncated-moov-last.mp4"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def _truncated_faststart(folder: Path, sample: Path) -> Path:
    path = folder / "truncated-faststart.mp4"
    path.write_bytes(sample.read_bytes()[: sample.stat().st_size // 3])  # index intact, data cut
    return path


def _audio_only(folder: Path, _: Path) -> Path:
    path = folder / "podcast.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=d=20", "-c:a", "aac", str(path))
    return path


def _bad_file_with_spaces_and_unicode(folder: Path, _: Path) -> Path:
    path = folder / "mes vidéos 🎮" / "partie 1 — finale.mp4"
    path.parent.mkdir()
    path.write_bytes(b"\x00\x01 not really an mp4 " * 50)
    return path


BAD_FILES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "an empty file": (_empty, "the file is empty"),
    "a text file renamed .mp4": (_text, "not a media file FFmpeg can read"),
    "an MP4 truncated before its index": (_truncated_moov_last, "truncated"),
    "an MP4 truncated after its index": (_truncated_faststart, "truncated or damaged"),
    "an audio-only file": (_audio_only, "no video stream"),
    "a broken file at a path with spaces and unicode": (
        _bad_file_with_spaces_and_unicode,
        "not a media file FFmpeg can read",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gives_one_clear_line_naming_it_and_a_non_zero_exit(
    case: str, temp_root: Path, tmp_path: Path, sample_video: Path
) -> None:
    # given
    make, reason = BAD_FILES[case]
    bad = make(tmp_path, sample_video)
    # when
    code, output = clip_command(str(bad), "--out", str(tmp_path / "out"))
    # then
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 1
    assert len(lines) == 1, output
    assert lines[0].startswith("clipnet: error: ") and bad.name in lines[0]
    assert reason in lines[0]
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text",
    [
        "concat:{sample}|{sample}",
        "subfile,,start,0,end,100,,:{sample}",
        "file:{sample}",
    ],
)
def test_protocols_and_urls_are_refused_before_ffmpeg_sees_them(
    text: str, temp_root: Path, tmp_path: Path, sample_video: Path
) -> None:
    argument = text.format(sample=sample_video)
    code, output = clip_command(argument, "--out", str(tmp_path / "out"))
    assert code == 1
    assert output.strip() == (
        f"clipnet: error: {argument}: only local files can be opened, not URLs or protocols"
    )


def test_a_url_goes_to_the_ssrf_guard_which_refuses_a_host_not_allowed(
    temp_root: Path, tmp_path: Path
) -> None:
    code, output = clip_command("http://127.0.0.1:9/sample.mp4", "--out", str(tmp_path / "out"))
    assert code == 1
    assert output.strip() == (
        "clipnet: error: host '127.0.0.1' is not on the list of allowed source hosts"
    )
    assert not (tmp_path / "out").exists()


def test_a_file_named_like_a_protocol_is_opened_as_a_plain_file(
    tmp_path: Path, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a real local file whose name starts like a protocol
    monkeypatch.chdir(tmp_path)
    (tmp_path / "concat:clip.mp4").write_bytes(sample_video.read_bytes())
    ffmpeg_binary()
    # when
    info = FfmpegMediaProcessor().probe(Path("concat:clip.mp4"))
    # then: it is the sample itself, not a concatenation
    assert info.duration == pytest.approx(80.0, abs=0.1)


def test_a_good_video_at_a_path_with_spaces_and_unicode_is_read(
    tmp_path: Path, sample_video: Path
) -> None:
    path = tmp_path / "mes vidéos 🎮" / "partie 1 — finale.mp4"
    path.parent.mkdir()
    path.write_bytes(sample_video.read_bytes())
    ffmpeg_binary()
    timeline = FfmpegMediaProcessor().analyze(path)
    assert timeline.seconds == 80


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("CLIPNET_MAX_SOURCE_SECONDS", "60", "80 s is longer than the limit of 60 s"),
        ("CLIPNET_MAX_SOURCE_PIXELS", "50000", "320x180 is over the limit of 50000 pixels"),
        ("CLIPNET_MAX_SOURCE_BYTES", "1000", "bytes is over the limit of 1000"),
    ],
)
def test_the_limits_from_settings_refuse_a_source_that_is_too_big(
    variable: str,
    value: str,
    reason: str,
    temp_root: Path,
    tmp_path: Path,
    sample_video: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, value)
    code, output = clip_command(str(sample_video), "--out", str(tmp_path / "out"))
    assert code == 1
    assert reason in output and "Traceback" not in output


def test_an_ffmpeg_run_past_its_timeout_is_stopped_and_cleaned_up(
    tmp_path: Path, sample_video: Path
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    ffmpeg_binary()
    media = FfmpegMediaProcessor(timeout=0.2, temp_dir=scratch)
    with pytest.raises(MediaError, match=r"took longer than 0.2 s and was stopped"):
        media.analyze(sample_video)
    assert list(scratch.iterdir()) == []
