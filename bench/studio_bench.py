"""The studio's first load, counted in headless Chromium: the bytes of HTML, JavaScript and
CSS the browser fetches (uncompressed: the API sends them as they are), and the requests it
makes until a source's clip list shows, with an empty cache each time.

Sets up as tests/studio_world.py does (the embedded default, real FFmpeg), with a source of
``clipnet sample``'s recording and its ready clips (three asked for; the sample has one
moment that clears the score floor), then opens that source's page
``--loads`` times in fresh browser contexts (signed in: the session is in localStorage).

    .venv/bin/python -m bench.studio_bench [--loads 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.studio_world import (
    chromium,
    offline_context,
    sample_video,
    sign_up,
    studio_world,
    upload_sample,
    wait_until_clips_ready,
)

from clipnet.entrypoints.http.routes.studio import studio_folder

STATIC = ("text/html", "text/javascript", "application/javascript", "text/css")


def first_load(browser: Any, url: str, session: str) -> dict[str, Any]:
    refused: list[str] = []
    context = offline_context(browser, refused)
    context.add_init_script(f"localStorage.setItem('clipnet.session', {session!r})")
    page = context.new_page()
    requests: list[str] = []
    static: list[Any] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    page.on(
        "response",
        lambda r: (
            static.append(r) if r.headers.get("content-type", "").startswith(STATIC) else None
        ),
    )
    began = time.perf_counter()
    page.goto(url)
    page.locator(".card.clip").first.wait_for()
    elapsed = time.perf_counter() - began
    counted = len(requests)  # until the clip list shows
    sizes = {r.url: len(r.body()) for r in static}
    context.close()
    assert refused == [], refused
    return {
        "requests": counted,
        "static_bytes": sum(sizes.values()),
        "files": len(sizes),
        "seconds": elapsed,
        "list": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    shipped = sum(p.stat().st_size for p in studio_folder().rglob("*") if p.is_file())
    with (
        tempfile.TemporaryDirectory() as tmp,
        studio_world(Path(tmp)) as world,
        chromium() as browser,
    ):
        context = offline_context(browser, [])
        page = context.new_page()
        sign_up(page, world.base, "bench@example.com")
        source_id = upload_sample(page, sample_video(Path(tmp) / "stream.mp4", 60.0), count=3)
        wait_until_clips_ready(page)
        clips = page.locator(".card.clip").count()
        session = page.evaluate("localStorage.getItem('clipnet.session')")
        context.close()
        url = f"{world.base}/#/sources/{source_id}"
        loads = [first_load(browser, url, session) for _ in range(args.loads)]
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}")
    print(f"studio files shipped: {shipped} bytes")
    first = loads[0]
    print(
        f"first load of a source page with {clips} clips: {first['static_bytes']} bytes "
        f"of HTML+JS+CSS in {first['files']} files"
    )
    print(f"requests until the clip list shows: {first['requests']}")
    for line in first["list"]:
        print(f"  {line}")
    median = statistics.median(load["seconds"] for load in loads)
    print(f"time to the clip list, median of {len(loads)}: {median * 1000:.0f} ms")


if __name__ == "__main__":
    main()
