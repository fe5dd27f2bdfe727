"""Chat replays in bounded memory: a generated 200 MB replay parsed and tallied per second.

Run by hand:

    .venv/bin/python -m bench.chat_bench [--megabytes 200] [--formats twitch-downloader,csv]

For each format it writes a replay of about ``--megabytes`` (a 6-hour stream's chat: steady
chatter with bursts of emotes and copy-paste floods), then, in a fresh process, reads it with
the chat reader and tallies it into the ``chat`` series (what ``clipnet clip --chat`` and
``POST /sources/{id}/chat`` do), and reports that process's peak resident memory next to the
peak of the same process that only imports the code, and messages per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.chat_replays import save_replay

from clipnet.adapters.chat_replay import ChatReplayFiles
from clipnet.domain.highlights.chat import ChatMessage, ChatTally, chat_intensity

STREAM_SECONDS = 6 * 3600
WORDS = ("gg", "nice", "what", "LUL", "KEKW", "Pog", "clip it", "no way", "hello", "lmao")


def generated_chat(megabytes: float, fmt: str) -> Iterator[ChatMessage]:
    """Messages spread over :data:`STREAM_SECONDS`, enough to fill about ``megabytes``."""
    per_message = {"twitch-downloader": 190, "chat-downloader": 125, "csv": 40}[fmt]
    count = int(megabytes * 1024**2 / per_message)
    rng = random.Random(7)
    for i in range(count):
        offset = i * STREAM_SECONDS / count
        burst = int(offset) % 600 < 20  # a 20 s burst every 10 minutes
        text = "PogChamp PogChamp" if burst else " ".join(rng.choices(WORDS, k=rng.randint(1, 6)))
        yield ChatMessage(round(offset, 3), f"viewer{rng.randrange(5000)}", text)


def parse(path: Path, only_import: bool) -> dict[str, float]:
    """Read and tally ``path`` (unless ``only_import``): messages, seconds, peak RSS (MiB)."""
    started = time.perf_counter()
    count = 0
    if not only_import:
        with path.open("rb") as stream:
            tally = ChatTally().extend(ChatReplayFiles().messages(stream, path.name))
        chat_intensity(tally.stats(), STREAM_SECONDS, 8)
        count = tally.count
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"messages": count, "seconds": time.perf_counter() - started, "rss": peak_kib / 1024}


def measured(path: Path, only_import: bool = False) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.chat_bench", "--parse", str(path)]
    result = subprocess.run(
        [*command, *(["--only-import"] if only_import else [])],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    figures: dict[str, float] = json.loads(result.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=200)
    parser.add_argument("--formats", default="twitch-downloader,chat-downloader,csv")
    parser.add_argument("--parse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--only-import", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse:
        print(json.dumps(parse(args.parse, args.only_import)))
        return
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="chat-bench-") as folder:
        for fmt in args.formats.split(","):
            path = save_replay(
                generated_chat(args.megabytes, fmt), Path(folder) / f"chat.{fmt}", fmt
            )
            size = path.stat().st_size / 1024**2
            idle, run = measured(path, only_import=True), measured(path)
            rate = run["messages"] / run["seconds"]
            print(
                f"{fmt:18} {size:6.0f} MiB, {run['messages']:>9,.0f} messages: "
                f"{rate:>9,.0f} messages/s ({run['seconds']:.1f} s), peak RSS "
                f"{run['rss']:.0f} MiB ({idle['rss']:.0f} MiB with nothing read)"
            )
            path.unlink()


if __name__ == "__main__":
    main()
