"""``clipnet worker``: runs the configured profile's jobs until SIGTERM or Ctrl-C.

One process (``--processes`` above 1: see :mod:`.worker_processes`) with threads of its own
for each queue group (``--threads`` each, ``CLIPNET_WORKER_QUEUES`` per group), the outbox
relay loop and a heartbeat. On SIGTERM the running jobs finish (up to
``CLIPNET_WORKER_SHUTDOWN_TIMEOUT``) and jobs fetched but not started go back to the broker.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from clipnet.container import Container
from clipnet.domain.clipbot.replies import reply_summary
from clipnet.domain.shared.scratch import sweep_stale_scratch

log = logging.getLogger(__name__)


class WorkerUnavailable(RuntimeError):
    """The configured queue has no separate worker (the synchronous memory queue)."""


def serve_jobs(container: Container, stop: threading.Event | None = None) -> None:
    """Run jobs until ``stop`` is set or the process gets SIGTERM/SIGINT; then shut down."""
    settings = container.settings()
    backend = settings.queue.backend
    if backend == "memory":
        raise WorkerUnavailable(
            "CLIPNET_QUEUE=memory runs jobs inside the request: there is no worker to start"
        )
    stop = stop or threading.Event()
    _stop_on_signals(stop)
    remove_stale_scratch()
    worker = container.job_worker()
    # In-process messages die with their process: send what an earlier run left unfinished.
    worker.start(recover=backend == "inprocess")
    threads = settings.queue.threads_by_group()
    log.info(
        "worker started: id %s, queue %s, namespace %s, threads %s",
        container.worker_heartbeat().worker_id,
        backend,
        settings.queue.namespace,
        ",".join(f"{group.value}={count}" for group, count in threads.items()),
    )
    announce_replies(container)
    catch_up(container)
    stop.wait()
    log.info("stopping: the running job may finish, the others go back to the queue")
    container.shutdown_resources()  # stops the worker, then closes pools and clients
    log.info("worker stopped")


def announce_replies(container: Container) -> None:
    """Say at start which chat platforms ClipBOT can answer on (answers for the others are
    not queued)."""
    log.info("%s", reply_summary(container.reply_platforms()))


def catch_up(container: Container) -> None:
    """What a started worker does once: post the clips that became eligible while
    ``CLIPNET_AUTO_POST`` was off (nothing when it is off)."""
    try:
        container.voting().post_eligible()
    except Exception as error:  # e.g. the database is down: start anyway (a vote catches up)
        log.warning("auto-post catch-up skipped: %s", str(error)[:300])


def remove_stale_scratch() -> None:
    """Scratch folders of ClipNET processes that were killed (SIGKILL runs no clean-up)."""
    removed = sweep_stale_scratch()
    if removed:
        log.info("removed %d scratch folder(s) left by stopped processes", len(removed))


def _stop_on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set in the main thread (tests run it elsewhere)

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("got %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
