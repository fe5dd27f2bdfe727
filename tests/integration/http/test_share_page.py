"""The share page and the API docs in real Chromium (Debian's ``/usr/bin/chromium``, driven by
Playwright) over real HTTP, with every request that would leave the machine refused: the page
shows the clip's title and plays its real video (a finite duration), carries Open Graph and
Twitter card tags with absolute URLs, and is a readable 404 page once the clip is unshared;
Swagger UI renders from the app's own files."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.container import Container
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.pipeline.handlers import asset_key
from clipnet.entrypoints.http import create_app
from tests.conftest import require_service
from tests.containers import app_container, memory_settings
from tests.integration.bot.generated_media import generated_video
from tests.loopback.asgi import free_port, serving
from tests.unit.http.conftest import ApiUser

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
VIDEO_SECONDS = 4.0
#: Generous: Chromium starts, loads and demuxes on two shared cores; the wait ends when ready.
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_service(CHROMIUM.exists(), "chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Container, Litestar]]:
    """The app on a loopback port, with local storage and its public URL set to that port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = memory_settings(
        tmp_path / "data",
        CLIPNET_STORAGE="local",
        CLIPNET_PUBLIC_URL=base,
        CLIPNET_X264_PRESET="ultrafast",
    )
    container = app_container(settings, password_hasher=Argon2PasswordHasher.fast_for_tests())
    app = create_app(container)
    with serving(app, port):
        yield base, container, app
    container.shutdown_resources()


@pytest.fixture
def offline_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page whose requests may only reach 127.0.0.1; the list holds the ones refused."""
    context = browser.new_context()
    refused: list[str] = []

    def only_loopback(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    try:
        yield context.new_page(), refused
    finally:
        context.close()


def ready_clip_with_media(
    container: Container, app: Litestar, tmp_path: Path
) -> tuple[ApiUser, str]:
    """A user's clip, ready, with a real H.264/AAC video and a JPEG thumbnail in storage."""
    video = generated_video(tmp_path / "clip.mp4", seconds=VIDEO_SECONDS)
    thumbnail = container.media().thumbnail(video, 1.0, tmp_path / "thumbnail.jpg")
    with TestClient(app) as client:
        user = ApiUser(client, "streamer")
        source_id = user.source(video.read_bytes())
        response = client.post(
            "/clips/",
            json={"source_id": source_id, "start": 0, "end": VIDEO_SECONDS, "title": "Epic save"},
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        clip_id = str(response.json()["items"][0]["id"])
    storage = container.storage()
    assets = {
        "video": storage.put(asset_key(clip_id, "video.mp4"), video, "video/mp4").key,
        "thumbnail": storage.put(asset_key(clip_id, "thumbnail.jpg"), thumbnail, "image/jpeg").key,
    }
    with container.uow_factory()() as uow:  # as the pipeline leaves it (its own tests run it)
        clip = uow.clips.get(clip_id)
        clip.assets, clip.status = assets, ClipStatus.READY
        uow.clips.update(clip)
        uow.commit()
    return user, clip_id


def open_graph(page: Any) -> dict[str, str]:
    return dict(
        page.eval_on_selector_all(
            "meta[property], meta[name]",
            "els => els.map(e => [e.getAttribute('property') || e.name, e.content])",
        )
    )


def test_a_shared_clip_plays_in_chromium_with_its_title_and_unfurl_tags_and_404s_once_unshared(
    served: tuple[str, Container, Litestar],
    offline_page: tuple[Any, list[str]],
    tmp_path: Path,
) -> None:
    base, container, app = served
    page, refused = offline_page
    user, clip_id = ready_clip_with_media(container, app, tmp_path)
    with TestClient(app) as client:
        shared = client.post(f"/clips/{clip_id}/share", headers=user.headers)
        assert shared.status_code == 200, shared.text
    url = shared.json()["url"]
    assert url.startswith(f"{base}/share/")

    response = page.goto(url)
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == "Epic save"
    assert "Epic save" in page.title()
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 1 }",
        timeout=WAIT_MS,
    )
    duration = page.evaluate("document.querySelector('video').duration")
    assert math.isfinite(duration) and duration > 0
    assert duration == pytest.approx(VIDEO_SECONDS, abs=0.5)

    tags = open_graph(page)
    assert tags["og:title"] == "Epic save" and tags["og:type"] == "video.other"
    assert tags["og:url"] == url
    for name in ("og:url", "og:video", "og:image", "twitter:image"):
        parts = urlsplit(tags[name])
        assert (parts.scheme, parts.netloc) == ("http", urlsplit(base).netloc), name
    assert tags["twitter:card"] == "summary_large_image" and tags["twitter:title"] == "Epic save"
    image = page.request.get(tags["og:image"])
    assert image.status == 200 and image.headers["content-type"] == "image/jpeg"
    assert page.request.get(tags["og:video"]).headers["content-type"] == "video/mp4"

    with TestClient(app) as client:
        unshared = client.delete(f"/clips/{clip_id}/share", headers=user.headers)
        assert unshared.status_code == 204
    gone = page.goto(url)
    assert gone is not None and gone.status == 404
    assert gone.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text() == "This clip is not shared"
    assert refused == []  # nothing wanted to leave the machine


def test_swagger_ui_renders_the_api_document_offline(
    served: tuple[str, Container, Litestar], offline_page: tuple[Any, list[str]]
) -> None:
    base, _, _ = served
    page, refused = offline_page
    response = page.goto(f"{base}/schema/swagger")
    assert response is not None and response.status == 200
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(timeout=WAIT_MS)
    assert "ClipNET API" in title.inner_text()
    assert page.locator(".opblock-tag", has_text="clips").count() == 1
    assert refused == []  # no CDN asked
