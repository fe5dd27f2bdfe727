"""The studio as a person meets it, for the browser tests, the screenshots and the bench:
``clipnet serve``'s app on the embedded default (SQLite, local files, the in-process worker
running real FFmpeg) on a loopback port, YouTube linkable through OAuth against a loopback
provider and posting to the loopback YouTube API, and Chromium whose requests may only reach
127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.container import Container, build_container
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.http import create_app
from clipnet.entrypoints.serve import lifecycle_hooks
from clipnet.settings import load_settings
from tests.integration.http.test_oauth_loopback import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    ProviderHandler,
)
from tests.loopback.asgi import free_port, serving
from tests.loopback.server import serve
from tests.loopback.youtube import FakeYouTube, fake_youtube

CHROMIUM = Path("/usr/bin/chromium")
SAMPLE_SECONDS = 30.0
PASSWORD = "correct horse battery"
LINKABLE = ("youtube", "tiktok", "twitch")
"""Each links through the one loopback OAuth provider."""


@attrs.define
class StudioWorld:
    base: str
    container: Container
    youtube: FakeYouTube
    provider: Provider


def sample_video(path: Path, seconds: float = SAMPLE_SECONDS) -> Path:
    """``clipnet sample``'s recording (calm parts, one exciting part), small and quick."""
    middle = seconds * 0.45
    spec = SampleSpec(
        seconds=seconds,
        exciting=TimeSpan(middle, middle + min(20.0, seconds / 6)),
        width=640,
        height=360,
        fps=15,
        preset="ultrafast",
    )
    return make_sample(path, spec)


@contextmanager
def studio_world(folder: Path, **env: str) -> Iterator[StudioWorld]:
    with ExitStack() as stack:
        provider = Provider()
        oauth = stack.enter_context(serve(ProviderHandler, provider))
        youtube = stack.enter_context(fake_youtube())
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        settings = load_settings(
            {
                "CLIPNET_DATA_DIR": str(folder / "data"),
                "CLIPNET_PUBLIC_URL": base,
                "CLIPNET_WHISPER_MODEL": "off",  # no speech model: quick on two cores
                "CLIPNET_X264_PRESET": "ultrafast",
                "CLIPNET_OAUTH_CLIENTS": ",".join(
                    f"{name}={CLIENT_ID}:{CLIENT_SECRET}" for name in LINKABLE
                ),
                "CLIPNET_OAUTH_ENDPOINTS": ",".join(
                    f"{name}={oauth}/authorize|{oauth}/token|{oauth}/userinfo|{oauth}/revoke"
                    for name in LINKABLE
                ),
                "CLIPNET_YOUTUBE_API_BASE": youtube.base_url,
                **env,
            }
        )
        container = build_container(settings)
        container.password_hasher.override(Argon2PasswordHasher.fast_for_tests())
        on_startup, on_shutdown = lifecycle_hooks(container)
        stack.callback(lambda: [hook() for hook in on_shutdown])
        for hook in on_startup:  # the in-process worker, as `clipnet serve` starts it
            hook()
        stack.enter_context(serving(create_app(container), port))
        yield StudioWorld(base, container, youtube, provider)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser: Any, refused: list[str], **options: Any) -> Any:
    """A browser context whose requests may only reach 127.0.0.1 (others go to ``refused``)."""
    context = browser.new_context(**options)

    def only_loopback(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    return context


def sign_up(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/#/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/#/sources")


def link_account(
    page: Any, world: StudioWorld, provider: str = "youtube", wait_ms: float = 60_000
) -> None:
    """Link ``provider`` from the Accounts page: OAuth in a new window (the loopback provider
    sends it straight back to the callback), then refresh the page."""
    page.get_by_role("link", name="Accounts").click()
    card = page.locator(f".account[data-provider='{provider}']")
    with page.context.expect_page() as popup:
        card.get_by_role("button", name="Link").click()
    callback = popup.value
    callback.wait_for_load_state()
    assert f"/oauth/{provider}/callback" in callback.url, callback.url
    callback.close()
    page.get_by_role("button", name="Refresh").click()
    card.locator(".linked").wait_for(timeout=wait_ms)
    # The loopback YouTube accepts the tokens the loopback provider issued.
    world.youtube.tokens = set(world.provider.access)


def upload_sample(page: Any, video: Path, count: int, wait_ms: float = 240_000) -> str:
    """Upload ``video`` from the Sources page asking for ``count`` clips; the source's id."""
    page.get_by_role("link", name="Sources").click()
    page.get_by_label("Video file").set_input_files(str(video))
    page.get_by_label("Title (optional)").first.fill("Friday stream")
    page.get_by_label("Clips to make").fill(str(count))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/#/sources/*", timeout=wait_ms)
    return str(page.url.rsplit("/", 1)[1])


def wait_until_clips_ready(page: Any, wait_ms: float = 240_000) -> None:
    """On a source's page: every clip card is ready (the cards update live)."""
    page.locator(".card.clip").first.wait_for(timeout=wait_ms)
    page.wait_for_function(
        "() => { const cards = [...document.querySelectorAll('.card.clip')];"
        " return cards.length && cards.every(c => c.dataset.status === 'ready') }",
        timeout=wait_ms,
    )
