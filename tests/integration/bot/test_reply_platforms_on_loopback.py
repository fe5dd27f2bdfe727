"""Over real HTTP: with Twitch's bot credentials set and X's missing, ClipBOT answers on Twitch
(the loopback Helix server gets the message) and queues nothing for X, so no job dies with
"no chat adapter is configured for x"."""

from __future__ import annotations

from pathlib import Path

from clipnet.domain.clipbot.model import ChannelLink, ChatMessage, ReplyTarget
from clipnet.domain.clipbot.parser import HELP
from clipnet.domain.jobs.model import JobStatus, JobType
from clipnet.domain.shared.platforms import Platform
from tests.builders import T0, a_source, a_user
from tests.containers import app_container, memory_settings
from tests.loopback.chat_platforms import TWITCH_CLIENT_ID, TWITCH_TOKEN, helix_server, x_server


def test_only_the_platform_with_credentials_is_answered_and_no_job_dies(tmp_path: Path) -> None:
    with helix_server() as (helix_url, helix), x_server() as (x_url, x):
        settings = memory_settings(
            tmp_path,
            CLIPNET_TWITCH_API_URL=helix_url,
            CLIPNET_TWITCH_CLIENT_ID=TWITCH_CLIENT_ID,
            CLIPNET_TWITCH_BOT_TOKEN=TWITCH_TOKEN,
            CLIPNET_TWITCH_BOT_USER_ID="bot-9",
            CLIPNET_X_API_URL=x_url,  # X's API is there, but ClipBOT has no X token
        )
        container = app_container(settings)  # the memory queue runs each job as it is queued
        with container.uow_factory()() as uow:
            uow.users.add(a_user())
            uow.sources.add(a_source())
            uow.commit()
        for platform in (Platform.TWITCH, Platform.X):
            link = ChannelLink(platform, "chan-1", "user-1", "source-1")
            container.channel_admin().link_channel(link)
            target = ReplyTarget(platform, "chan-1", f"msg-on-{platform.value}", "viewer-1")
            message = ChatMessage(target, "!help", f"delivery-{platform.value}", T0)
            container.chat_commands().on_message(message)

        assert [body["message"] for _, body in helix.received] == [HELP]
        assert x.attempts == 0
        with container.uow_factory()() as uow:
            jobs = uow.jobs.recent(limit=100)
        assert [(j.type, j.payload["platform"], j.status) for j in jobs] == [
            (JobType.CLIPBOT_POST, "twitch", JobStatus.SUCCEEDED)
        ]
    container.shutdown_resources()
