"""The composition root: builds ClipNET from settings by choosing an adapter for each port.

Nothing is built at import time. ``build_container(settings)`` returns a container whose
providers make each part on first use; tests override providers to swap in fakes::

    container = build_container(settings)
    container.storage.override(providers.Object(InMemoryStorage()))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn
from urllib.parse import urlsplit

from dependency_injector import containers, providers

from clipnet.adapters.crypto import FernetSecretBox, load_or_create_key_file
from clipnet.adapters.local_files import LocalFileStorage
from clipnet.adapters.memory.inference import NoTranscriber, ScriptedVisionScorer
from clipnet.adapters.memory.queue import SynchronousJobQueue
from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.adapters.memory.storage import InMemoryStorage
from clipnet.adapters.system import SystemClock, TimeOrderedIds
from clipnet.domain.job_runner import JobRunner
from clipnet.domain.lifecycle import ClipLifecycle
from clipnet.domain.outbox import Outbox
from clipnet.domain.templates import TemplateCatalogue
from clipnet.domain.voting import VotingService
from clipnet.settings import Settings


class AdapterUnavailable(RuntimeError):
    """The settings chose an adapter this installation does not have."""


def unavailable(what: str, variable: str) -> Callable[..., NoReturn]:
    def fail(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise AdapterUnavailable(
            f"{what} is not available in this version of ClipNET; change {variable}"
        )

    return fail


def database_backend(url: str) -> str:
    scheme = urlsplit(url).scheme.split("+")[0]
    return "memory" if scheme == "memory" else "sqlalchemy"


def secret_keys(settings: Settings) -> list[str]:
    if settings.security.secret_keys:
        return list(settings.security.secret_keys)
    return load_or_create_key_file(settings.data_dir / "secret.key")


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(TimeOrderedIds)
    templates = providers.Singleton(TemplateCatalogue)
    secret_box = providers.Singleton(FernetSecretBox, providers.Callable(secret_keys, settings))

    database = providers.Selector(
        providers.Callable(database_backend, settings.provided.database.url),
        memory=providers.Singleton(InMemoryDatabase),
        sqlalchemy=providers.Singleton(
            unavailable("The SQL database adapter", "CLIPNET_DATABASE_URL to memory://")
        ),
    )
    uow_factory = providers.Callable(lambda db: db.unit_of_work, database)

    queue = providers.Selector(
        settings.provided.queue.backend,
        memory=providers.Singleton(SynchronousJobQueue),
        inprocess=providers.Singleton(SynchronousJobQueue),
        dramatiq=providers.Singleton(
            unavailable("The Dramatiq queue adapter", "CLIPNET_QUEUE to inprocess")
        ),
    )

    storage = providers.Selector(
        settings.provided.storage.backend,
        local=providers.Singleton(LocalFileStorage, settings.provided.storage.local_dir),
        memory=providers.Singleton(InMemoryStorage),
        cloudinary=providers.Singleton(
            unavailable("The Cloudinary storage adapter", "CLIPNET_STORAGE to local")
        ),
    )

    transcriber = providers.Singleton(NoTranscriber)
    vision = providers.Singleton(ScriptedVisionScorer)

    outbox = providers.Singleton(Outbox, queue, clock, ids)
    lifecycle = providers.Singleton(ClipLifecycle, uow_factory, outbox, clock, ids, templates)
    voting = providers.Singleton(
        VotingService,
        uow_factory,
        outbox,
        clock,
        providers.Callable(
            lambda threshold: lambda _channel: threshold,
            settings.provided.bot.vote_threshold,
        ),
    )
    job_runner = providers.Singleton(JobRunner, uow_factory, clock, providers.Dict())


def build_container(settings: Settings) -> Container:
    """A container for ``settings``; jobs enqueued in-process run through the job runner."""
    container = Container(settings=settings)
    queue = container.queue()
    if isinstance(queue, SynchronousJobQueue):
        queue.dispatcher = container.job_runner()
    return container
