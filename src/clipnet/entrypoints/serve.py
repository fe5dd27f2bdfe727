"""``clipnet serve``: the HTTP API under uvicorn; on the in-process queue (the embedded
profile) the same process also runs the job worker, so one command gives a working system."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from clipnet.container import Container, build_container
from clipnet.entrypoints.http import create_app
from clipnet.entrypoints.worker import announce_replies, catch_up, remove_stale_scratch
from clipnet.settings import Settings

log = logging.getLogger(__name__)

#: Seconds a connection may idle between requests, and that shutdown waits for requests.
KEEP_ALIVE_SECONDS = 5
GRACEFUL_SHUTDOWN_SECONDS = 30


Hook = Callable[[], None]


def lifecycle_hooks(container: Container) -> tuple[list[Hook], list[Hook]]:
    """Say where links point and which chat platforms ClipBOT can answer on, and start the
    in-process worker when embedded, as the app starts; close every resource (the worker,
    database pools, Redis clients) when it stops."""
    settings = container.settings()

    def announce() -> None:
        log.info("links and media URLs start with %s (CLIPNET_PUBLIC_URL)", settings.api.public_url)
        announce_replies(container)

    on_startup: list[Hook] = [announce]
    if settings.queue.backend == "inprocess":

        def start_worker() -> None:
            # Jobs left unfinished by an earlier run go back to the queue (recover=True).
            remove_stale_scratch()
            container.job_worker().start(recover=True)
            log.info("in-process worker started (CLIPNET_QUEUE=inprocess)")
            catch_up(container)

        on_startup.append(start_worker)

    def close_resources() -> None:
        container.shutdown_resources()

    return on_startup, [close_resources]


def build_app(settings: Settings) -> Any:
    container = build_container(settings)
    on_startup, on_shutdown = lifecycle_hooks(container)
    # logging_config=None: the CLI configured logging (CLIPNET_LOG_FORMAT); Litestar's own
    # default would replace the root logger's handler with its text format.
    return create_app(
        container, on_startup=on_startup, on_shutdown=on_shutdown, logging_config=None
    )


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn  # only this command needs the server
    from uvicorn.config import LOGGING_CONFIG

    from clipnet.entrypoints.http.read_timeout import read_timeout_protocol

    uvicorn.run(
        build_app(settings),
        host=host,
        port=port,
        # uvicorn bounds idle keep-alive but not a request's arrival: add a read timeout
        http=read_timeout_protocol(settings.api.http_read_timeout),
        log_level=settings.log_level.lower(),
        # JSON logs: uvicorn's own loggers (access lines too) go through the root handler;
        # None keeps uvicorn from installing its text handlers.
        log_config=None if settings.observability.log_format == "json" else LOGGING_CONFIG,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        proxy_headers=False,  # client IPs (rate limits) come from the socket unless configured
    )
