"""The studio's main pages, photographed in headless Chromium for docs/images/studio/.

Runs the studio as tests/studio_world.py does (``clipnet serve``'s app on the embedded
default, the in-process worker on real FFmpeg, loopback YouTube and OAuth provider), signs a
streamer up, links YouTube, uploads ``clipnet sample``'s recording asking for three clips,
waits for them, and takes: sources, a source (timeline and clip cards), a clip, accounts,
jobs, ClipBOT, and the source page at phone width.

    .venv/bin/python -m bench.studio_screenshots [--out docs/images/studio]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from tests.studio_world import (
    chromium,
    link_account,
    offline_context,
    sample_video,
    sign_up,
    studio_world,
    upload_sample,
    wait_until_clips_ready,
)

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images/studio"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        studio_world(Path(tmp)) as world,
        chromium() as browser,
    ):
        refused: list[str] = []
        context = offline_context(browser, refused, viewport=DESKTOP)
        page = context.new_page()
        sign_up(page, world.base, "streamer@example.com")
        link_account(page, world, "youtube")
        source_id = upload_sample(page, sample_video(Path(tmp) / "stream.mp4", 60.0), count=3)
        wait_until_clips_ready(page)
        page.locator("svg.timeline").hover(position={"x": 330, "y": 60})
        shoot(page, args.out / "source.png")

        page.goto(f"{world.base}/#/sources")
        page.locator(".card.source").first.wait_for()
        shoot(page, args.out / "sources.png")

        page.goto(f"{world.base}/#/sources/{source_id}")
        page.locator(".card.clip a.card-title").first.click()
        page.wait_for_function(
            "() => { const v = document.querySelector('.player video');"
            " return v && v.readyState >= 2 }"
        )
        # The first upload is refused (YouTube answers 403): the post's job fails, and
        # the Jobs page shows it with YouTube's reason until it is retried from there.
        world.youtube.fail("init", 403)
        clip_page = page.url
        publish(page, "youtube")
        page.goto(f"{world.base}/#/jobs")
        for _ in range(60):
            if page.locator(".card.job").count():
                break
            page.wait_for_timeout(1000)
            page.reload()
        shoot(page, args.out / "jobs.png")
        if page.locator(".card.job").count():
            page.locator(".card.job").first.get_by_role("button", name="Retry").click()
        link = page.locator(".post[data-platform='youtube'] a.post-link")
        page.goto(clip_page)
        for _ in range(60):  # the retried job goes out from the outbox
            if link.count():
                break
            page.wait_for_timeout(1000)
            page.reload()
        link.wait_for()
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, args.out / "clip.png")

        for route, name, ready in [
            ("accounts", "accounts.png", ".account"),
            ("clipbot", "clipbot.png", ".panel"),
        ]:
            page.goto(f"{world.base}/#/{route}")
            page.locator(ready).first.wait_for()
            shoot(page, args.out / name)

        phone = offline_context(browser, refused, viewport=PHONE, is_mobile=True)
        signed_in = page.evaluate("localStorage.getItem('clipnet.session')")
        phone.add_init_script(f"localStorage.setItem('clipnet.session', {signed_in!r})")
        small = phone.new_page()
        small.goto(f"{world.base}/#/sources/{source_id}")
        small.locator(".card.clip").first.wait_for()
        shoot(small, args.out / "source-phone.png", full_page=False)
        phone.close()
        context.close()
        assert refused == [], refused


def publish(page: Any, platform: str) -> None:
    page.get_by_label("Platform").select_option(platform)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_timeout(500)


def shoot(page: Any, path: Path, full_page: bool = True) -> None:
    page.wait_for_timeout(400)  # let images decode
    page.screenshot(path=str(path), full_page=full_page)
    print(path)


if __name__ == "__main__":
    main()
