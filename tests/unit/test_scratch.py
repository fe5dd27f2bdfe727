"""Scratch folders name their owner, and a start removes those whose owner is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from clipnet.domain.shared.scratch import (
    PARTIAL,
    owner_tag,
    partial_prefix,
    scratch_folder,
    sweep_stale_partials,
    sweep_stale_scratch,
)


def exited_pid() -> int:
    """The PID of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_scratch_folder_names_its_owner_and_is_removed_after_its_block(tmp_path: Path) -> None:
    with scratch_folder("render", tmp_path) as folder:
        assert folder.parent == tmp_path and folder.is_dir()
        assert folder.name.startswith(f"clipnet-{owner_tag()}-render-")
        assert owner_tag().startswith(f"{os.getpid()}.")
    assert not folder.exists()


def test_the_sweep_removes_folders_of_exited_processes_and_keeps_live_and_foreign_ones(
    tmp_path: Path,
) -> None:
    dead = tmp_path / f"clipnet-{exited_pid()}.12345-ffmpeg-abc"
    (dead / "inner").mkdir(parents=True)
    (dead / "inner" / "partial.mp4").write_bytes(b"half a video")
    pid, start = owner_tag().split(".")
    reused = tmp_path / f"clipnet-{pid}.{int(start) + 1}-ffmpeg-def"  # same PID, other process
    reused.mkdir()
    foreign = [tmp_path / "clipnet-upload-old", tmp_path / "someone-else"]
    for folder in foreign:
        folder.mkdir()
    a_file = tmp_path / f"clipnet-{exited_pid()}.1-not-a-folder"
    a_file.write_text("x")

    with scratch_folder("pipeline", tmp_path) as mine:
        removed = sweep_stale_scratch(tmp_path)
        assert mine.is_dir()

    assert sorted(removed) == sorted([dead, reused])
    assert not dead.exists() and not reused.exists()
    assert all(folder.is_dir() for folder in foreign) and a_file.is_file()


def test_the_sweep_of_a_missing_folder_removes_nothing(tmp_path: Path) -> None:
    assert sweep_stale_scratch(tmp_path / "nowhere") == []


def test_the_partial_sweep_removes_files_of_exited_writers_only(tmp_path: Path) -> None:
    dead = tmp_path / f"{PARTIAL}{exited_pid()}.12345-abc"
    live = tmp_path / f"{partial_prefix()}def"
    others = [tmp_path / "video.mp4", tmp_path / "tmpabc123"]
    for path in (dead, live, *others):
        path.write_bytes(b"x")
    folder = tmp_path / f"{PARTIAL}{exited_pid()}.1-a-folder"
    folder.mkdir()
    assert partial_prefix().startswith(f"{PARTIAL}{owner_tag()}-")
    assert sweep_stale_partials(tmp_path) == [dead]
    assert not dead.exists() and live.exists() and folder.is_dir()
    assert all(path.exists() for path in others)
    assert sweep_stale_partials(tmp_path / "nowhere") == []
