"""The studio in real Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright),
headless, against ``clipnet serve``'s app on the embedded default with its in-process worker
running real FFmpeg, every request that would leave the machine refused:

sign up → link YouTube through OAuth (loopback provider) → upload a generated sample with a
progress bar → the clips appear on the source's page live, without a reload → play one (the
``<video>`` reports its duration) → trim it (shifted and lengthened: the re-rendered video has
the new duration, ±0.1 s) → publish it to the loopback YouTube → the post's link shows. A
second user cannot see the first user's source or open their clip (the not-found page)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.studio_world import (
    CHROMIUM,
    PASSWORD,
    SAMPLE_SECONDS,
    StudioWorld,
    chromium,
    link_account,
    offline_context,
    sample_video,
    sign_up,
    studio_world,
    upload_sample,
)

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

#: Generous: analysis and renders share two cores with other work; each wait ends when done.
PIPELINE_MS = 240_000
WAIT_MS = 60_000
TRIMMED = 16.0


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_service(CHROMIUM.exists(), "chromium at /usr/bin/chromium")
    with chromium() as launched:
        yield launched


@pytest.fixture
def world(tmp_path: Path) -> Iterator[StudioWorld]:
    with studio_world(tmp_path) as running:
        yield running


def video_duration(page: Any) -> float:
    page.wait_for_function(
        "() => { const v = document.querySelector('.player video');"
        " return v && v.readyState >= 1 && isFinite(v.duration) }",
        timeout=WAIT_MS,
    )
    return float(page.eval_on_selector(".player video", "v => v.duration"))


def test_a_streamer_uploads_watches_trims_and_publishes_a_clip_in_the_studio(
    world: StudioWorld, browser: Any, tmp_path: Path
) -> None:
    refused: list[str] = []
    video = sample_video(tmp_path / "stream.mp4")
    context = offline_context(browser, refused)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    streams: list[tuple[int, str]] = []  # the studio's GET /events answers
    page.on(
        "response",
        lambda r: (
            streams.append((r.status, r.headers.get("content-type", "")))
            if r.url.endswith("/events")
            else None
        ),
    )

    sign_up(page, world.base, "streamer@example.com")
    link_account(page, world, "youtube")
    source_id = upload_sample(page, video, count=1)

    # Live: the page is not reloaded while the clip goes from queued to ready.
    page.evaluate("window.__sameDocument = true")
    card = page.locator(".card.clip").first
    card.wait_for(timeout=WAIT_MS)
    page.locator(".card.clip[data-status='ready']").first.wait_for(timeout=PIPELINE_MS)
    assert page.evaluate("window.__sameDocument") is True
    # ... told by the live event stream (not by polling): the header says so
    assert page.locator("#live").get_attribute("data-mode") == "stream"
    assert (200, "text/event-stream; charset=utf-8") in streams
    assert card.locator("img").count() == 1  # its thumbnail
    assert card.locator(".score").inner_text().strip().endswith("/100")
    assert page.locator("svg.timeline .clip-span").count() >= 1  # chosen clip marked

    card.locator("a.card-title").click()
    page.wait_for_url("**/#/clips/*")
    clip_id = page.url.rsplit("/", 1)[1]
    before = video_duration(page)
    assert before > 1

    # Shift and lengthen the span (clips last 15-60 s): 16 s from 2 s earlier.
    start = max(0.0, float(page.get_by_label("Start (s)").input_value()) - 2)
    wanted = min(SAMPLE_SECONDS, start + TRIMMED) - start
    page.get_by_label("Start (s)").fill(f"{start:.1f}")
    page.get_by_label("End (s)").fill(f"{start + wanted:.1f}")
    page.get_by_label("End (s)").dispatch_event("change")
    page.get_by_role("button", name="Trim and re-render").click()
    page.wait_for_function(
        "(wanted) => { const e = document.querySelector('form.trim .error');"
        " const v = document.querySelector('.player video');"
        " return (e && !e.hidden)"
        "   || (v && isFinite(v.duration) && Math.abs(v.duration - wanted) < 0.2) }",
        arg=wanted,
        timeout=PIPELINE_MS,
    )
    refused_trim = page.locator("form.trim .error")
    assert not refused_trim.is_visible(), refused_trim.inner_text()
    assert math.isclose(video_duration(page), wanted, abs_tol=0.1)

    page.get_by_label("Platform").select_option("youtube")
    page.get_by_role("button", name="Publish").click()
    link = page.locator(".post[data-platform='youtube'] a.post-link")
    link.wait_for(timeout=PIPELINE_MS)
    assert link.get_attribute("href")
    assert page.locator(".post[data-platform='youtube']").get_attribute("data-status") == "posted"
    assert len(world.youtube.videos) == 1

    # Another user: the source is not listed, the clip's page is the not-found page.
    other = offline_context(browser, refused)
    stranger = other.new_page()
    sign_up(stranger, world.base, "stranger@example.com")
    stranger.get_by_text("No sources yet").wait_for(timeout=WAIT_MS)
    assert stranger.locator(f"a[href='#/sources/{source_id}']").count() == 0
    stranger.goto(f"{world.base}/#/clips/{clip_id}")
    stranger.get_by_role("heading", name="Not found").wait_for(timeout=WAIT_MS)
    assert stranger.locator("video").count() == 0
    stranger.goto(f"{world.base}/#/sources/{source_id}")
    stranger.get_by_role("heading", name="Not found").wait_for(timeout=WAIT_MS)
    other.close()
    context.close()
    assert problems == []
    assert refused == []


def test_the_studio_shows_a_problems_detail_and_refreshes_an_expired_token(
    world: StudioWorld, browser: Any
) -> None:
    refused: list[str] = []
    context = offline_context(browser, refused)
    page = context.new_page()
    sign_up(page, world.base, "twice@example.com")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/#/login")

    # The API's problem document, its detail shown beside the form (never a stack trace).
    page.goto(f"{world.base}/#/signup")
    page.get_by_label("Email").fill("twice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "already" in alert.inner_text().lower()
    assert "Traceback" not in page.content()

    # An access token the API no longer takes: api.js refreshes it once and goes on.
    page.goto(f"{world.base}/#/login")
    page.get_by_label("Email").fill("twice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/#/sources")
    page.evaluate(
        "() => { const s = JSON.parse(localStorage.getItem('clipnet.session'));"
        " s.access = 'expired'; localStorage.setItem('clipnet.session', JSON.stringify(s)) }"
    )
    page.goto(f"{world.base}/#/profile")
    page.get_by_text("twice@example.com").wait_for(timeout=WAIT_MS)
    access = page.evaluate("JSON.parse(localStorage.getItem('clipnet.session')).access")
    assert access != "expired"
    context.close()
    assert refused == []
