"""A new template or span on a ready clip renders it again (real FFmpeg, the API on the embedded
profile's synchronous queue): after the PATCH and its job the stored video is another one,
its frames those of the new template, and the clip is ready with that template."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from litestar.testing import TestClient

from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.entrypoints.http import create_app
from tests.containers import app_container, memory_settings
from tests.integration.bot.generated_media import generated_video
from tests.integration.media.conftest import ffmpeg_binary
from tests.unit.http.conftest import ApiUser

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

FRAME_AT = 1.5
SMALL = (54, 96)
"""A frame scaled down to this (width, height) is enough to tell two layouts apart."""


def frame(video: Path) -> np.ndarray:
    """The video's frame at ``FRAME_AT`` seconds, small, as grey levels."""
    raw = subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-ss", str(FRAME_AT), "-i", str(video)),
            *("-frames:v", "1", "-vf", f"scale={SMALL[0]}:{SMALL[1]}", "-f", "rawvideo"),
            *("-pix_fmt", "gray", "-"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(SMALL[1], SMALL[0]).astype(float)


def test_a_new_template_renders_the_ready_clip_again_and_replaces_its_video(
    tmp_path: Path,
) -> None:
    settings = memory_settings(
        tmp_path / "data",
        CLIPNET_STORAGE="local",
        CLIPNET_X264_PRESET="ultrafast",
        CLIPNET_WHISPER_MODEL="off",
    )
    container = app_container(settings, password_hasher=Argon2PasswordHasher.fast_for_tests())
    source = generated_video(tmp_path / "stream.mp4", seconds=6.0)
    with TestClient(create_app(container)) as client:
        # given a clip rendered with center-crop (the memory queue runs its jobs at once)
        user = ApiUser(client, "streamer")
        source_id = user.source(source.read_bytes())
        made = client.post(
            "/clips/",
            json={"source_id": source_id, "start": 1, "end": 4, "template": "center-crop"},
            headers=user.headers,
        )
        assert made.status_code == 201, made.text
        clip_id = made.json()["items"][0]["id"]
        ready = client.get(f"/clips/{clip_id}", headers=user.headers).json()
        assert (ready["status"], ready["template"]) == ("ready", "center-crop")
        with container.uow_factory()() as uow:
            key = uow.clips.get(clip_id).assets["video"]
        before = container.storage().fetch(key, tmp_path / "before.mp4")
        # when its owner picks another template (and its job runs)
        changed = client.patch(
            f"/clips/{clip_id}", json={"template": "blur-pad"}, headers=user.headers
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["rerendering"] is True
        # then the clip is ready again, with the new template and another video under its key
        after_detail = client.get(f"/clips/{clip_id}", headers=user.headers).json()
    assert (after_detail["status"], after_detail["template"]) == ("ready", "blur-pad")
    with container.uow_factory()() as uow:
        clip = uow.clips.get(clip_id)
    assert clip.assets["video"] == key and clip.rerenders == 1
    after = container.storage().fetch(key, tmp_path / "after.mp4")
    assert after.read_bytes() != before.read_bytes()
    info = container.media().probe(after)
    assert (info.width, info.height) == (1080, 1920)
    assert info.duration == pytest.approx(3.0, abs=0.3)
    # center-crop fills the frame with the middle of the picture; blur-pad shows all of it over
    # a blurred copy: the same moment looks clearly different
    difference = np.abs(frame(before) - frame(after)).mean()
    assert difference > 10, difference
    container.shutdown_resources()


def test_a_trim_renders_the_new_span_and_the_old_video_is_no_longer_served(
    tmp_path: Path,
) -> None:
    settings = memory_settings(
        tmp_path / "data",
        CLIPNET_STORAGE="local",
        CLIPNET_X264_PRESET="ultrafast",
        CLIPNET_WHISPER_MODEL="off",
        CLIPNET_MIN_CLIP_SECONDS="2",
    )
    container = app_container(settings, password_hasher=Argon2PasswordHasher.fast_for_tests())
    source = generated_video(tmp_path / "stream.mp4", seconds=8.0)
    with TestClient(create_app(container)) as client:
        # given a ready clip of 1-6 s (the memory queue runs its jobs at once)
        user = ApiUser(client, "streamer")
        source_id = user.source(source.read_bytes())
        made = client.post(
            "/clips/", json={"source_id": source_id, "start": 1, "end": 6}, headers=user.headers
        )
        assert made.status_code == 201, made.text
        clip_id = made.json()["items"][0]["id"]
        ready = client.get(f"/clips/{clip_id}", headers=user.headers).json()
        assert ready["status"] == "ready", ready
        link = urlsplit(ready["media"]["video"]).path
        old_bytes = client.get(link).content
        # when its owner trims it to 2.5-5.5 s
        trimmed = client.patch(
            f"/clips/{clip_id}", json={"start": 2.5, "end": 5.5}, headers=user.headers
        )
        assert trimmed.status_code == 200, trimmed.text
        assert trimmed.json()["rerendering"] is True
        # then it is ready again and its link serves the new render, not the old one
        after = client.get(f"/clips/{clip_id}", headers=user.headers).json()
        served = client.get(urlsplit(after["media"]["video"]).path)
    assert (after["status"], after["start"], after["end"]) == ("ready", 2.5, 5.5)
    assert served.status_code == 200 and served.content != old_bytes
    new_file = tmp_path / "served.mp4"
    new_file.write_bytes(served.content)
    assert container.media().probe(new_file).duration == pytest.approx(3.0, abs=0.1)
    old_file = tmp_path / "old.mp4"
    old_file.write_bytes(old_bytes)
    assert container.media().probe(old_file).duration == pytest.approx(5.0, abs=0.1)
    container.shutdown_resources()
