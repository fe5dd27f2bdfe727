"""Peak memory and disk of the jobs on a source, for a 10- and a 60-minute source (they must
stay flat as the source grows), and clips per hour per worker on CPU.

Run by hand (FFmpeg installed; nothing else):

    .venv/bin/python -m bench.scale_bench [--minutes 10 60] [--top 3] [--size 640x360]

For each length: a generated recording (one loud, busy highlight; calm elsewhere) is uploaded
into local storage as the API stores uploads; then, in a child process on the embedded
profile with the synchronous queue (one worker, jobs one after another), the source's
``source:analyze`` job analyses it and clips its ``--top`` best moments, and each clip's jobs
(process, score, scan + polish with the default reframe template, upload) run to the end.
The parent samples, every 0.1 s: the resident memory of the child and every process under it
(FFmpeg included), and the bytes in the child's temporary folder (every job's scratch).
Reported: peak RSS, peak scratch bytes, the source's own size (stored once, by the upload, and
then read in place), wall time and clips per hour (the whole run, analysis included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.domain.shared.spans import TimeSpan


def child(source_file: str, top: int) -> None:
    """In the measured process: store the upload, queue the analysis, run it all."""
    from tests.containers import memory_env

    from clipnet.container import build_container
    from clipnet.domain.shared.access import Actor
    from clipnet.domain.sources.model import Source, SourceKind
    from clipnet.settings import load_settings

    data = Path(os.environ["BENCH_DATA_DIR"])
    env = memory_env(data, CLIPNET_STORAGE="local", CLIPNET_X264_PRESET="veryfast")
    container = build_container(load_settings(env))
    storage = container.storage()
    key = "sources/bench-source.mp4"
    storage.put(key, Path(source_file), "video/mp4")  # what POST /sources/upload does
    with container.uow_factory()() as uow:
        from clipnet.domain.accounts.model import User

        now = container.clock().now()
        uow.users.add(User("bench", "bench@example.com", now, "Bench"))
        uow.sources.add(Source("bench-source", "bench", SourceKind.UPLOAD, key, now))
        uow.commit()
    began = time.monotonic()
    made = container.clips_service().create_auto(Actor("bench"), "bench-source", top)
    with container.uow_factory()() as uow:
        clips = [uow.clips.get(c.id) for c in made.clips]
    print(
        json.dumps(
            {
                "seconds": time.monotonic() - began,
                "clips": len(clips),
                "ready": sum(c.status.value == "ready" for c in clips),
            }
        )
    )


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for each in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # it ended while we looked
            total += each.memory_info().rss
    return total


def folder_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # removed while we looked
                total += os.stat(os.path.join(root, name)).st_size
    return total


def measure(source: Path, top: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="clipnet-scale-") as work:
        scratch, data = Path(work) / "tmp", Path(work) / "data"
        scratch.mkdir()
        env = {**os.environ, "TMPDIR": str(scratch), "BENCH_DATA_DIR": str(data)}
        command = [sys.executable, "-m", "bench.scale_bench", "--child", str(source), str(top)]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        watched = psutil.Process(process.pid)
        peak_rss = peak_scratch = 0
        while process.poll() is None:
            peak_rss = max(peak_rss, tree_rss(watched))
            peak_scratch = max(peak_scratch, folder_bytes(scratch))
            time.sleep(0.1)
        out = process.stdout.read() if process.stdout else ""
        if process.returncode != 0:
            raise SystemExit(f"the measured run failed ({process.returncode})")
        result = json.loads(out.strip().splitlines()[-1])
    return {**result, "peak_rss": peak_rss, "peak_scratch": peak_scratch}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 60])
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--size", default="640x360")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; sources {args.size}, 30 fps"
    )
    with tempfile.TemporaryDirectory(prefix="clipnet-scale-src-") as folder:
        for minutes in args.minutes:
            seconds = minutes * 60
            spec = SampleSpec(
                seconds=seconds,
                exciting=TimeSpan(seconds * 0.4, seconds * 0.4 + 20),
                width=width,
                height=height,
                fps=30,
                preset="ultrafast",
            )
            started = time.monotonic()
            source = make_sample(Path(folder) / f"source-{minutes:g}min.mp4", spec)
            made_in = time.monotonic() - started
            found = measure(source, args.top)
            mib = 1024 * 1024
            print(
                f"{minutes:g}-minute source ({source.stat().st_size / mib:.0f} MiB, made in "
                f"{made_in:.0f} s): peak RSS {found['peak_rss'] / mib:.0f} MiB, peak scratch "
                f"{found['peak_scratch'] / mib:.1f} MiB; {found['ready']}/{found['clips']} clips "
                f"ready in {found['seconds']:.0f} s: "
                f"{3600 * found['ready'] / found['seconds']:.0f} clips/hour on one worker"
            )


if __name__ == "__main__":
    main()
