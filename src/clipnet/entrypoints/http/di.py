"""The bridge from the dependency-injector container to Litestar's dependency injection.

Route handlers ask for services by name (``accounts``, ``clips_service``, …); each name is a
Litestar dependency that calls the container provider of the same name. Tests override
providers on the container (``container.storage.override(...)``) before building the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from litestar.di import NamedDependency, Provide

from clipnet.container import Container
from clipnet.domain.accounts.oauth_linking import OAuthLinking
from clipnet.domain.accounts.service import AccountService
from clipnet.domain.clips.review import ClipReview
from clipnet.domain.clips.service import ClipService
from clipnet.domain.clips.sharing import ClipSharing
from clipnet.domain.highlights.service import HighlightService
from clipnet.domain.jobs.queries import JobQueries
from clipnet.domain.jobs.workers import WorkerRoster
from clipnet.domain.publishing.service import PublishingService
from clipnet.domain.shared.health import HealthService
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.sources.service import SourceService
from clipnet.ports.chat_replay import ChatReplayReader
from clipnet.ports.events import EventLog
from clipnet.settings import Settings

# Handler parameter types: each marks its parameter as the container service of that name
# (Litestar 3 style: no inferred dependencies). The parameter name must match ``SERVICES``.
AccountsDep: TypeAlias = NamedDependency[AccountService]
SourcesDep: TypeAlias = NamedDependency[SourceService]
ClipsDep: TypeAlias = NamedDependency[ClipService]
SharingDep: TypeAlias = NamedDependency[ClipSharing]
ReviewDep: TypeAlias = NamedDependency[ClipReview]
PublishingDep: TypeAlias = NamedDependency[PublishingService]
JobsDep: TypeAlias = NamedDependency[JobQueries]
OAuthDep: TypeAlias = NamedDependency[OAuthLinking]
HealthDep: TypeAlias = NamedDependency[HealthService]
SettingsDep: TypeAlias = NamedDependency[Settings]
EventLogDep: TypeAlias = NamedDependency[EventLog]
ReplyPlatformsDep: TypeAlias = NamedDependency[list[Platform]]
WorkerRosterDep: TypeAlias = NamedDependency[WorkerRoster]
HighlightsDep: TypeAlias = NamedDependency[HighlightService]
ChatReplaysDep: TypeAlias = NamedDependency[ChatReplayReader]

#: Container providers that route handlers may ask for, by parameter name.
SERVICES = (
    "accounts",
    "sources_service",
    "clips_service",
    "clip_sharing",
    "clip_review",
    "publishing_service",
    "job_queries",
    "oauth",
    "health",
    "settings",
    "event_log",
    "clipbot_inbox",
    "reply_platforms",
    "worker_roster",
    "highlights",
    "chat_replays",
)


def _call(provider: Callable[[], Any]) -> Callable[[], Any]:
    def dependency() -> Any:
        return provider()

    return dependency


def container_dependencies(
    container: Container, names: tuple[str, ...] = SERVICES
) -> dict[str, Provide]:
    """Litestar dependencies resolving each name from the container (singletons stay single)."""
    return {name: Provide(_call(getattr(container, name)), sync_to_thread=False) for name in names}
